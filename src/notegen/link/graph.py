"""Notes -> Graph: page names resolved as Logseq resolves them, backlinks, claim sites.

Everything is gathered before anything is emitted: the graph holds every page
(notes, journals and the pages that are only linked to), every reference
between them, and where every claim is made.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from notegen.diagnostics import Code, Diagnostic, SourceSpan
from notegen.link.load import load_notes
from notegen.link.names import name_from_file, page_key, slugify
from notegen.model import Note, NoteBlock

__all__ = [
    "Backlink",
    "BlockSite",
    "ClaimSite",
    "Graph",
    "GraphPage",
    "PageKind",
    "build_graph",
    "link_notes",
]

PageKind = Literal["note", "journal", "missing"]


@dataclass(frozen=True, slots=True)
class GraphPage:
    """One page of the site: a note, a journal, or a page that is only linked to."""

    key: str
    """The page name as Logseq compares it (see :func:`~notegen.link.names.page_key`)."""
    name: str
    """The name to show: the note's title, or the first spelling a link used."""
    kind: PageKind
    """``note``, ``journal`` or ``missing`` (linked to, but no file)."""
    src_uri: str
    """The generated Markdown file's path in the site, e.g. ``notes/embedding.md``."""
    note: Note | None = None
    """The note, for ``note`` and ``journal`` pages."""


@dataclass(frozen=True, slots=True)
class BlockSite:
    """A block and the page it is on."""

    page: str
    """The page's key."""
    block: NoteBlock
    """The block."""


@dataclass(frozen=True, slots=True)
class Backlink:
    """A reference to a page from a block (or from another page's properties)."""

    page: str
    """Key of the page that holds the reference."""
    block: NoteBlock | None
    """The referring block; ``None`` when the reference is a page property (``tags::``)."""
    span: SourceSpan
    """Where the reference is written."""


@dataclass(frozen=True, slots=True)
class ClaimSite:
    """Where a claim is made."""

    claim_id: str
    """The claim id."""
    page: str
    """Key of the note's page (for a note whose page name an earlier note took,
    that page: the note itself is not shown)."""
    block: NoteBlock
    """The block whose ``claim::`` names the claim."""
    span: SourceSpan
    """The ``claim::`` line."""


@dataclass(frozen=True, slots=True)
class Graph:
    """All pages of a Logseq graph, linked."""

    pages: Mapping[str, GraphPage]
    """Every page by key: notes and journals in file order, then missing pages by name."""
    names: Mapping[str, str]
    """Every name a page answers to (title, alias, file name; compared lower-cased) -> page key."""
    backlinks: Mapping[str, tuple[Backlink, ...]]
    """Page key -> the references to it from other pages, in file order."""
    claims: Mapping[str, ClaimSite]
    """Claim id -> where it is made (the first place, when an id is wrongly used twice)."""
    blocks: Mapping[str, BlockSite]
    """Block uuid (its ``id::``) -> the block, for ``((uuid))`` references."""
    claims_in_effect: Mapping[tuple[str, int], tuple[ClaimSite, ...]]
    """(page key, block's first line) -> the claims shown under that block: its own,
    else its nearest ancestor's (see :meth:`claims_for`)."""
    diagnostics: tuple[Diagnostic, ...]
    """Problems of the graph as a whole (files not read, duplicate claims and page
    names, unknown block references), then every note's own."""

    def resolve(self, name: str) -> GraphPage | None:
        """The page a ``[[name]]`` link leads to (case-insensitive), if any."""
        key = self.names.get(page_key(name))
        return self.pages[key] if key is not None else None

    @property
    def notes(self) -> tuple[GraphPage, ...]:
        """The pages that have a file (notes and journals), in file order."""
        return tuple(p for p in self.pages.values() if p.note is not None)

    def note_pages(self) -> Iterator[tuple[GraphPage, Note]]:
        """Each page with a file together with its note."""
        for page in self.pages.values():
            if page.note is not None:
                yield page, page.note

    def claims_for(self, page: str, block: NoteBlock) -> tuple[ClaimSite, ...]:
        """The claims whose results belong under ``block``: its own claims, else
        (for any block, an annotation in particular) its nearest ancestor's."""
        return self.claims_in_effect.get((page, block.span.line_start), ())


