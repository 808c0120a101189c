"""``python -m notegen`` runs the command line."""

from __future__ import annotations

import sys

from notegen.cli import main

sys.exit(main())
