"""Keeps the terminal reporter's options without the reporter (for ``notegen run``).

``notegen run`` runs pytest with ``-p no:terminal`` and prints its own progress
lines instead. A project's ``addopts`` may still say ``-ra`` or ``--tb=short``;
loaded with ``-p notegen.pytest_plugin.quiet`` (which pytest-xdist passes on to
its workers too) this module declares those options so they parse.
"""

from __future__ import annotations

import pytest
from _pytest import terminal


def pytest_addoption(parser: pytest.Parser) -> None:
    terminal.pytest_addoption(parser)
