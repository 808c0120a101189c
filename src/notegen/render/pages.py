"""Graph -> the Markdown of every generated page.

Each page is YAML front matter (written with a YAML library, tags as a list)
followed by notegen's own Markdown: the note's text goes through
:mod:`notegen.render.inline`, never raw. Blocks become ``<div ... markdown>``
elements (``md_in_html``), so each has an anchor and a class, and result cards
(:mod:`notegen.render.cards`) can hold any Markdown.
"""

from __future__ import annotations

import datetime as dt
import html
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml

from notegen.link.graph import Backlink, Graph, GraphPage
from notegen.model import Note, NoteBlock
from notegen.render.cards import CardRenderer, CardRequest, claim_chips
from notegen.render.inline import (
    LinkResolver,
    escape_plain,
    markdown_link,
    plain_text,
    render_block_text,
    render_inline,
    safe_url,
)

__all__ = [
    "HIDDEN_BLOCK_PROPERTIES",
    "SiteLinks",
    "front_matter",
    "render_home",
    "render_missing_page",
    "render_note_page",
    "render_tags_index",
]

HIDDEN_BLOCK_PROPERTIES = frozenset(
    {"id", "collapsed", "claim", "heading", "background-color", "hl-page", "hl-type", "ls-type"}
)
"""Block properties Logseq itself does not show (or notegen shows otherwise)."""

TAGS_DIRECTIVE = "<!-- material/tags -->"
"""Where Material's tags plugin (9.6+) puts its tag listing."""


def relative_uri(target: str, src_uri: str) -> str:
    """``target`` (a path in the site) relative to the page at ``src_uri``."""
    return posixpath.relpath(target, posixpath.dirname(src_uri) or ".")


@dataclass(frozen=True, slots=True)
class SiteLinks:
    """A :class:`~notegen.render.inline.LinkResolver` for one page of the site."""

    graph: Graph
    """The linked graph."""
    src_uri: str
    """The page being rendered."""
    assets: Mapping[str, str]
    """Graph asset name (``x.png`` for ``../assets/x.png``) -> its path in the site."""

    def page_url(self, name: str) -> str | None:
        page = self.graph.resolve(name)
        return relative_uri(page.src_uri, self.src_uri) if page is not None else None

    def block_link(self, uuid: str) -> tuple[str, str] | None:
        site = self.graph.blocks.get(uuid.strip().lower())
        if site is None:
            return None
        page = self.graph.pages[site.page]
        url = relative_uri(page.src_uri, self.src_uri) + "#" + site.block.anchor
        return url, excerpt(site.block.text, 80)

    def asset_url(self, path: str) -> str | None:
        parts = [p for p in path.split("/") if p not in ("", ".", "..")]
        if len(parts) < 2 or parts[0] != "assets":
            return None
        target = self.assets.get("/".join(parts[1:]))
        return relative_uri(target, self.src_uri) if target is not None else None


def excerpt(text: str, limit: int) -> str:
    """The words of a block's Markdown (:func:`plain_text`), cut to ``limit`` characters."""
    return shorten(plain_text(text), limit)


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def front_matter(title: str, *, tags: Sequence[str] = (), hide: Sequence[str] = ()) -> str:
    """YAML front matter for MkDocs (``---`` fenced), written by a YAML library.

    MkDocs and Material treat a page's title and its tags as HTML: the title goes
    as it is into ``<title>``, the header, the navigation and the search index (a
    title MkDocs takes from a page's ``# heading`` is HTML too), each tag into its
    chip, the tags index and the search results. So both are HTML-escaped here,
    and a ``<script>`` in a note's title or tag shows as text.

    Args:
        title: The page's title, plain text.
        tags: The page's tags (for Material's tags plugin), plain text.
        hide: Parts of the page Material should hide (``toc``, ``navigation``).
    """
    meta: dict[str, Any] = {"title": html_text(title)}
    if tags:
        meta["tags"] = [html_text(tag) for tag in tags]
    if hide:
        meta["hide"] = list(hide)
    body = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{body}---\n"


def html_text(text: str) -> str:
    """Plain text as HTML text (``&``, ``<`` and ``>`` escaped; quotes kept, as
    Markdown keeps them in a heading)."""
    return html.escape(text, quote=False)


