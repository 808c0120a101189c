"""Pages about results: the claims table, one page per experiment file, and the
home page's summary of the knowledge base.

All three are built from a :class:`~notegen.render.evidence.ResultsIndex`
gathered before rendering; nothing here reads a file or runs an experiment.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from notegen.link.experiments import Experiment
from notegen.link.graph import Graph
from notegen.render.cards import entry_body
from notegen.render.evidence import (
    SHOWN_VERDICTS,
    Evidence,
    ExperimentFile,
    ResultsIndex,
    ShownVerdict,
)
from notegen.render.inline import escape_plain, markdown_link
from notegen.render.measured import (
    VERDICT_WORDS,
    badge,
    doc_lines,
    experiment_anchor,
    format_started,
    measured_date,
    metric_cells,
    one_line,
    plural,
    source_anchor,
)
from notegen.render.pages import front_matter, relative_uri, shorten
from notegen.store.schema import HistoryEntry, Measurement, Metric, ResultRecord

__all__ = [
    "CLAIMS_URI",
    "deciding_metrics",
    "render_claims_page",
    "render_experiment_page",
    "results_summary",
]

CLAIMS_URI = "claims.md"
"""Where the claims page is in the site."""


def _count_badges(counts: dict[ShownVerdict, int]) -> str:
    return " ".join(
        badge(v, f"{VERDICT_WORDS[v]}: {counts[v]}") for v in SHOWN_VERDICTS if counts.get(v)
    )


def _verdict_counts(verdicts: Iterable[ShownVerdict]) -> dict[ShownVerdict, int]:
    counts: dict[ShownVerdict, int] = {}
    for verdict in verdicts:
        counts[verdict] = counts.get(verdict, 0) + 1
    return counts


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def _row_summary(ev: Evidence) -> str:
    # One line: it goes into a table cell, or beside a badge.
    return one_line(_summary(ev))


def _summary(ev: Evidence) -> str:
    latest = ev.latest
    if latest is None:
        if not ev.node_id:
            return "no experiment checks this claim yet"
        return ev.problems[0] if ev.problems else "not run yet"
    if latest.verdict == "broken":
        return "error: " + _first_line(latest.message)
    text = latest.summary or _first_line(latest.message)
    if ev.verdict == "stale" and ev.result is not None:
        text += f" (stale: {ev.result.why_stale()})"
    elif not latest.as_declared:
        text += f" (declared {latest.expected})"
    return text


# --- the claims page -----------------------------------------------------------------------


_NOTE_NAME_MAX = 28
"""Note titles longer than this are cut in the claims table (the full title is the tooltip)."""


def render_claims_page(graph: Graph, index: ResultsIndex, *, title: str = "Claims") -> str:
    """Every claim of the graph in one sortable, filterable table, with counts by
    verdict at the top.

    One row per claim and experiment instance: claim (linking to the block that
    makes it), verdict, measured summary, note, experiment, measured date.
    """
    src = CLAIMS_URI
    # The table needs the width: no table-of-contents column (the navigation stays).
    out = [
        front_matter(title, hide=["toc"]),
        f"# {escape_plain(title)}",
        "",
    ]
    if not index.claims:
        out += [
            "No claims yet: name one with `claim:: some-id` on a block of a note, and check "
            'it with an experiment marked `@pytest.mark.claim("some-id")`.',
            "",
        ]
        return "\n".join(out)
    # The counts filter the rows: each counts rows, as the filter shows them.
    rows = [ev for evidence in index.claims.values() for ev in evidence]
    counts = _verdict_counts(ev.verdict for ev in rows)
    what = f"**{plural(len(index.claims), 'claim')}**"
    if len(rows) != len(index.claims):
        what += f" in {plural(len(rows), 'row')}"
    out += [
        f'<p class="ng-counts" markdown>{what} {_count_badges(counts)}</p>',
        "",
        "A claim checked by several experiments has a row for each, with that experiment's "
        "verdict. Click a count to show only its rows, a column to sort.",
        "{: .ng-hint }",
        "",
        '<div class="ng-claims-table ng-sortable" markdown>',
        "",
        "| Claim | Verdict | Summary | Note | Experiment | Measured |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for claim_id, evidence in index.claims.items():
        site = graph.claims[claim_id]
        page = graph.pages[site.page]
        claim_url = relative_uri(page.src_uri, src) + "#" + site.block.anchor
        note_link = markdown_link(
            escape_plain(shorten(page.name, _NOTE_NAME_MAX)),
            relative_uri(page.src_uri, src),
            title=page.name,
        )
        for ev in evidence:
            verdict = badge(ev.verdict)
            if ev.verdict == "stale" and ev.latest is not None:
                verdict += f" <span class='ng-was'>was {ev.latest.verdict}</span>"
            exp_page = index.experiment_page(ev.source_path)
            if not ev.node_id:
                experiment = "—"
            elif exp_page is not None:
                experiment = markdown_link(
                    escape_plain(ev.label),
                    relative_uri(exp_page, src) + "#" + experiment_anchor(ev.function),
                )
            else:
                experiment = escape_plain(ev.label)
            measured = measured_date(ev.latest.started) if ev.latest is not None else "—"
            cells = [
                markdown_link(f"`{claim_id}`", claim_url),
                verdict,
                escape_plain(_row_summary(ev)),
                note_link,
                experiment,
                measured,
            ]
            out.append("| " + " | ".join(cells) + " |")
    out += ["", "</div>", ""]
    return "\n".join(out)


# --- experiment pages ------------------------------------------------------------------------


def render_experiment_page(graph: Graph, index: ResultsIndex, file: ExperimentFile) -> str:
    """The page of one test file: each experiment with the claims it checks (linking
    back to the notes), each instance's result with its plots and history, then
    the file's source with line numbers."""
    src = file.src_uri
    name = file.path.rsplit("/", 1)[-1]
    out = [front_matter(name), f"# {escape_plain(file.path)}", ""]
    out += doc_lines(file.doc)
    claims = list(dict.fromkeys(c for e in file.experiments for c in e.claims))
    facts = [
        f"- **Experiments:** {len(file.experiments)}",
        "- **Claims checked:** " + (", ".join(_claim_link(graph, c, src) for c in claims) or "—"),
        f"- **Run them:** `pytest {_code(file.path)}` (or `notegen run`)",
    ]
    out += ['<div class="ng-facts" markdown>', "", *facts, "", "</div>", ""]
    for exp in file.experiments:
        out += _experiment_section(graph, index, exp, src)
    out += ["## Source { #source }", ""]
    if file.source is None:
        out += [f"*{escape_plain(file.path)} cannot be read.*", ""]
    else:
        fence = "`" * max(3, _longest_backtick_run(file.source) + 1)
        out += [f'{fence} {{ .python linenums="1" }}', file.source.rstrip("\n"), fence, ""]
    return "\n".join(out)


