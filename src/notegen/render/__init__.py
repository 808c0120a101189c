"""Render stage: the linked graph -> Markdown pages handed to MkDocs.

``inline`` turns Logseq Markdown into safe Markdown; ``pages`` lays out each
page; ``cards`` is the seam where result cards go; ``site`` renders them all.
"""

from __future__ import annotations

from notegen.render.cards import CardRenderer, CardRequest, claim_chips, no_cards
from notegen.render.inline import LinkResolver, escape_text, render_block_text, render_inline
from notegen.render.pages import SiteLinks, front_matter
from notegen.render.site import HOME_URI, TAGS_URI, RenderedPage, render_site

__all__ = [
    "HOME_URI",
    "TAGS_URI",
    "CardRenderer",
    "CardRequest",
    "LinkResolver",
    "RenderedPage",
    "SiteLinks",
    "claim_chips",
    "escape_text",
    "front_matter",
    "no_cards",
    "render_block_text",
    "render_inline",
    "render_site",
]
