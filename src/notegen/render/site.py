"""Graph -> every generated page of the site, gathered before any is written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from notegen.link.graph import Graph
from notegen.render.cards import CardRenderer, claim_chips
from notegen.render.evidence import ResultsIndex
from notegen.render.pages import (
    render_home,
    render_missing_page,
    render_note_page,
    render_tags_index,
)
from notegen.render.results_pages import (
    CLAIMS_URI,
    render_claims_page,
    render_experiment_page,
    results_summary,
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
    """``home``, ``tags``, ``note``, ``journal``, ``missing``, ``claims`` or ``experiment``."""


def render_site(
    graph: Graph,
    *,
    cards: CardRenderer = claim_chips,
    assets: Mapping[str, str] | None = None,
    tags_index: bool = True,
    home_title: str = "Reading notes",
    results: ResultsIndex | None = None,
) -> tuple[RenderedPage, ...]:
    """Every page of the site: home, one per note and journal, one per link
    target without a file, and the tags index.

    Args:
        graph: The linked graph.
        cards: Markdown for the card under each claim-carrying block and annotation.
        assets: Graph asset name -> path in the site.
        tags_index: Whether to add the tags index page (needs Material's tags plugin).
        home_title: The home page's title.
        results: Claims, experiments and results: when given, the home page
            summarises them and the claims page and a page per experiment file
            are added.
    """
    summary = results_summary(graph, results, src_uri=HOME_URI) if results is not None else []
    home = render_home(graph, title=home_title, summary=summary)
    pages = [RenderedPage(HOME_URI, home_title, home, "home")]
    if results is not None:
        claims = render_claims_page(graph, results)
        pages.append(RenderedPage(CLAIMS_URI, "Claims", claims, "claims"))
    for page in graph.pages.values():
        if page.note is not None:
            markdown = render_note_page(graph, page, cards=cards, assets=assets)
        else:
            markdown = render_missing_page(graph, page)
        pages.append(RenderedPage(page.src_uri, page.name, markdown, page.kind))
    if results is not None:
        for file in results.files.values():
            markdown = render_experiment_page(graph, results, file)
            title = file.path.rsplit("/", 1)[-1]
            pages.append(RenderedPage(file.src_uri, title, markdown, "experiment"))
    if tags_index:
        pages.append(RenderedPage(TAGS_URI, "Tags", render_tags_index(), "tags"))
    return tuple(pages)
