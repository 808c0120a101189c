"""Result cards from real results: the tinysite's measured experiments, and copies
of it in which results are missing, unreadable, stale, broken or contradicting.

Expected numbers are read from the results files themselves, never typed in.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from notegen.diagnostics import Code
from notegen.link import build_graph
from notegen.render import (
    ResultCards,
    ResultsIndex,
    claim_verdict,
    load_results_index,
    render_site,
)
from notegen.render.evidence import Evidence
from notegen.render.measured import (
    code_spans,
    format_number,
    format_started,
    metric_cells,
    prose,
    text_lines,
)
from notegen.store import read_record, save_measurement

TINYSITE = Path(__file__).resolve().parents[1] / "tinysite"
REPO = Path(__file__).resolve().parents[2]
NOTE_FILE = "notes/pages/Reading%3F Embeddings.md"
NOTE_URI = "notes/reading-embeddings.md"
LR01 = "examples/test_tiny.py::test_warm_start_needs_fewer_steps[0.1]"
TENX = "examples/test_tiny.py::test_warm_start_is_ten_times_faster"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the tinysite (notes, experiments, measured results)."""
    root = tmp_path / "tinysite"
    shutil.copytree(TINYSITE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def gather(root: Path) -> ResultsIndex:
    graph = build_graph(root / "notes", root)
    return load_results_index(graph, root / "examples", root / "results", root)


def note_markdown(root: Path) -> str:
    graph = build_graph(root / "notes", root)
    index = load_results_index(graph, root / "examples", root / "results", root)
    pages = render_site(graph, cards=ResultCards(index), results=index)
    return next(p.markdown for p in pages if p.src_uri == NOTE_URI)


def result_file(root: Path, node_id: str) -> Path:
    from notegen.store import record_path

    return record_path(root / "results", node_id)


def one(index: ResultsIndex, claim: str, node_id: str) -> Evidence:
    (found,) = [ev for ev in index.claims[claim] if ev.node_id == node_id]
    return found


# --- the measured tinysite ------------------------------------------------------------


def test_every_claim_is_paired_with_its_experiments_and_results() -> None:
    index = gather(TINYSITE)
    assert list(index.claims) == ["pretrain-converges", "ten-x-faster"]
    assert [ev.node_id for ev in index.claims["pretrain-converges"]] == [
        "examples/test_tiny.py::test_warm_start_needs_fewer_steps[0.1]",
        "examples/test_tiny.py::test_warm_start_needs_fewer_steps[0.3]",
    ]
    assert index.claim_verdicts() == {"pretrain-converges": "supported", "ten-x-faster": "refuted"}
    assert index.diagnostics == ()
    assert set(index.plots.values()) == {
        f"assets/results/{p.name}" for p in (TINYSITE / "results").glob("*.svg")
    }
    assert index.experiment_page("examples/test_tiny.py") == "experiments/test_tiny.md"


def test_the_card_shows_metrics_plots_docstring_and_provenance() -> None:
    record = read_record(result_file(TINYSITE, LR01))
    markdown = note_markdown(TINYSITE)
    m = record.latest
    # One card with a tab per experiment instance under the highlight.
    assert '??? ng-card ng-supported "' in markdown
    assert '=== "0.1 · supported"' in markdown and '=== "0.3 · supported"' in markdown
    for name, metric in m.metrics.items():
        mean, ci, n, unit = metric_cells(metric)
        assert f"| `{name}` | {mean} | {ci} | {n} | {unit} |" in markdown
    plot = m.plots[0]
    assert f"](<../assets/results/{plot.file}>){{ loading=lazy }}" in markdown
    assert "Plot 'steps' of claim pretrain-converges, experiment" in markdown
    assert "(metrics: steps&#95;saved, cold&#95;steps)" in markdown
    assert record.doc.splitlines()[0] in markdown
    assert f"**Python** {m.environment.python}" in markdown
    assert f"**Measured** {format_started(m.started)}" in markdown
    assert "**seeds** " + ", ".join(map(str, m.seeds)) in markdown
    assert f"**code** `{m.code_hash[:10]}`" in markdown
    page = "../experiments/test_tiny.md"
    assert f"(<{page}#exp-test_warm_start_needs_fewer_steps>)" in markdown
    assert f"(<{page}#__codelineno-0-{record.source.line_start}>)" in markdown


def test_annotations_show_their_own_claim_else_the_one_above() -> None:
    markdown = note_markdown(TINYSITE)
    first, second = markdown.split("📝")[1:]
    assert '??? ng-card ng-refuted "' in first
    tenx = read_record(result_file(TINYSITE, TENX)).latest
    assert f"speed-up {tenx.metrics['speedup'].value:.2f}x" in first
    assert "The knowledge base declares this claim refuted; the measurement agrees." in first
    assert '??? ng-card ng-supported ng-inherited "' in second
    assert "(made by [the block above](#b7))" in second


def test_an_annotation_without_any_claim_says_so() -> None:
    graph = build_graph(REPO / "notes", REPO)
    index = ResultsIndex.empty(graph)
    pages = render_site(graph, cards=ResultCards(index), results=index)
    (seed,) = [p for p in pages if p.kind == "note"]
    annotations = sum(len(p.note.annotations) for p in graph.pages.values() if p.note)
    claims = len(graph.claims)
    cards = seed.markdown.count("??? ng-card ")
    assert cards >= annotations
    if not claims:
        assert seed.markdown.count("no claim is linked to this annotation") == annotations


def test_claim_verdict_prefers_what_needs_attention() -> None:
    def ev(verdict: str) -> Evidence:
        return dataclasses.replace(Evidence("c", "", None, None), claim_id=verdict)

    index = gather(TINYSITE)
    supported = index.claims["pretrain-converges"][0]
    refuted = index.claims["ten-x-faster"][0]
    nothing = ev("x")
    assert claim_verdict([supported, supported]) == "supported"
    assert claim_verdict([supported, refuted]) == "refuted"
    assert claim_verdict([supported, nothing]) == "not measured"
    assert claim_verdict([]) == "not measured"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (21.6, "21.6"),
        (-0.00123456, "\u22120.001235"),
        (0.0, "0"),
        (1.5e-7, "1.5\u00d710⁻⁷"),
        (float("nan"), "NaN"),
        (float("-inf"), "\u2212∞"),
    ],
)
def test_numbers_are_shown_to_four_significant_digits(value: float, shown: str) -> None:
    assert format_number(value) == shown