def build_graph(notes_dir: Path, root: Path) -> Graph:
    """Read, model and link every note of the graph at ``notes_dir``.

    Args:
        notes_dir: The Logseq graph folder.
        root: The project root; paths in diagnostics are relative to it.
    """
    loaded = load_notes(notes_dir, root)
    return link_notes(loaded.notes, extra_diagnostics=loaded.diagnostics)


def link_notes(notes: Sequence[Note], *, extra_diagnostics: Iterable[Diagnostic] = ()) -> Graph:
    """Link modelled notes into a graph.

    Page names resolve by ``title::`` first, then ``alias::``, then the name in
    the file name, case-insensitively, as Logseq resolves them.

    Args:
        notes: The notes, in file order.
        extra_diagnostics: Problems met before linking (files that could not be read).

    Returns:
        The graph; problems found while linking are in its ``diagnostics``.
    """
    diagnostics: list[Diagnostic] = list(extra_diagnostics)
    pages: dict[str, GraphPage] = {}
    names: dict[str, str] = {}
    slugs: set[str] = set()

    # 1. Every note is a page, known by its title (title:: or the file's name).
    # A second note with a taken name gets no page of its own, but everything
    # in it is still checked: its diagnostics, its claims, its block refs.
    hidden: list[tuple[str, Note]] = []
    for note in notes:
        key = page_key(note.title)
        if key in pages:
            other = pages[key].note
            assert other is not None
            hidden.append((key, note))
            for here, there in ((note, other), (other, note)):
                diagnostics.append(
                    Diagnostic(
                        SourceSpan(here.path, 1, 1),
                        Code.DUPLICATE_PAGE,
                        f"page name {note.title!r} is also the name of {there.path}; "
                        "Logseq shows one page for both: rename one (title:: or file name)",
                    )
                )
            continue
        folder = "journals" if note.journal else "notes"
        pages[key] = GraphPage(
            key=key,
            name=note.title,
            kind="journal" if note.journal else "note",
            src_uri=_unique_uri(folder, note.title, slugs),
            note=note,
        )
        names[key] = key
    # 2. Aliases, where no title took the name; 3. file names, likewise.
    for note in notes:
        key = page_key(note.title)
        if pages.get(key) is None or pages[key].note is not note:
            continue
        for alias in note.aliases:
            names.setdefault(page_key(alias), key)
    for note in notes:
        key = page_key(note.title)
        if pages.get(key) is None or pages[key].note is not note:
            continue
        stem = Path(note.path).name.rsplit(".", 1)[0]
        names.setdefault(page_key(name_from_file(stem)), key)

    # Blocks by uuid, claims in effect, claim sites.
    blocks: dict[str, BlockSite] = {}
    claim_sites: dict[str, list[ClaimSite]] = defaultdict(list)
    in_effect: dict[tuple[str, int], tuple[ClaimSite, ...]] = {}
    for page in list(pages.values()):
        if page.note is None:
            continue
        for top in page.note.blocks:
            _walk_claims(page.key, top, blocks, claim_sites, in_effect)
    for key, note in hidden:
        # Not shown, so nothing of it is in effect on the page that took its name.
        for top in note.blocks:
            _walk_claims(key, top, blocks, claim_sites, {})

    # References -> backlinks, missing pages.
    backlinks: dict[str, list[Backlink]] = defaultdict(list)

    def target(name: str) -> str:
        key = page_key(name)
        if key not in names:
            pages[key] = GraphPage(
                key=key,
                name=name.strip(),
                kind="missing",
                src_uri=_unique_uri("pages", name, slugs),
            )
            names[key] = key
        return names[key]

    for page in list(pages.values()):
        if page.note is None:
            continue
        note = page.note
        tag_line = next((p.line for p in note.page.property_list if p.key == "tags"), 1)
        for tag in note.tags:
            dest = target(tag)
            if dest != page.key:
                backlinks[dest].append(
                    Backlink(page.key, None, SourceSpan(note.path, tag_line, tag_line))
                )
        for block in note.walk():
            seen: set[str] = set()
            for ref in block.block.refs:
                if ref.kind == "block":
                    continue
                dest = target(ref.target)
                if dest != page.key and dest not in seen:
                    seen.add(dest)
                    span = SourceSpan(note.path, ref.line, ref.line)
                    backlinks[dest].append(Backlink(page.key, block, span))
    # Every note, shown or not (a note whose page name is taken is still checked).
    for note in notes:
        _check_block_refs(note, blocks, diagnostics)

    # Claim ids are unique in the graph: report every place of a duplicate.
    claims: dict[str, ClaimSite] = {}
    for claim_id, sites in claim_sites.items():
        claims[claim_id] = sites[0]
        if len(sites) > 1:
            for site in sites:
                others = ", ".join(str(s.span) for s in sites if s is not site)
                diagnostics.append(
                    Diagnostic(
                        site.span,
                        Code.DUPLICATE_CLAIM,
                        f"claim id {claim_id!r} is also used at {others}; a claim id names one "
                        "block in the graph: rename one of them",
                    )
                )

    for note in notes:
        diagnostics.extend(note.diagnostics)
    # Missing pages sort by name after the notes, so the site's order is stable.
    ordered = {k: p for k, p in pages.items() if p.kind != "missing"}
    ordered.update(
        sorted(((k, p) for k, p in pages.items() if p.kind == "missing"), key=lambda kp: kp[0])
    )
    return Graph(
        pages=ordered,
        names=names,
        backlinks={k: tuple(v) for k, v in backlinks.items()},
        claims=claims,
        blocks=blocks,
        claims_in_effect=in_effect,
        diagnostics=tuple(diagnostics),
    )


