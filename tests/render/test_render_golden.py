"""The seed note's rendered Markdown, against a golden file that never blesses itself.

To regenerate after an intended change, run
``NOTEGEN_REGEN_GOLDEN=1 pytest tests/render/test_render_golden.py`` (it then
fails once, saying what it wrote), review the diff, and commit it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from notegen.link import build_graph
from notegen.render import render_site

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden" / "seed_note.md"


def test_seed_note_markdown() -> None:
    graph = build_graph(REPO / "notes", REPO)
    pages = {p.kind: p for p in render_site(graph)}
    obtained = pages["note"].markdown
    if os.environ.get("NOTEGEN_REGEN_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(obtained, encoding="utf-8")
        pytest.fail(f"regenerated {GOLDEN.relative_to(REPO)}: review the diff, then commit it")
    if not GOLDEN.is_file():
        pytest.fail(
            f"golden file {GOLDEN.relative_to(REPO)} is missing; write it with "
            "NOTEGEN_REGEN_GOLDEN=1 pytest tests/render/test_render_golden.py and review it"
        )
    expected = GOLDEN.read_text(encoding="utf-8")
    assert obtained == expected, (
        "the seed note renders differently from the golden file; if intended, regenerate "
        "it (NOTEGEN_REGEN_GOLDEN=1) and review the diff"
    )
