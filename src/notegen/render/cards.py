"""The seam where a result card goes: under every block that carries a claim and
under every annotation.

The page renderer asks a :class:`CardRenderer` for Markdown at each such place
and puts whatever it returns there, inside the block's ``<div>`` (so Material's
admonitions, details and tabs work in it). :func:`claim_chips` only names the
claims; :class:`ResultCards` (what the site uses) shows what was measured.

A result card is a collapsed ``pymdownx.details`` block: its one-line summary
holds the verdict (icon and word) and the measured one-line summary; opened,
it shows the metrics with their 95% CIs, the plots, the experiment's docstring,
links to its page and source, and provenance. A block that makes several
claims gets one card per claim, each with its own one-line verdict; a claim
checked by several experiments (or parametrized instances) shows them as
content tabs inside its card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from notegen.link.graph import ClaimSite, Graph, GraphPage
from notegen.model import NoteBlock
from notegen.render.evidence import Evidence, ResultsIndex, ShownVerdict, claim_verdict
from notegen.render.inline import escape_plain, escape_text
from notegen.render.measured import (
    TIMES,
    VERDICT_WORDS,
    badge,
    code_spans,
    doc_lines,
    error_lines,
    experiment_anchor,
    format_started,
    link_to,
    measurement_lines,
    one_line,
    provenance_line,
    source_anchor,
    text_lines,
    verdict_class,
)

__all__ = [
    "CardRenderer",
    "CardRequest",
    "ResultCards",
    "claim_chips",
    "entry_body",
    "no_cards",
    "no_claim_card",
    "render_card",
]


@dataclass(frozen=True, slots=True)
class CardRequest:
    """One place on a page where a result card may go."""

    graph: Graph
    """The whole linked graph."""
    page: GraphPage
    """The page being rendered."""
    block: NoteBlock
    """The block the card goes under."""
    claims: tuple[ClaimSite, ...]
    """The claims in effect for the block: its own, else its nearest ancestor's
    (empty for an annotation with no claim on it or above it)."""
    inherited: bool
    """Whether :attr:`claims` are an ancestor's rather than the block's own."""

    @property
    def src_uri(self) -> str:
        """The page's path in the site, to make relative links from."""
        return self.page.src_uri


class CardRenderer(Protocol):
    """Markdown for the card under one block ("" for none)."""

    def __call__(self, request: CardRequest, /) -> str: ...


def no_cards(request: CardRequest, /) -> str:
    """Render no card anywhere."""
    return ""


def claim_chips(request: CardRequest, /) -> str:
    """Name the block's own claims, as a line of chips (no results shown).

    Inherited claims are not repeated under annotations: the chips above them,
    on the block that makes the claim, already say it.
    """
    if request.inherited or not request.claims:
        return ""
    chips = " ".join(
        f'<span class="ng-claim" title="claim id">{escape_text(site.claim_id)}</span>'
        for site in request.claims
    )
    return f'<p class="ng-claims">Claim: {chips}</p>'


# --- result cards ---------------------------------------------------------------------

_HEADER_SUMMARY_MAX = 70
"""Summaries longer than this are repeated in full inside the card (the
collapsed line cuts them with an ellipsis)."""


@dataclass(frozen=True, slots=True)
class ResultCards:
    """The card renderer of the site: each block's claims with their results.

    An annotation with no claim on it or above it gets a "not measured" card
    saying that no claim is linked, so every annotation shows where it stands.
    """

    index: ResultsIndex
    """Claims, experiments and results, gathered before rendering."""

    def __call__(self, request: CardRequest, /) -> str:
        if not request.claims:
            return no_claim_card() if request.block.role == "annotation" else ""
        made_by = request.claims[0].block if request.inherited else None
        # One card per claim: a block that makes two claims shows two one-line
        # verdicts, each readable alone; tabs are for one claim's several experiments.
        cards = [
            render_card(
                self.index.for_claims([site.claim_id]),
                index=self.index,
                src_uri=request.src_uri,
                made_by=made_by,
            )
            for site in request.claims
        ]
        return "\n".join(cards)


def no_claim_card() -> str:
    """The card of an annotation that no claim covers."""
    title = badge("not measured") + " " + _line("no claim is linked to this annotation")
    body = [
        "Neither this annotation nor a block above it names a claim, so no experiment "
        "checks it. To check it, add `claim:: some-id` to the annotation (or to the "
        "highlight it comments on) and write an experiment marked "
        '`@pytest.mark.claim("some-id")` under `examples/`.',
        "{: .ng-problem }",
    ]
    return "\n".join([f'??? ng-card ng-not-measured ng-no-claim "{title}"', "", *_indent(body)])


