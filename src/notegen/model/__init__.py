"""Model stage: a parsed Logseq :class:`~notegen.parse.types.Page` read as a
reading :class:`Note` (highlights, annotations, typed page properties, claim ids).
"""

from __future__ import annotations

from notegen.model.build import ANNOTATION_MARK, build_note, split_source_link
from notegen.model.properties import parse_date, parse_page_list, parse_url
from notegen.model.types import BlockRole, Claim, Note, NoteBlock, SourceLink

__all__ = [
    "ANNOTATION_MARK",
    "BlockRole",
    "Claim",
    "Note",
    "NoteBlock",
    "SourceLink",
    "build_note",
    "parse_date",
    "parse_page_list",
    "parse_url",
    "split_source_link",
]
