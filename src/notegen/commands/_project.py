"""Where a notegen project's parts are: root, ``examples/``, ``results/``.

Shared by ``notegen run`` and ``notegen status``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from notegen.errors import NotegenError

_MARKERS = ("mkdocs.yml", "pyproject.toml")


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``mkdocs.yml`` or ``pyproject.toml``
    (``start`` itself when there is none)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if any((folder / m).is_file() for m in _MARKERS):
            return folder
    return start


@dataclass(frozen=True, slots=True)
class Project:
    """The folders a command works on."""

    root: Path
    """The project root; node ids and recorded paths are relative to it."""
    examples_dir: Path
    """The experiments (``<root>/examples``)."""
    results_dir: Path
    """The results files (``<root>/results``)."""


def add_project_arguments(parser: argparse.ArgumentParser) -> None:
    """``--root``, ``--examples`` and ``--results`` options."""
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="project root (default: nearest folder above the current one "
        "with mkdocs.yml or pyproject.toml)",
    )
    parser.add_argument(
        "--examples",
        type=Path,
        default=None,
        metavar="DIR",
        help="experiments folder (default: <root>/examples)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=None,
        metavar="DIR",
        help="results folder (default: <root>/results)",
    )


def project_from_args(args: argparse.Namespace) -> Project:
    """The :class:`Project` the options name.

    Raises:
        NotegenError: The root given does not exist.
    """
    root = args.root.resolve() if args.root else find_root(Path.cwd())
    if not root.is_dir():
        raise NotegenError(f"--root {args.root}: no such folder")
    examples = (args.examples or root / "examples").resolve()
    results = (args.results or root / "results").resolve()
    return Project(root, examples, results)