def format_date(value: dt.date | dt.datetime | None) -> str:
    """A note's date as shown on the site (``2022-05-19 07:14``)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _source_label(url: str) -> str:
    parts = urlsplit(url)
    label = (parts.netloc.removeprefix("www.") + parts.path).rstrip("/") or url
    return label if len(label) <= 60 else label[:59] + "…"


def _source_link(url: str | None) -> str:
    if not url:
        return ""
    safe = safe_url(url)
    label = escape_plain(_source_label(url) if safe else url)
    return markdown_link(label, url) if safe else label


# --- note pages ---------------------------------------------------------------


def render_note_page(
    graph: Graph,
    page: GraphPage,
    *,
    cards: CardRenderer = claim_chips,
    assets: Mapping[str, str] | None = None,
) -> str:
    """The Markdown of one note's page: title, source, date, tags, its blocks
    (highlights as quotes with their source links, annotations beneath them,
    cards under claims and annotations), then its backlinks.

    Args:
        graph: The linked graph.
        page: A page with a note (``note`` or ``journal``).
        cards: Markdown for the card under a block that carries a claim and
            under every annotation.
        assets: Graph asset name -> path in the site.
    """
    note = page.note
    if note is None:
        raise ValueError(f"page {page.name!r} has no note; use render_missing_page")
    links = SiteLinks(graph, page.src_uri, assets or {})
    out = [front_matter(note.title, tags=note.tags), f"# {escape_plain(note.title)}", ""]
    out += _note_facts(note, links)
    for block in note.blocks:
        out += _render_block(block, graph, page, links, cards)
    out += _backlinks_section(graph, page)
    return "\n".join(out).rstrip("\n") + "\n"


def _note_facts(note: Note, links: SiteLinks) -> list[str]:
    facts: list[tuple[str, str]] = []
    if note.source:
        facts.append(("Source", _source_link(note.source)))
    if note.date is not None:
        facts.append(("Date", format_date(note.date)))
    elif note.page.properties.get("date"):
        facts.append(("Date", escape_plain(note.page.properties["date"])))
    if note.tags:
        facts.append(("Tags", ", ".join(_page_link(name, links) for name in note.tags)))
    if note.aliases:
        facts.append(("Aliases", ", ".join(escape_plain(a) for a in note.aliases)))
    counts = f"{_count(len(note.highlights), 'highlight')} · "
    counts += _count(len(note.annotations), "annotation")
    facts.append(("Contents", counts))
    out = ['<div class="ng-facts" markdown>', ""]
    out += [f"- **{label}:** {value}" for label, value in facts]
    out += ["", "</div>", ""]
    return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _page_link(name: str, links: LinkResolver) -> str:
    url = links.page_url(name)
    label = escape_plain(name)
    return markdown_link(label, url, css_class="ng-page-ref") if url else label


def _render_block(
    block: NoteBlock, graph: Graph, page: GraphPage, links: SiteLinks, cards: CardRenderer
) -> list[str]:
    body: list[str] = []
    if block.role == "highlight":
        quote = render_block_text(block.text, links)
        body += [f"> {line}".rstrip() for line in quote.split("\n")] if quote else []
        if block.source_link is not None:
            link = block.source_link
            label = render_inline(link.label or "source", links, in_link=True)
            rendered = (
                markdown_link(label, link.url) if safe_url(link.url) else escape_plain(link.url)
            )
            body += ["", '<div class="ng-source" markdown>', "", rendered, "", "</div>"]
    else:
        # An annotation keeps its 📝, as the reader wrote it.
        text = block.block.content if block.role == "annotation" else block.text
        rendered_text = render_block_text(text, links)
        if rendered_text:
            body.append(rendered_text)
    body += _properties(block, links)
    claims = graph.claims_for(page.key, block)
    if block.claims or block.role == "annotation":
        card = cards(
            CardRequest(
                graph=graph,
                page=page,
                block=block,
                claims=claims,
                inherited=not block.claims and bool(claims),
            )
        )
        if card.strip():
            body += ["", card.strip("\n")]
    children: list[str] = []
    for child in block.children:
        children += _render_block(child, graph, page, links, cards)
    if not body and not children:
        return []
    out = [f'<div class="ng-block ng-{block.role}" id="{block.anchor}" markdown>', ""]
    out += body
    if children:
        out += ["", '<div class="ng-children" markdown>', "", *children, "</div>"]
    out += ["", "</div>", ""]
    return out


def _properties(block: NoteBlock, links: SiteLinks) -> list[str]:
    shown = [
        (key, value)
        for key, value in block.block.properties.items()
        if key not in HIDDEN_BLOCK_PROPERTIES and value
    ]
    if not shown:
        return []
    out = ["", '<div class="ng-properties" markdown>', ""]
    out += [f"- **{escape_plain(k)}:** {render_inline(v, links)}" for k, v in shown]
    out += ["", "</div>"]
    return out


# --- backlinks ------------------------------------------------------------------


def _backlinks_section(graph: Graph, page: GraphPage) -> list[str]:
    refs = graph.backlinks.get(page.key, ())
    tagged = _unique_pages(b.page for b in refs if b.block is None)
    by_page: dict[str, list[Backlink]] = {}
    for ref in refs:
        if ref.block is not None:
            by_page.setdefault(ref.page, []).append(ref)
    out: list[str] = []
    if tagged:
        out += [f"## Pages tagged with {escape_plain(page.name)}", ""]
        out += [
            "- "
            + markdown_link(
                escape_plain(graph.pages[k].name),
                relative_uri(graph.pages[k].src_uri, page.src_uri),
            )
            for k in tagged
        ]
        out.append("")
    out += ["## Linked references", ""]
    if not by_page:
        out += ['<p class="ng-empty">No block links here yet.</p>', ""]
        return out
    out += ['<div class="ng-backlinks" markdown>', ""]
    for key, page_refs in by_page.items():
        source = graph.pages[key]
        url = relative_uri(source.src_uri, page.src_uri)
        out.append(f"- {markdown_link(escape_plain(source.name), url)}")
        for ref in page_refs:
            assert ref.block is not None
            text = escape_plain(excerpt(ref.block.text, 160))
            jump = markdown_link("↗", f"{url}#{ref.block.anchor}", css_class="ng-jump")
            out.append(f"    - {text} {jump}")
    out += ["", "</div>", ""]
    return out


def _unique_pages(keys: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(keys))


# --- other pages ------------------------------------------------------------------


def render_missing_page(graph: Graph, page: GraphPage) -> str:
    """The page of a link target that has no file: what links to it, as Logseq shows."""
    out = [front_matter(page.name), f"# {escape_plain(page.name)}", ""]
    out += [
        '<p class="ng-missing">No note has this name yet: this page lists what links to it.</p>',
        "",
    ]
    out += _backlinks_section(graph, page)
    return "\n".join(out).rstrip("\n") + "\n"


def render_home(graph: Graph, *, title: str = "Reading notes", summary: Sequence[str] = ()) -> str:
    """The home page: every note with its source, date, tags and counts.

    Args:
        graph: The linked graph.
        title: The page's title.
        summary: Markdown lines put under the title (the knowledge base at a glance).
    """
    # The notes table needs the width: no table-of-contents column (the navigation stays).
    out = [front_matter(title, hide=["toc"]), f"# {escape_plain(title)}", "", *summary]
    notes = [(p, p.note) for p in graph.pages.values() if p.kind == "note" and p.note]
    journals = [p for p in graph.pages.values() if p.kind == "journal"]
    if not notes:
        out += ["No notes yet: add Logseq pages under the graph's `pages/` folder.", ""]
    else:
        links = SiteLinks(graph, "index.md", {})
        out += [
            '<div class="ng-notes-table" markdown>',
            "",
            "| Note | Source | Date | Tags | Highlights | Annotations |",
            "| --- | --- | --- | --- | ---: | ---: |",
        ]
        ordered = sorted(notes, key=lambda pn: (_sort_date(pn[1]), pn[1].title.lower()))
        for page, note in ordered:
            cells = [
                markdown_link(escape_plain(note.title), page.src_uri),
                _source_link(note.source),
                format_date(note.date),
                ", ".join(_page_link(t, links) for t in note.tags),
                str(len(note.highlights)),
                str(len(note.annotations)),
            ]
            out.append("| " + " | ".join(cells) + " |")
        out += ["", "</div>", ""]
    if journals:
        out += ["## Journals", ""]
        out += [f"- {markdown_link(escape_plain(p.name), p.src_uri)}" for p in journals]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _sort_date(note: Note) -> tuple[int, int]:
    # Newest first: sort on the negated ordinal; undated notes last.
    if note.date is None:
        return (1, 0)
    day = note.date.date() if isinstance(note.date, dt.datetime) else note.date
    return (0, -day.toordinal())


def render_tags_index(*, title: str = "Tags") -> str:
    """The page where Material's tags plugin lists every tag and its pages."""
    return "\n".join([front_matter(title), f"# {escape_plain(title)}", "", TAGS_DIRECTIVE, ""])
