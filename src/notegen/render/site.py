"""Graph -> every generated page of the site, gathered before any is written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from notegen.link.graph import Graph
from notegen.render.cards import CardRenderer, claim_chips
from notegen.render.pages import (
    render_home,
    render_missing_page,
    render_note_page,
    render_tags_index,
)

__all__ = ["HOME_URI", "TAGS_URI", "RenderedPage", "render_site"]

HOME_URI = "index.md"
TAGS_URI = "tags.md"


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """One generated Markdown page."""

    src_uri: str
    """Its path in the site (as if it were in ``docs_dir``)."""
    title: str
    """Its title (also in its front matter)."""
    markdown: str
    """The page: YAML front matter and notegen's Markdown."""
    kind: str
    """``home``, ``tags``, ``note``, ``journal`` or ``missing``."""


def render_site(
    graph: Graph,
    *,
    cards: CardRenderer = claim_chips,
    assets: Mapping[str, str] | None = None,
    tags_index: bool = True,
    home_title: str = "Reading notes",
) -> tuple[RenderedPage, ...]:
    """Every page of the site: home, one per note and journal, one per link
    target without a file, and the tags index.

    Args:
        graph: The linked graph.
        cards: Markdown for the card under each claim-carrying block and annotation.
        assets: Graph asset name -> path in the site.
        tags_index: Whether to add the tags index page (needs Material's tags plugin).
        home_title: The home page's title.
    """
    pages = [RenderedPage(HOME_URI, home_title, render_home(graph, title=home_title), "home")]
    for page in graph.pages.values():
        if page.note is not None:
            markdown = render_note_page(graph, page, cards=cards, assets=assets)
        else:
            markdown = render_missing_page(graph, page)
        pages.append(RenderedPage(page.src_uri, page.name, markdown, page.kind))
    if tags_index:
        pages.append(RenderedPage(TAGS_URI, "Tags", render_tags_index(), "tags"))
    return tuple(pages)