def render_card(
    entries: Sequence[Evidence],
    *,
    index: ResultsIndex,
    src_uri: str,
    made_by: NoteBlock | None = None,
) -> str:
    """The Markdown of one result card.

    Args:
        entries: The evidence to show (one per claim and experiment instance).
        index: The results index (plots, experiment pages).
        src_uri: The page the card goes on.
        made_by: For an annotation that inherits its claims, the block that makes them.
    """
    overall = claim_verdict(entries)
    classes = ["ng-card", verdict_class(overall)]
    if made_by is not None:
        classes.append("ng-inherited")
    single = len(entries) == 1
    title = _single_title(entries[0]) if single else _multi_title(entries)
    out = [f'??? {" ".join(classes)} "{one_line(title)}"', ""]
    if single:
        ev = entries[0]
        summary = ev.latest.summary if ev.latest is not None else ""
        body = entry_body(
            ev,
            index=index,
            src_uri=src_uri,
            made_by=made_by,
            with_summary=len(summary) > _HEADER_SUMMARY_MAX,
        )
        out += _indent(body)
        return "\n".join(out).rstrip() + "\n"
    for ev in entries:
        label = _tab_label(ev, entries)
        out += [f'    === "{one_line(label)}"', ""]
        body = entry_body(ev, index=index, src_uri=src_uri, made_by=made_by, with_summary=True)
        out += _indent(body, 8)
    return "\n".join(out).rstrip() + "\n"


def _indent(lines: list[str], width: int = 4) -> list[str]:
    # Every line, also of an item that holds several: all of it stays in the card.
    pad = " " * width
    return [pad + line if line.strip() else "" for item in lines for line in item.split("\n")]


def _line(text: str) -> str:
    return f"<span class='ng-line'>{escape_plain(text)}</span>"


def _single_title(ev: Evidence) -> str:
    verdict = ev.verdict
    latest = ev.latest
    if latest is None:
        if not ev.node_id:
            return badge(verdict) + " " + _line(f"no experiment checks {ev.claim_id} yet")
        if ev.problems:
            return badge(verdict) + " " + _line("its results file cannot be read")
        return badge(verdict) + " " + _line(f"{ev.label} has not been run yet")
    if verdict == "broken":
        first = latest.message.strip().splitlines()[0] if latest.message.strip() else "error"
        return badge(verdict) + " " + _line(first)
    text = latest.summary or latest.message or VERDICT_WORDS[verdict]
    if verdict == "stale":
        was = VERDICT_WORDS[latest.verdict].lower()
        return badge(verdict) + f" <span class='ng-was'>was {was}</span> " + _line(text)
    if not latest.as_declared:
        text += f" (declared {latest.expected})"
    return badge(verdict) + " " + _line(text)


def _multi_title(entries: Sequence[Evidence]) -> str:
    counts: dict[ShownVerdict, int] = {}
    for ev in entries:
        counts[ev.verdict] = counts.get(ev.verdict, 0) + 1
    claims = list(dict.fromkeys(ev.claim_id for ev in entries))
    what = f"{len(claims)} claims" if len(claims) > 1 else f"{len(entries)} experiments"
    if len(counts) == 1:
        (verdict,) = counts
        first = next((ev.latest.summary for ev in entries if ev.latest and ev.latest.summary), "")
        text = f"{what}, all {VERDICT_WORDS[verdict].lower()}" + (f": {first}; …" if first else "")
        return badge(verdict) + " " + _line(text)
    chips = " ".join(badge(v, f"{VERDICT_WORDS[v]} {TIMES}{n}") for v, n in counts.items())
    return chips + " " + _line(what)


def _tab_label(ev: Evidence, entries: Sequence[Evidence]) -> str:
    claims = {e.claim_id for e in entries}
    same_claim = [e for e in entries if e.claim_id == ev.claim_id]
    parts = []
    if len(claims) > 1:
        parts.append(ev.claim_id)
    if len(same_claim) > 1 or len(claims) == 1:
        functions = {e.function for e in same_claim}
        parts.append(ev.params if len(functions) == 1 and ev.params else ev.label or "—")
    label = " · ".join(p for p in parts if p)
    return escape_plain(f"{label} · {VERDICT_WORDS[ev.verdict].lower()}")


