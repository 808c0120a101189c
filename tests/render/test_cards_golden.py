"""The tinysite's result pages as Markdown, against golden files that never bless
themselves: its note with cards, the claims page, the experiment page, home.

The inputs are the tinysite's committed results; after re-measuring them (or an
intended change of layout), run
``NOTEGEN_REGEN_GOLDEN=1 pytest tests/render/test_cards_golden.py`` (it fails
once, naming what it wrote), review the diff, and commit it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from notegen.link import build_graph
from notegen.render import ResultCards, load_results_index, render_site

TINYSITE = Path(__file__).resolve().parents[1] / "tinysite"
GOLDEN = Path(__file__).parent / "golden"
PAGES = {
    "notes/reading-embeddings.md": "tinysite_note.md",
    "claims.md": "tinysite_claims.md",
    "experiments/test_tiny.md": "tinysite_experiment.md",
    "index.md": "tinysite_home.md",
}


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    graph = build_graph(TINYSITE / "notes", TINYSITE)
    index = load_results_index(graph, TINYSITE / "examples", TINYSITE / "results", TINYSITE)
    pages = render_site(graph, cards=ResultCards(index), results=index)
    return {p.src_uri: p.markdown for p in pages}


@pytest.mark.parametrize("src_uri", list(PAGES))
def test_result_pages_markdown(src_uri: str, rendered: dict[str, str]) -> None:
    golden = GOLDEN / PAGES[src_uri]
    obtained = rendered[src_uri]
    shown = golden.relative_to(Path(__file__).parents[2])
    if os.environ.get("NOTEGEN_REGEN_GOLDEN") == "1":
        golden.write_text(obtained, encoding="utf-8")
        pytest.fail(f"regenerated {shown}: review the diff, then commit it")
    if not golden.is_file():
        pytest.fail(
            f"golden file {shown} is missing; write it with NOTEGEN_REGEN_GOLDEN=1 "
            "pytest tests/render/test_cards_golden.py and review it"
        )
    assert obtained == golden.read_text(encoding="utf-8"), (
        f"{src_uri} renders differently from {shown}; if intended, regenerate it "
        "(NOTEGEN_REGEN_GOLDEN=1) and review the diff"
    )
