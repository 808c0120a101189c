"""The ``notegen`` MkDocs plugin's settings (``plugins: - notegen: {...}`` in mkdocs.yml)."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config

__all__ = ["NotegenConfig"]


class NotegenConfig(Config):  # type: ignore[no-untyped-call]
    """Settings of the notegen plugin; paths are relative to mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it."""
    notes_dir = c.Type(str, default="notes")
    """The Logseq graph (holding ``pages/``, ``journals/``, ``logseq/``)."""
    examples_dir = c.Type(str, default="examples")
    """The experiments (watched by ``mkdocs serve``)."""
    results_dir = c.Type(str, default="results")
    """The measured results (watched by ``mkdocs serve``)."""
    home_title = c.Type(str, default="Reading notes")
    """The home page's title."""
    tags_index = c.Type(bool, default=True)
    """Add a tags index page (when Material's tags plugin is enabled)."""
    search_words = c.Optional(c.Type(str))
    """A file of words (one a line, ``#`` comments) that Chinese search must keep
    whole, e.g. ``预训练``: Material's search cuts Chinese text into words with
    jieba, whose dictionary lacks many technical terms. Page names and tags made
    of Chinese characters are added on their own. A file inside ``docs_dir`` is
    not copied to the site."""
    nav = c.Type(bool, default=True)
    """Lay out the navigation (home, notes, journals, linked pages, tags, then the
    pages of ``docs_dir``) when mkdocs.yml sets no ``nav``."""
