"""``notegen status``: per claim, its experiments, verdicts, summaries and staleness.

Read statically (no torch, no pytest). Rows are keyed by claim id: every claim
written in the notes (``--notes``, default ``notes/``), with a ``no
experiment`` row for a claim no experiment checks, and every claim an
experiment declares (``no claim in notes`` when no note writes it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from notegen.commands._project import add_project_arguments, project_from_args
from notegen.diagnostics import SourceSpan
from notegen.link.experiments import ExperimentState, match_results, scan_experiments
from notegen.store.load import LoadedResult, load_results

HELP = "show each claim's experiments, verdicts, measured summaries and staleness"


@dataclass(frozen=True, slots=True)
class StatusRow:
    """One line of the status table: a claim and one experiment instance checking it."""

    claim: str
    """The claim id."""
    experiment: str
    """The experiment's node id ('' when the claim has no experiment)."""
    verdict: str
    """``supported``/``refuted``/``inconclusive``/``broken``, ``not measured``, or
    ``no experiment``."""
    expected: str
    """The declared verdict ('' when there is no experiment)."""
    as_declared: bool
    """Whether the latest measured verdict is the declared one."""
    summary: str
    """The measured one-line summary (or the outcome message of a broken run)."""
    state: str
    """``fresh``, ``stale``, ``not measured``, ``no experiment``, ``no claim in notes``
    or ``orphan`` (a result whose experiment is gone)."""
    why: str
    """Why stale (or orphaned); empty otherwise."""
    claim_site: str = ""
    """Where the claim is written in the notes (``path:line``), when known."""


def _row_of(claim: str, st: ExperimentState, claim_site: str) -> StatusRow:
    res = st.result
    if res is None:
        return StatusRow(
            claim,
            st.node_id,
            "not measured",
            st.experiment.expect,
            False,
            "",
            "not measured",
            "",
            claim_site,
        )
    m = res.record.latest
    summary = m.summary if m.verdict != "broken" else m.message.splitlines()[0]
    return StatusRow(
        claim,
        st.node_id,
        m.verdict,
        m.expected,
        m.as_declared,
        summary,
        "stale" if res.stale else "fresh",
        res.why_stale(),
        claim_site,
    )


