"""The one small exception tree of notegen.

Adapters (CLI, MkDocs plugin, pytest plugin) wrap foreign errors in these with
the user's file named, using ``raise ... from e``.
"""

from __future__ import annotations


class NotegenError(Exception):
    """Base of every error notegen raises on purpose."""


class ParseError(NotegenError):
    """A note cannot be edited as asked without changing what Logseq reads of it
    (:func:`notegen.parse.set_block_property`). Reading never raises it: a file
    that cannot be read or parsed is a diagnostic."""


class LinkError(NotegenError):
    """A request does not fit the graph (``notegen new``): a claim id that is not
    valid or is taken, a note or block that is not there. Problems in the notes
    themselves (bad or duplicate claim ids) are diagnostics."""


class StoreError(NotegenError):
    """A results file cannot be written, or is not a valid results record."""


class RetrievalError(StoreError):
    """A results record that should exist cannot be found or read."""