# --- what goes wrong ------------------------------------------------------------------


def test_text_of_several_lines_is_one_paragraph_that_starts_no_block() -> None:
    text = "first\n  - two\n\n1. three\n!!! four <b>"
    assert text_lines(text) == [
        "first<br>",
        "&#45; two<br>",
        "<br>",
        "&#49;. three<br>",
        "&#33;!! four &lt;b&gt;",
    ]
    assert text_lines(text, keep_indent=True)[1] == "&nbsp;&nbsp;&#45; two<br>"
    assert text_lines("深度 *x*") == ["深度 &#42;x&#42;"]


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("see ``ctrsim.world``", "see `ctrsim.world`"),
        ("run `notegen run --all`", "run `notegen run --all`"),
        ("*true* and **very**", "*true* and **very**"),
        ("a*b*c, results/*.json and *.svg", "a&#42;b&#42;c, results/&#42;.json and &#42;.svg"),
        ("``<b>`` *<i>*", "`<b>` *&lt;i&gt;*"),
        (
            "[x](javascript:1){: onclick=y }",
            "&#91;x&#93;(javascript:1)&#123;: onclick&#61;y &#125;",
        ),
    ],
)
def test_docstring_prose_keeps_literals_and_emphasis_and_escapes_the_rest(
    text: str, markdown: str
) -> None:
    assert prose(text) == markdown


