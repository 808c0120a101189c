"""Helpers the site tests share: build a site as a user would, read its search index."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote


def mkdocs_build(config: Path, site_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``mkdocs build`` in a fresh interpreter, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(site_dir), *extra],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def pages_found_by(site: Path, word: str) -> set[str]:
    """The pages (site paths) whose search entries hold ``word`` as a whole token,
    split as Material's search splits them (its configured separator)."""
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    return {
        unquote(doc["location"]).split("#")[0]
        for doc in index["docs"]
        if word in separator.split(doc["title"] + " " + doc["text"])
    }
