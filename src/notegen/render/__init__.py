"""Render stage: the linked graph -> Markdown pages handed to MkDocs.

``inline`` turns Logseq Markdown into safe Markdown; ``pages`` lays out each
page; ``cards`` is the seam where result cards go (``ResultCards`` shows what
was measured); ``evidence`` gathers claims, experiments and results before
rendering; ``measured`` formats verdicts, metrics, plots and provenance;
``results_pages`` lays out the claims page, the experiment pages and the home
page's summary; ``site`` renders them all.
"""

from __future__ import annotations

from notegen.render.cards import (
    CardRenderer,
    CardRequest,
    ResultCards,
    claim_chips,
    no_cards,
    render_card,
)
from notegen.render.evidence import (
    Evidence,
    ExperimentFile,
    ResultsIndex,
    ShownVerdict,
    claim_verdict,
    gather_results,
    load_results_index,
)
from notegen.render.inline import LinkResolver, escape_text, render_block_text, render_inline
from notegen.render.pages import SiteLinks, front_matter
from notegen.render.results_pages import CLAIMS_URI
from notegen.render.site import HOME_URI, TAGS_URI, RenderedPage, render_site

__all__ = [
    "CLAIMS_URI",
    "HOME_URI",
    "TAGS_URI",
    "CardRenderer",
    "CardRequest",
    "Evidence",
    "ExperimentFile",
    "LinkResolver",
    "RenderedPage",
    "ResultCards",
    "ResultsIndex",
    "ShownVerdict",
    "SiteLinks",
    "claim_chips",
    "claim_verdict",
    "escape_text",
    "front_matter",
    "gather_results",
    "load_results_index",
    "no_cards",
    "render_block_text",
    "render_card",
    "render_inline",
    "render_site",
]
