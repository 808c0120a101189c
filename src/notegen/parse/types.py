"""Typed output of the parse stage: a Logseq page as a lossless block tree."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from notegen.diagnostics import Diagnostic, SourceSpan

RefKind = Literal["page", "tag", "block"]
BlockKind = Literal["bullet", "preamble", "heading"]


@dataclass(frozen=True, slots=True)
class Property:
    """One ``key:: value`` line (or one YAML front-matter entry)."""

    key: str
    """Normalised as Logseq does: lower-cased, ``_`` and spaces turned into ``-``."""
    value: str
    """The raw value, trimmed; an empty value is kept as ``""``."""
    line: int
    """1-based line of the property in its file."""


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference written inside a block's content."""

    kind: RefKind
    """``page`` for ``[[x]]``, ``tag`` for ``#x`` / ``#[[x y]]``, ``block`` for ``((uuid))``."""
    target: str
    """Page name exactly as written (no case folding), or the block uuid."""
    line: int
    """1-based line of the reference in its file."""


@dataclass(frozen=True, slots=True)
class Block:
    """One Logseq block: its own text, properties and children."""

    content: str
    """Text without the bullet, without property lines, continuation indentation
    removed; lines joined with ``\\n``; no trailing newline."""
    properties: dict[str, str]
    """Normalised key -> raw value, from the block's first property group; last duplicate wins."""
    property_list: tuple[Property, ...]
    """The same properties in file order, with lines (duplicates kept)."""
    children: tuple[Block, ...]
    """Child blocks in file order."""
    span: SourceSpan
    """The lines of this block's own text (bullet line to the line before the next block)."""
    raw: str
    """The exact source text of ``span`` (line endings included), so pages round-trip.
    Bytes that are not UTF-8 are kept here as surrogate escapes (``errors="surrogateescape"``);
    ``content`` and the rest show them as U+FFFD."""
    level: int
    """Indentation of the bullet in characters (each tab or space counts one); 0 at top level."""
    refs: tuple[Ref, ...] = ()
    """Page, tag and block references in ``content`` and property values, in order."""
    kind: BlockKind = "bullet"
    """``bullet`` for ``- x``, ``preamble`` for text before the first bullet,
    ``heading`` for a bare ``# x``."""
    content_lines: tuple[int, ...] = ()
    """The file line of each line of ``content`` (property lines, which
    ``content`` leaves out, make gaps); see :meth:`content_line`."""

    def content_line(self, index: int) -> int:
        """The 1-based file line of line ``index`` (0-based) of ``content``."""
        if 0 <= index < len(self.content_lines):
            return self.content_lines[index]
        return self.span.line_start + index  # a block built by hand, without content_lines

    @property
    def uuid(self) -> str | None:
        """The block's ``id::`` property, the target of ``((uuid))`` references."""
        return self.properties.get("id")

    def walk(self) -> Iterator[Block]:
        """This block and all its descendants, in file order."""
        stack = [self]  # no recursion: pages may nest hundreds of levels deep
        while stack:
            block = stack.pop()
            yield block
            stack.extend(reversed(block.children))


@dataclass(frozen=True, slots=True)
class Page:
    """One parsed Logseq page file."""

    path: str
    """The file's path as the user would type it."""
    properties: dict[str, str]
    """Page properties (first property lines or YAML front matter), normalised keys, raw values."""
    property_list: tuple[Property, ...]
    """The same page properties in file order, with lines."""
    blocks: tuple[Block, ...]
    """Top-level blocks in file order."""
    front: str = ""
    """Source text before the first block that belongs to no block (page properties,
    front matter, blank lines). Empty when the pre-bullet text is itself a block."""
    bom: bool = False
    """Whether the file started with a UTF-8 byte-order mark."""
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    """Warnings (and errors) found while parsing."""
    refs: tuple[Ref, ...] = ()
    """Page and tag references in the page properties' values (``tags:: [[a]], b``)."""

    def walk(self) -> Iterator[Block]:
        """Every block of the page, in file order (pre-order)."""
        for block in self.blocks:
            yield from block.walk()

    def serialize(self) -> bytes:
        """The page's file bytes, exactly as read (the parser is lossless)."""
        text = self.front + "".join(block.raw for block in self.walk())
        return ("\ufeff" + text if self.bom else text).encode("utf-8", errors="surrogateescape")
