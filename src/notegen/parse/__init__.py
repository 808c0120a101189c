"""Parse stage: Logseq file-graph Markdown -> :class:`Page` block trees.

Logseq's own parser (mldoc) is the reference for how blocks are formed; see
``tests/parse/`` for the cases and the comparison against it.
"""

from __future__ import annotations

from notegen.parse.types import Block, Page, Property, Ref

__all__ = ["Block", "Page", "Property", "Ref"]
