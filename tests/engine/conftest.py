"""Fixtures for the engine's tests (plugin, store, run/status commands)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DEMO = Path(__file__).parent / "demo"
# The demo project's experiments are data for these tests, not tests of notegen.
collect_ignore = ["demo"]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A copy of the tiny demo project (pyproject, examples/ with helpers), no results yet."""
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns("__pycache__", "results"))
    return root
