"""Read every page file of a Logseq graph: bytes -> Page -> Note, problems as diagnostics."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from notegen.diagnostics import Code, Diagnostic
from notegen.errors import NotegenError
from notegen.link.names import (
    GraphConfig,
    format_journal_title,
    name_from_file,
    parse_journal_file_name,
    read_graph_config,
)
from notegen.model import Note, build_note
from notegen.parse import read_page

__all__ = [
    "LoadedGraph",
    "display_path",
    "graph_folder_problem",
    "load_notes",
    "note_files",
    "require_graph",
]

PAGE_SUFFIXES = (".md", ".markdown")
"""Page files notegen reads (Logseq's Org pages are not read)."""


@dataclass(frozen=True, slots=True)
class LoadedGraph:
    """Every note that could be read, and the problems met reading them."""

    notes: tuple[Note, ...]
    """Notes in path order (pages first, then journals)."""
    config: GraphConfig
    """The graph's naming settings."""
    diagnostics: tuple[Diagnostic, ...]
    """Files that could not be read (errors); every other diagnostic stays on its note."""


def display_path(path: Path, root: Path) -> str:
    """``path`` as the user would type it: relative to ``root`` when inside it, with ``/``."""
    # abspath, not resolve: a symlinked note is shown where the user put it.
    absolute, base = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    for candidate, against in ((absolute, base), (absolute, root.resolve())):
        if candidate.is_relative_to(against):
            return candidate.relative_to(against).as_posix()
    return path.as_posix()


def require_graph(notes_dir: Path, shown: str) -> None:
    """Raise unless ``notes_dir`` is a folder holding a Logseq graph.

    Args:
        notes_dir: The folder given as the graph.
        shown: How messages name it (as the user wrote it).

    Raises:
        NotegenError: The folder does not exist or holds no ``pages/`` or ``journals/``.
    """
    if not notes_dir.is_dir():
        raise NotegenError(
            f"notes folder {shown!r} does not exist; pass --notes DIR "
            "(the folder holding your Logseq graph's pages/)"
        )
    problem = graph_folder_problem(notes_dir, shown)
    if problem is not None:
        raise NotegenError(f"{problem}; pass it as --notes DIR")


def graph_folder_problem(notes_dir: Path, shown: str | None = None) -> str | None:
    """Why ``notes_dir`` holds no Logseq graph, or ``None`` when it does.

    A graph is a folder holding ``pages/`` or ``journals/`` (or the folders
    its ``logseq/config.edn`` names); given anything else, notegen would read
    no page at all.

    Args:
        notes_dir: The folder given as the graph.
        shown: How messages name it (default: ``str(notes_dir)``).
    """
    config = read_graph_config(notes_dir)
    folders = (config.pages_dir, config.journals_dir)
    if any((notes_dir / folder).is_dir() for folder in folders):
        return None
    shown = shown if shown is not None else str(notes_dir)
    hint = ""
    parent_config = read_graph_config(notes_dir.parent)
    if notes_dir.name in (parent_config.pages_dir, parent_config.journals_dir):
        hint = f" (here {str(Path(shown).parent)!r}: {notes_dir.name}/ is a folder of the graph)"
    return (
        f"notes folder {shown!r} has no {folders[0]}/ or {folders[1]}/ folder, so it holds "
        f"no Logseq graph and no page would be read; give the graph's root folder, the "
        f"one holding {folders[0]}/{hint}"
    )


def note_files(notes_dir: Path, config: GraphConfig | None = None) -> list[tuple[Path, bool]]:
    """The page files of the graph at ``notes_dir``, each with whether it is a journal.

    Hidden files and Logseq's own folders (``logseq/``, backups) are skipped.
    """
    config = config or read_graph_config(notes_dir)
    found: list[tuple[Path, bool]] = []
    for folder, journal in ((config.pages_dir, False), (config.journals_dir, True)):
        base = notes_dir / folder
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if not name.startswith(".") and name.lower().endswith(PAGE_SUFFIXES):
                    found.append((Path(dirpath) / name, journal))
    return found


def load_notes(notes_dir: Path, root: Path) -> LoadedGraph:
    """Read and model every page of the graph at ``notes_dir``.

    A file that cannot be read becomes an error diagnostic and is left out; a
    file with bytes that are not UTF-8 is read (with an error diagnostic);
    every other file is read as usual.

    Args:
        notes_dir: The graph folder (holding ``pages/``, ``journals/``, ``logseq/``).
        root: The project root; paths in diagnostics are relative to it.

    Returns:
        The notes and the reading errors.
    """
    config = read_graph_config(notes_dir)
    notes: list[Note] = []
    diagnostics: list[Diagnostic] = []
    for path, journal in note_files(notes_dir, config):
        page = read_page(path, display_path(path, root))  # never raises
        if any(d.code is Code.UNREADABLE for d in page.diagnostics):
            # Nothing was read: no page to show (a link to it gets a generated page).
            diagnostics.extend(page.diagnostics)
            continue
        # A page with bytes that are not UTF-8 is still shown (they read as U+FFFD).
        title = file_title(path, journal=journal, config=config)
        notes.append(build_note(page, file_title=title, journal=journal))
    return LoadedGraph(tuple(notes), config, tuple(diagnostics))


def file_title(path: Path, *, journal: bool, config: GraphConfig) -> str:
    """The page name stored in a page file's name."""
    stem = path.name.rsplit(".", 1)[0]
    if journal:
        date = parse_journal_file_name(stem, config.journal_file_format)
        if date is not None:
            return format_journal_title(date, config.journal_title_format)
    return name_from_file(stem)
