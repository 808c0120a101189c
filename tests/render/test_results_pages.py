"""The history table of an experiment page shows the metrics its verdict is decided on."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from notegen.link import build_graph
from notegen.render import load_results_index
from notegen.render.results_pages import deciding_metrics, render_experiment_page
from notegen.store import read_record, record_path

TINYSITE = Path(__file__).resolve().parents[1] / "tinysite"
LR01 = "examples/test_tiny.py::test_warm_start_needs_fewer_steps[0.1]"

SOURCE = """
def test_variable(measure):
    gap = measure.metric("gap", [1, 2])
    measure.metric("other", 1.0)
    measure.verdict(decide(gap, above=0))

def test_inline(measure):
    measure.verdict(decide(measure.metric("inline", [1, 2]), below=3))

def test_two(measure):
    a = measure.metric("a", 1.0)
    b: float = measure.metric("b", 2.0)
    measure.verdict("supported" if a > 0 and b > 0 else "refuted")

def test_built_at_run_time(measure):
    gaps = {r: measure.metric(f"gap_{r}", [r, r]) for r in (1, 2)}
    measure.verdict(decide(gaps[1], above=0))

class TestC:
    def test_y(self, measure):
        x = measure.metric("in_class", [1, 2])
        measure.verdict(decide(x, above=0))
"""


@pytest.mark.parametrize(
    ("function", "names"),
    [
        ("test_variable", ("gap",)),
        ("test_inline", ("inline",)),
        ("test_two", ("a", "b")),
        ("test_built_at_run_time", ()),
        ("TestC.test_y", ("in_class",)),
        ("test_missing", ()),
    ],
)
def test_the_deciding_metrics_are_read_from_the_verdict_call(
    function: str, names: tuple[str, ...]
) -> None:
    assert deciding_metrics(SOURCE, function) == names


def test_unreadable_source_names_no_metric() -> None:
    assert deciding_metrics("def broken(:", "broken") == ()
    assert deciding_metrics(None, "test_x") == ()


def _history_headers(tmp_path: Path, decided_by: list[str] | None = None) -> list[str]:
    """The history tables' header lines of the tinysite's experiment page, after
    three metrics were added before the ones it records (and ``decided_by`` set)."""
    root = tmp_path / "tinysite"
    shutil.copytree(TINYSITE, root, ignore=shutil.ignore_patterns("__pycache__"))
    path = record_path(root / "results", LR01)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["history"], "the tinysite's result keeps an earlier measurement"
    extra = {f"first_{i}": {"value": float(i)} for i in range(3)}
    for m in [data["latest"], *data["history"]]:
        m["metrics"] = {**extra, **m["metrics"]}
    if decided_by is not None:
        data["latest"]["decided_by"] = decided_by
    path.write_text(json.dumps(data), encoding="utf-8")
    graph = build_graph(root / "notes", root)
    index = load_results_index(graph, root / "examples", root / "results", root)
    markdown = render_experiment_page(graph, index, index.files["examples/test_tiny.py"])
    return [line for line in markdown.splitlines() if line.startswith("| Measured |")]


def test_the_history_table_always_shows_the_deciding_metric(tmp_path: Path) -> None:
    # Without decided_by in the record (older records), read from the source.
    assert _history_headers(tmp_path)[0] == (
        "| Measured | Verdict | Declared | `steps_saved` (decides) | `first_0` | `first_1` | Code |"
    )


def test_the_history_table_takes_the_deciding_metric_from_the_record(tmp_path: Path) -> None:
    # What the record says wins over what the source suggests (`steps_saved`).
    assert _history_headers(tmp_path, ["first_2"])[0] == (
        "| Measured | Verdict | Declared | `first_2` (decides) | `first_0` | `first_1` | Code |"
    )


def test_deciding_metrics_prefers_the_record() -> None:
    source = (TINYSITE / "examples" / "test_tiny.py").read_text(encoding="utf-8")
    record = read_record(record_path(TINYSITE / "results", LR01))
    function = "test_warm_start_needs_fewer_steps"
    assert deciding_metrics(source, function, record=record) == ("steps_saved",)  # no key
    decided = replace(record, latest=replace(record.latest, decided_by=("other",)))
    assert deciding_metrics(source, function, record=decided) == ("other",)
    assert deciding_metrics(None, function, record=decided) == ("other",)