def test_messages_keep_code_but_not_emphasis() -> None:
    assert code_spans("run `x` on *.json *now*") == "run `x` on &#42;.json &#42;now&#42;"
    assert text_lines("`x` first\n- second", render=code_spans) == ["`x` first<br>", "&#45; second"]


def test_without_results_every_card_says_not_measured(project: Path) -> None:
    shutil.rmtree(project / "results")
    index = gather(project)
    assert {ev.verdict for evs in index.claims.values() for ev in evs} == {"not measured"}
    shown = [str(d) for d in index.diagnostics]
    assert all(d.code is Code.RESULT_MISSING for d in index.diagnostics)
    assert len(shown) == 3
    assert sum(s.startswith(f"{NOTE_FILE}:7: claim 'pretrain-converges'") for s in shown) == 2
    assert shown[-1].startswith(f"{NOTE_FILE}:15: claim 'ten-x-faster': experiment {TENX}")
    markdown = note_markdown(project)
    assert "ng-supported" not in markdown and "ng-refuted" not in markdown
    # Two tabs under the highlight, one card on the first annotation, two inherited.
    assert markdown.count("**Not measured:** this experiment has no readable result yet") == 5


def test_a_claim_with_no_experiment_says_so(project: Path) -> None:
    shutil.rmtree(project / "examples")
    shutil.rmtree(project / "results")
    index = gather(project)
    (ev,) = index.claims["ten-x-faster"]
    assert (ev.node_id, ev.verdict) == ("", "not measured")
    assert [d.code for d in index.diagnostics] == [Code.CLAIM_WITHOUT_EXPERIMENT] * 2
    assert "no experiment checks ten-x-faster yet" in note_markdown(project)


def test_a_results_file_that_is_not_json_is_named_on_the_card(project: Path) -> None:
    bad = result_file(project, LR01)
    bad.write_text('{"schema": 1,\n  oops\n', encoding="utf-8")
    index = gather(project)
    shown = [str(d) for d in index.diagnostics]
    rel = bad.relative_to(project).as_posix()
    assert any(s.startswith(f"{rel}:2: invalid JSON") for s in shown), shown
    ev = one(index, "pretrain-converges", LR01)
    assert ev.verdict == "not measured"
    assert ev.problems and ev.problems[0].startswith(f"{rel}:2: invalid JSON")
    markdown = note_markdown(project)
    assert f"**Problem:** {rel.replace('_', '&#95;')}:2: invalid JSON" in markdown
    # The other experiments still show their results.
    assert '=== "0.3 · supported"' in markdown


def test_a_missing_plot_is_named_on_the_card(project: Path) -> None:
    record = read_record(result_file(project, LR01))
    svg = project / "results" / record.latest.plots[0].file
    svg.unlink()
    index = gather(project)
    rel = result_file(project, LR01).relative_to(project).as_posix()
    (diag,) = index.diagnostics
    assert diag.code is Code.PLOT_MISSING and diag.span.path == rel
    assert svg.name not in index.plots
    ev = one(index, "pretrain-converges", LR01)
    assert ev.verdict == "supported"  # the numbers are still there
    # Said once in each card that shows it, where the plot would be.
    assert not ev.problems
    shown = svg.name.replace("_", "&#95;")
    cards = [c for c in note_markdown(project).split("\n??? ") if shown in c]
    assert cards
    for card in cards:
        assert card.count(shown) == 1
        assert f"**Plot missing:** results/{shown}" in card


def test_a_changed_experiment_makes_its_results_stale_and_says_why(project: Path) -> None:
    test_file = project / "examples" / "test_tiny.py"
    test_file.write_text(test_file.read_text(encoding="utf-8") + "\n# changed\n")
    index = gather(project)
    ev = one(index, "pretrain-converges", LR01)
    assert ev.verdict == "stale"
    markdown = note_markdown(project)
    assert "**Stale:** examples/test&#95;tiny.py changed since this was measured" in markdown
    assert "2 experiments, all stale: warm start saves" in markdown
    first = markdown.split("📝")[1]
    assert "<span class='ng-was'>was refuted</span>" in first