def entry_body(
    ev: Evidence,
    *,
    index: ResultsIndex,
    src_uri: str,
    made_by: NoteBlock | None = None,
    with_summary: bool = True,
    about: bool = True,
    doc: bool = True,
) -> list[str]:
    """The Markdown of one claim's evidence from one experiment instance: what it
    checks and where (``about``), what is wrong, the measurement (or the error
    and the last good measurement), the docstring (``doc``) and provenance.

    Args:
        ev: The evidence.
        index: The results index (plots, experiment pages).
        src_uri: The page the Markdown goes on.
        made_by: For inherited claims, the block that makes them.
        with_summary: Repeat the one-line summary (it is in the card's title otherwise).
        about: Start with the claim, experiment and source links.
        doc: Include the experiment's docstring.
    """
    out = _about_lines(ev, index=index, src_uri=src_uri, made_by=made_by) if about else []
    docs = doc_lines(ev.doc) if doc else []
    for problem in ev.problems:
        first, *rest = text_lines(problem, render=code_spans)
        out += [f"**Problem:** {first}", *rest, "{: .ng-problem }", ""]
    rec = ev.record
    if rec is None or ev.result is None:
        if not ev.node_id:
            out += [
                f"**Not measured:** no experiment checks this claim yet. Write a test marked "
                f'`@pytest.mark.claim("{ev.claim_id}")` under `examples/`, then run '
                "`notegen run`.",
                "{: .ng-problem }",
                "",
            ]
        else:
            out += [
                "**Not measured:** this experiment has no readable result yet; run "
                "`notegen run` (or `pytest examples/`) to measure it.",
                "{: .ng-problem }",
                "",
            ]
        out += docs
        return out
    latest = rec.latest
    if ev.result.stale:
        why = escape_plain(one_line(ev.result.why_stale()))
        out += [
            f"**Stale:** {why} since this was measured; the "
            "numbers below describe the code as it was. Run `notegen run` to re-measure.",
            "{: .ng-warn }",
            "",
        ]
    if latest.verdict == "broken":
        out += [
            f"**The latest run is broken** ({escape_plain(format_started(latest.started))}).",
            "",
        ]
        out += error_lines(latest.message, latest.location)
        out += provenance_line(latest)
        good = ev.last_good
        if good is not None:
            out += [
                f"**Last good measurement:** {VERDICT_WORDS[good.verdict].lower()}, as declared.",
                "{: .ng-last-good }",
                "",
            ]
            out += measurement_lines(good, ev=ev, index=index, src_uri=src_uri)
        else:
            out += ["*No earlier run measured what the note declares.*", ""]
        out += docs
        return out
    if not latest.as_declared:
        out += [
            f"**Measured {latest.verdict}, declared {latest.expected}:** `pytest examples/` "
            "fails on this experiment until the claim in the note or the experiment changes.",
            "{: .ng-warn }",
            "",
        ]
    elif latest.verdict != "supported":
        out += [
            f"The knowledge base declares this claim {latest.expected}; the measurement agrees.",
            "",
        ]
    out += measurement_lines(
        latest,
        ev=ev,
        index=index,
        src_uri=src_uri,
        with_summary=with_summary,
        provenance=False,
    )
    out += docs
    out += provenance_line(latest)
    good = ev.last_good
    if good is not None:
        out += [
            f"**Last measurement as declared:** {VERDICT_WORDS[good.verdict].lower()}.",
            "{: .ng-last-good }",
            "",
        ]
        out += measurement_lines(good, ev=ev, index=index, src_uri=src_uri)
    return out


def _about_lines(
    ev: Evidence, *, index: ResultsIndex, src_uri: str, made_by: NoteBlock | None
) -> list[str]:
    parts = [f"**Claim** `{ev.claim_id}`"]
    if made_by is not None:
        parts[0] += f" (made by [the block above](#{made_by.anchor}))"
    page = index.experiment_page(ev.source_path)
    if ev.node_id:
        label = escape_plain(ev.label)
        if page is not None:
            parts.append(
                "**Experiment** " + link_to(label, page, src_uri, experiment_anchor(ev.function))
            )
        else:
            parts.append(f"**Experiment** {label}")
        if ev.source_path:
            where = escape_plain(f"{ev.source_path}:{ev.source_line or 1}")
            if page is not None and ev.source_line:
                parts.append(
                    "**Source** " + link_to(where, page, src_uri, source_anchor(ev.source_line))
                )
            else:
                parts.append(f"**Source** {where}")
    if ev.expected:
        parts.append(f"**declared** {ev.expected}")
    return [" · ".join(parts), "{: .ng-about }", ""]
