"""The one small exception tree of notegen.

Adapters (CLI, MkDocs plugin, pytest plugin) wrap foreign errors in these with
the user's file named, using ``raise ... from e``.
"""

from __future__ import annotations


class NotegenError(Exception):
    """Base of every error notegen raises on purpose."""


class ParseError(NotegenError):
    """A note cannot be read or parsed at all (unreadable file, not UTF-8)."""


class LinkError(NotegenError):
    """Notes, claims and experiments do not fit together (bad or duplicate claim id)."""


class StoreError(NotegenError):
    """A results file cannot be written, or is not a valid results record."""


class RetrievalError(StoreError):
    """A results record that should exist cannot be found or read."""