def _code(text: str) -> str:
    return text.replace("`", "'")


def _longest_backtick_run(text: str) -> int:
    return max((len(m.group(0)) for m in re.finditer(r"`+", text)), default=0)


def _claim_link(graph: Graph, claim_id: str, src: str) -> str:
    site = graph.claims.get(claim_id)
    label = f"`{claim_id}`"
    if site is None:
        return label + " (in no note)"
    page = graph.pages[site.page]
    url = relative_uri(page.src_uri, src) + "#" + site.block.anchor
    return markdown_link(label, url) + f" (in *{escape_plain(page.name)}*)"


def _experiment_section(graph: Graph, index: ResultsIndex, exp: Experiment, src: str) -> list[str]:
    anchor = experiment_anchor(exp.function)
    out = [f"## {escape_plain(exp.function)} {{ #{anchor} }}", ""]
    out += doc_lines(exp.doc)
    lines = f"lines {exp.span.line_start}\u2013{exp.span.line_end}"
    facts = [
        "**Checks** " + (", ".join(_claim_link(graph, c, src) for c in exp.claims) or "—"),
        f"**declared** {exp.expect}",
        "**source** " + markdown_link(lines, "#" + source_anchor(exp.span.line_start)),
    ]
    if exp.timeout is not None:
        facts.append(f"**time limit** {exp.timeout:g} s")
    out += [" · ".join(facts), "{: .ng-about }", ""]
    instances = [k for k in index.evidence if exp.owns(k) and index.evidence[k]]
    if exp.params is not None:
        instances = [k for k in exp.node_ids if k in index.evidence] or instances
    if not instances:
        out += ["*Not measured yet: run `notegen run` to measure it.*", "{: .ng-problem }", ""]
        return out
    several = len(instances) > 1 or bool(exp.params)
    for node_id in instances:
        ev = index.evidence[node_id][0]
        if several:
            out += [f"### {escape_plain(ev.label)}", ""]
        out += [badge(ev.verdict) + " " + escape_plain(_row_summary(ev)), ""]
        out += entry_body(ev, index=index, src_uri=src, about=False, doc=False, with_summary=False)
        out += _history(ev, index)
    return out


_HISTORY_METRICS = 3
"""How many metrics the history table shows (more when more decide the verdict)."""