def _check_block_refs(note: Note, blocks: Mapping[str, BlockSite], out: list[Diagnostic]) -> None:
    """An ``unknown-block-ref`` warning for each ``((uuid))`` that names no block."""
    for block in note.walk():
        for ref in block.block.refs:
            if ref.kind == "block" and ref.target.strip().lower() not in blocks:
                out.append(
                    Diagnostic(
                        SourceSpan(note.path, ref.line, ref.line),
                        Code.UNKNOWN_BLOCK_REF,
                        f"block reference (({ref.target})) names no block in the graph; "
                        "copy the reference again in Logseq (it adds id:: to the block)",
                    )
                )


def _walk_claims(
    page: str,
    top: NoteBlock,
    blocks: dict[str, BlockSite],
    claim_sites: dict[str, list[ClaimSite]],
    in_effect: dict[tuple[str, int], tuple[ClaimSite, ...]],
) -> None:
    """Register the block ids and claims of ``top`` and its descendants, and
    the claims in effect under each (without recursion: notes nest deep)."""
    stack: list[tuple[NoteBlock, tuple[ClaimSite, ...]]] = [(top, ())]
    while stack:
        block, inherited = stack.pop()
        uuid = block.block.uuid
        if uuid:
            blocks.setdefault(uuid.strip().lower(), BlockSite(page, block))
        own = tuple(ClaimSite(c.id, page, block, c.span) for c in block.claims)
        for site in own:
            claim_sites[site.claim_id].append(site)
        current = own or inherited
        if current:
            in_effect[(page, block.span.line_start)] = current
        stack.extend((child, current) for child in reversed(block.children))


def _unique_uri(folder: str, name: str, taken: set[str]) -> str:
    slug = slugify(name)
    if slug == "index" or slug.endswith("/index"):
        slug += "-page"
    candidate, n = slug, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{slug}-{n}"
    taken.add(candidate.lower())
    return f"{folder}/{candidate}.md"