def test_a_new_torch_version_makes_results_stale(project: Path) -> None:
    path = result_file(project, TENX)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["latest"]["environment"]["packages"]["torch"] = "2.0.0"
    path.write_text(json.dumps(data), encoding="utf-8")
    ev = one(gather(project), "ten-x-faster", TENX)
    assert ev.verdict == "stale"
    assert ev.result is not None and "torch 2.0.0 → " in ev.result.why_stale()


def test_a_broken_rerun_shows_its_error_beside_the_last_good_measurement(project: Path) -> None:
    path = result_file(project, TENX)
    good = read_record(path)
    broken = dataclasses.replace(
        good.latest,
        verdict="broken",
        message="RuntimeError: the <data> is gone",
        location="examples/test_tiny.py:75",
        metrics={},
        plots=(),
        started="2030-01-01T00:00:00Z",
    )
    outcome = save_measurement(project / "results", dataclasses.replace(good, latest=broken))
    assert outcome.record.last_good == good.latest  # the store kept it
    ev = one(gather(project), "ten-x-faster", TENX)
    assert ev.verdict == "broken" and ev.last_good == good.latest
    first = note_markdown(project).split("📝")[1]
    assert '??? ng-card ng-broken "' in first
    assert "RuntimeError: the &lt;data&gt; is gone" in first
    assert "**Error** at `examples/test_tiny.py:75`:" in first
    assert "**Last good measurement:** refuted, as declared." in first
    speedup = good.latest.metrics["speedup"]
    assert f"| `speedup` | {format_number(speedup.value)} |" in first


def test_a_contradicting_rerun_says_so_and_keeps_the_declared_one(project: Path) -> None:
    path = result_file(project, LR01)
    good = read_record(path)
    contrary = dataclasses.replace(
        good.latest,
        verdict="refuted",
        summary="warm start costs steps",
        started="2030-01-01T00:00:00Z",
    )
    save_measurement(project / "results", dataclasses.replace(good, latest=contrary))
    ev = one(gather(project), "pretrain-converges", LR01)
    assert ev.verdict == "refuted" and ev.last_good == good.latest
    markdown = note_markdown(project)
    assert "**Measured refuted, declared supported:**" in markdown
    assert "**Last measurement as declared:** supported." in markdown
    # The highlight's card: its two experiments now disagree; it counts as refuted.
    header = next(line for line in markdown.splitlines() if line.startswith("??? "))
    assert header.startswith('??? ng-card ng-refuted "')
    assert ">Refuted \u00d71</span> <span class='ng-badge ng-supported'" in header
    assert '=== "0.1 · refuted"' in markdown


def test_a_result_whose_experiment_is_gone_is_still_shown(project: Path) -> None:
    (project / "examples" / "test_tiny.py").unlink()
    index = gather(project)
    ev = one(index, "ten-x-faster", TENX)
    assert ev.experiment is None and ev.verdict == "stale"
    assert "no longer under examples/" in ev.problems[0]


def test_a_skipped_experiment_says_it_is_never_measured(project: Path) -> None:
    shutil.rmtree(project / "results")
    test_file = project / "examples" / "test_tiny.py"
    source = test_file.read_text(encoding="utf-8")
    marker = '@pytest.mark.claim("ten-x-faster", expect="refuted")\n'
    assert marker in source
    test_file.write_text(source.replace(marker, marker + "@pytest.mark.skip\n"), encoding="utf-8")
    index = gather(project)
    ev = one(index, "ten-x-faster", TENX)
    assert ev.problems == ("the experiment is marked skip, so it is never measured",)
    assert any("marked skip" in d.message for d in index.diagnostics)