def _history(ev: Evidence, index: ResultsIndex) -> list[str]:
    rec = ev.record
    if rec is None:
        return []
    rows: list[tuple[str, Measurement | HistoryEntry]] = [("latest", rec.latest)]
    rows += [("earlier", h) for h in reversed(rec.history)]
    if len(rows) == 1:
        return ["*History: measured once so far with this code.*", "{: .ng-hint }", ""]
    recorded = list(dict.fromkeys(n for _, m in rows for n in m.metrics))
    file = index.files.get(ev.source_path or "")
    source = file.source if file else None
    deciding = [n for n in deciding_metrics(source, ev.function, record=rec) if n in recorded]
    # The metrics the verdict is decided on first, then the first ones recorded.
    names = list(dict.fromkeys([*deciding, *recorded]))
    names = names[: max(_HISTORY_METRICS, len(deciding))]
    labels = [f"`{_code(n)}`" + (" (decides)" if n in deciding else "") for n in names]
    header = "| Measured | Verdict | Declared | " + " | ".join(labels)
    header += " | Code |"
    rule = "| --- | --- | --- | " + " | ".join("---:" for _ in names) + " | --- |"
    out = ["**History** (newest first; ↑/↓: outside the previous run's 95% CI)", "", header, rule]
    for i, (_, m) in enumerate(rows):
        older = rows[i + 1][1] if i + 1 < len(rows) else None
        cells = [
            escape_plain(format_started(m.started)),
            badge(m.verdict),
            m.expected,
        ]
        for name in names:
            metric = m.metrics.get(name)
            if metric is None:
                cells.append("—")
                continue
            mean, ci, _, _ = metric_cells(metric)
            cell = mean if ci == "—" else f"{mean} ({ci})"
            cells.append(cell + _moved(metric, older.metrics.get(name) if older else None))
        cells.append(f"`{m.code_hash[:10]}`")
        out.append("| " + " | ".join(cells) + " |")
    return [*out, ""]


def deciding_metrics(
    source: str | None, function: str, *, record: ResultRecord | None = None
) -> tuple[str, ...]:
    """The metrics an experiment's verdict is decided on.

    The record names them (``decided_by`` of its latest measurement, else of its
    last good one) when a notegen that stores them measured it. For older
    records they are guessed from the source: the metrics named in its
    ``measure.verdict(...)`` call, recorded there
    (``decide(measure.metric("gap", ...), ...)``) or into a variable the call
    uses (``gap = measure.metric("gap", ...)`` then ``decide(gap, ...)``).
    Metric names built at run time (f-strings, loops) cannot be read: then the
    guess is empty, as it is without source.

    Args:
        source: The test file's text.
        function: The experiment's qualified name (``test_y`` or ``TestC.test_y``).
        record: The experiment's results record, if measured.
    """
    if record is not None:
        for m in (record.latest, record.last_good):
            if m is not None and m.decided_by:
                return m.decided_by
    if not source:
        return ()
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ()
    body: list[ast.stmt] = tree.body
    found: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for part in function.split("."):
        stmt = next((n for n in body if getattr(n, "name", None) == part), None)
        if isinstance(stmt, ast.ClassDef):
            body = stmt.body
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            found = stmt
        else:
            return ()
    if found is None:
        return ()
    into: dict[str, str] = {}
    for node in ast.walk(found):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            name = _recorded_metric(node.value)
            if name is not None and len(targets) == 1 and isinstance(targets[0], ast.Name):
                into[targets[0].id] = name
    named: list[str] = []
    for node in ast.walk(found):
        if isinstance(node, ast.Call) and _is_method(node, "verdict"):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name) and inner.id in into:
                    named.append(into[inner.id])
                elif (name := _recorded_metric(inner)) is not None:
                    named.append(name)
    return tuple(dict.fromkeys(named))


def _is_method(call: ast.Call, name: str) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr == name


def _recorded_metric(node: ast.AST) -> str | None:
    """``"x"`` of ``measure.metric("x", ...)``."""
    if isinstance(node, ast.Call) and _is_method(node, "metric") and node.args:
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    return None


def _moved(now: Metric, before: Metric | None) -> str:
    if before is None or before.ci_low is None or before.ci_high is None:
        return ""
    if now.value > before.ci_high:
        return " ↑"
    if now.value < before.ci_low:
        return " ↓"
    return ""


# --- the home page's summary ---------------------------------------------------------------


def results_summary(graph: Graph, index: ResultsIndex, *, src_uri: str = "index.md") -> list[str]:
    """The knowledge base at a glance, for the home page: notes, highlights,
    annotations, claims by verdict, stale results, when last measured."""
    notes = [p.note for p in graph.pages.values() if p.kind == "note" and p.note is not None]
    every = [p.note for p in graph.pages.values() if p.note is not None]
    highlights = sum(len(n.highlights) for n in every)
    annotations = sum(len(n.annotations) for n in every)
    results = index.results()
    stale = sum(1 for r in results if r.stale)
    broken = sum(1 for r in results if r.record.latest.verdict == "broken")
    last = max((r.record.latest.started for r in results), default=None)
    counts = _verdict_counts(index.claim_verdicts().values())
    claims_link = markdown_link(
        plural(len(index.claims), "claim"),
        relative_uri(CLAIMS_URI, src_uri),
    )

    def stat(value: object, label: str) -> str:
        return f"- **{value}** {label}"

    items = [
        stat(len(notes), "note" if len(notes) == 1 else "notes"),
        stat(highlights, "highlight" if highlights == 1 else "highlights"),
        stat(annotations, "annotation" if annotations == 1 else "annotations"),
        f"- **{claims_link}** {_count_badges(counts)}".rstrip(),
        stat(stale, "stale result" + ("" if stale == 1 else "s")),
        f"- last measured **{format_started(last) if last else 'never'}**",
    ]
    if broken:
        items.insert(5, stat(broken, "broken experiment" + ("" if broken == 1 else "s")))
    return ['<div class="ng-home-summary" markdown>', "", *items, "", "</div>", ""]
