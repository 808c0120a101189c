"""Parse stage: Logseq file-graph Markdown -> :class:`Page` block trees.

Logseq's own parser (mldoc) is the reference for how blocks are formed; see
``tests/parse/`` for the cases and the comparison against it.

Entry points: :func:`read_page` (a file; never raises for a bad file, see its
docstring), :func:`parse_page` (bytes or text), and :func:`set_block_property`
(a page's bytes with one block property added or replaced).
"""

from __future__ import annotations

from notegen.parse.edit import set_block_property
from notegen.parse.page import normalize_key, parse_page, read_page
from notegen.parse.types import Block, Page, Property, Ref

__all__ = [
    "Block",
    "Page",
    "Property",
    "Ref",
    "normalize_key",
    "parse_page",
    "read_page",
    "set_block_property",
]
