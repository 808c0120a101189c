"""Typed output of the model stage: a Logseq page read as a reading note.

A :class:`Note` is built from a parsed :class:`~notegen.parse.types.Page`. Its
blocks are :class:`Highlight` (a quote from the source), :class:`Annotation`
(the reader's own words, a block starting with 📝) or :class:`PlainBlock`
(anything else), each keeping the parse block it came from and its
:class:`~notegen.diagnostics.SourceSpan`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from notegen.diagnostics import Diagnostic, SourceSpan
from notegen.parse.types import Block, Page

BlockRole = Literal["highlight", "annotation", "plain"]


@dataclass(frozen=True, slots=True)
class Claim:
    """One claim id named by a block's ``claim::`` property."""

    id: str
    """The claim id as written (valid ids match ``[a-z0-9-]+``)."""
    span: SourceSpan
    """The ``claim::`` property line."""


@dataclass(frozen=True, slots=True)
class SourceLink:
    """The ``([label](url))`` a reader app appends to a highlight."""

    label: str
    """The link text as written, e.g. ``🌐 摘要链接``."""
    url: str
    """The whole URL, unbalanced parentheses and SimpRead's ``#:~:text=`` fragment included."""
    span: SourceSpan
    """The line the link is on."""

    @property
    def text_fragment(self) -> str | None:
        """The raw ``:~:text=`` directive of the URL (still percent-encoded), if any."""
        _, sep, directive = self.url.partition(":~:text=")
        return directive if sep else None


@dataclass(frozen=True, slots=True)
class NoteBlock:
    """One block of a note, typed by its role."""

    role: BlockRole
    """``highlight``, ``annotation`` or ``plain``."""
    text: str
    """The block's Markdown as Logseq shows it: for a highlight the quoted text
    (``> `` markers and the source link removed), for an annotation the text
    after 📝, else the content; ``:LOGBOOK:`` drawers left out (Logseq keeps
    them folded away; :attr:`block` keeps them)."""
    source_link: SourceLink | None
    """A highlight's trailing source link; ``None`` for other blocks."""
    claims: tuple[Claim, ...]
    """Claims named by this block's own ``claim::`` property, in the order written."""
    children: tuple[NoteBlock, ...]
    """Child blocks in file order."""
    block: Block
    """The parsed block this was built from (content, properties, refs, raw text)."""
    span: SourceSpan
    """Where the block is in its file."""

    @property
    def anchor(self) -> str:
        """The HTML id of the block on its note's page (stable while its line stays)."""
        return f"b{self.span.line_start}"

    @property
    def claim_ids(self) -> tuple[str, ...]:
        """The ids of :attr:`claims`."""
        return tuple(c.id for c in self.claims)

    def walk(self) -> Iterator[NoteBlock]:
        """This block and its descendants in file order."""
        stack = [self]  # no recursion: notes may nest hundreds of levels deep
        while stack:
            block = stack.pop()
            yield block
            stack.extend(reversed(block.children))


@dataclass(frozen=True, slots=True)
class Note:
    """A Logseq page read as a reading note, with typed page properties."""

    path: str
    """The page file's path as the user would type it."""
    title: str
    """The page name: the ``title::`` property, else the name Logseq derives from the file name."""
    source: str | None
    """The ``source::`` (or ``url::``) property: the page the highlights come from."""
    tags: tuple[str, ...]
    """Page names from ``tags::``, in the order written, duplicates removed."""
    aliases: tuple[str, ...]
    """Page names from ``alias::``."""
    date: dt.date | dt.datetime | None
    """The ``date::`` property, parsed; ``None`` when absent or in no known form."""
    blocks: tuple[NoteBlock, ...]
    """Top-level blocks in file order."""
    page: Page
    """The parsed page (raw properties, front matter, serialisation)."""
    span: SourceSpan
    """The whole file (first line to last)."""
    journal: bool = False
    """Whether the page is a journal (``journals/*.md``)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Problems found while reading this note (parser's and the model's)."""

    def walk(self) -> Iterator[NoteBlock]:
        """Every block of the note in file order (pre-order)."""
        for block in self.blocks:
            yield from block.walk()

    @property
    def highlights(self) -> tuple[NoteBlock, ...]:
        """Every highlight of the note, at any depth."""
        return tuple(b for b in self.walk() if b.role == "highlight")

    @property
    def annotations(self) -> tuple[NoteBlock, ...]:
        """Every annotation of the note, at any depth."""
        return tuple(b for b in self.walk() if b.role == "annotation")