def status_rows(
    states: Sequence[ExperimentState],
    orphans: Sequence[LoadedResult] = (),
    claims: Mapping[str, SourceSpan] | None = None,
) -> list[StatusRow]:
    """The status table, sorted by claim id.

    Args:
        states: Experiment instances with their results (:func:`match_results`).
        orphans: Results whose experiment no longer exists.
        claims: Claim ids found in the notes with where they are written; when
            given, claims without experiments get a ``no experiment`` row and
            experiments' claims not in it are marked ``no claim in notes``.
    """
    rows: list[StatusRow] = []
    seen_claims: set[str] = set()
    for st in states:
        for claim in st.experiment.claims:
            seen_claims.add(claim)
            site = str(claims[claim]) if claims and claim in claims else ""
            row = _row_of(claim, st, site)
            if claims is not None and claim not in claims:
                row = StatusRow(
                    row.claim,
                    row.experiment,
                    row.verdict,
                    row.expected,
                    row.as_declared,
                    row.summary,
                    "no claim in notes",
                    "no `claim::` with this id in the notes",
                    "",
                )
            rows.append(row)
    for r in orphans:
        m = r.record.latest
        for claim in r.record.claims:
            rows.append(
                StatusRow(
                    claim,
                    r.experiment,
                    m.verdict,
                    m.expected,
                    m.as_declared,
                    m.summary,
                    "orphan",
                    f"the experiment is gone; delete {r.path.name} if it was removed on purpose",
                )
            )
    if claims:
        for claim, span in claims.items():
            if claim not in seen_claims:
                rows.append(
                    StatusRow(
                        claim, "", "no experiment", "", False, "", "no experiment", "", str(span)
                    )
                )
    rows.sort(key=lambda r: (r.claim, r.experiment))
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _clip(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out = ""
    for c in text:
        if _width(out + c) > width - 1:
            break
        out += c
    return out + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def format_table(rows: Sequence[StatusRow], width: int | None = None) -> str:
    """The rows as an aligned plain-text table, fitted to ``width`` columns (the state
    column clipped to 48, the summary to what is left); nothing clipped without one."""
    if not rows:
        return "no experiments and no claims found\n"
    verdicts = []
    for r in rows:
        if r.verdict in ("not measured", "no experiment") or r.as_declared:
            v = r.verdict + (" (declared)" if r.as_declared and r.verdict != "supported" else "")
        elif r.verdict == "broken":
            v = "BROKEN"
        else:
            v = f"{r.verdict.upper()} (declared {r.expected})"
        verdicts.append(v)
    states = [r.state + (f": {r.why}" if r.why else "") for r in rows]
    header = ("claim", "experiment", "verdict", "state", "measured")
    cols = [
        [header[0], *(r.claim for r in rows)],
        [header[1], *(r.experiment or "—" for r in rows)],
        [header[2], *verdicts],
        [header[3], *states],
    ]
    widths = [max(_width(x) for x in col) for col in cols]
    if width is not None:
        widths[3] = min(widths[3], 48)
    used = sum(widths) + 2 * len(widths)
    room = max(20, (width or 10_000) - used)
    lines = []
    for i in range(len(rows) + 1):
        cells = [_pad(_clip(col[i], w), w) for col, w in zip(cols, widths, strict=True)]
        last = header[4] if i == 0 else rows[i - 1].summary
        lines.append(("  ".join([*cells, _clip(last, room)])).rstrip())
    return "\n".join(lines) + "\n"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    parser.add_argument("--wide", action="store_true", help="do not clip to the terminal's width")
    parser.add_argument(
        "--notes",
        type=Path,
        default=None,
        metavar="DIR",
        help="the Logseq graph whose claims are listed, relative to the root (default: notes)",
    )
    add_project_arguments(parser)


def note_claims(
    notes_dir: Path, root: Path, *, given: str | None = None
) -> tuple[dict[str, SourceSpan] | None, list[str]]:
    """The claim ids written in the notes, with where, and the graph's problems as messages.

    Args:
        notes_dir: The Logseq graph.
        root: The project root (paths in messages are relative to it).
        given: ``--notes`` as the user wrote it; ``None`` for the default folder.

    Returns:
        ``None`` for the claims when the default folder does not exist (a project
        with experiments only).

    Raises:
        NotegenError: A folder given with ``--notes`` does not exist or holds no graph.
    """
    from notegen.link.load import require_graph

    if given is not None:
        require_graph(notes_dir, given)
    elif not notes_dir.is_dir():
        return None, []
    from notegen.link import build_graph

    graph = build_graph(notes_dir, root)
    claims = {claim: site.span for claim, site in graph.claims.items()}
    return claims, [str(d) for d in graph.diagnostics]


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    project = project_from_args(args)
    experiments, diags = scan_experiments(project.examples_dir, project.root)
    results, rdiags = load_results(project.results_dir, project.root)
    states, orphans = match_results(experiments, results)
    notes_dir = (project.root / (args.notes or "notes")).resolve()
    given = None if args.notes is None else str(args.notes)
    claims, note_problems = note_claims(notes_dir, project.root, given=given)
    rows = status_rows(states, orphans, claims=claims)
    if args.json:
        out.write(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2) + "\n")
    else:
        width = None if args.wide or not out.isatty() else shutil.get_terminal_size().columns
        out.write(format_table(rows, width))
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.state] = counts.get(r.state, 0) + 1
        out.write(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + "\n")
    for d in [*note_problems, *diags, *rdiags]:
        print(str(d), file=sys.stderr)
    return 0
