"""``notegen check``: report every problem in the notes and in their links to experiments."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from notegen.diagnostics import Diagnostic, has_errors, sort_diagnostics

HELP = "check the notes and their links to experiments; print every problem as path:line"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``notegen check``."""
    parser.add_argument(
        "--strict", action="store_true", help="exit non-zero on warnings too, not only on errors"
    )
    parser.add_argument(
        "--notes", default="notes", metavar="DIR", help="the Logseq graph (default: notes)"
    )
    parser.add_argument(
        "--examples", default="examples", metavar="DIR", help="the experiments (default: examples)"
    )
    parser.add_argument(
        "--root",
        default=None,
        metavar="DIR",
        help="project root; paths are relative to it (default: the nearest folder above "
        "the current one with mkdocs.yml or pyproject.toml)",
    )


def run(args: argparse.Namespace) -> int:
    """Print every diagnostic, sorted, then a summary; 1 on errors (or warnings with --strict)."""
    from notegen.commands._project import find_root

    root = Path(args.root) if args.root else find_root(Path.cwd())
    diagnostics = collect(root, notes=Path(args.notes), examples=Path(args.examples))
    for diagnostic in diagnostics:
        print(diagnostic)
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    print(f"notegen check: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if has_errors(diagnostics, strict=args.strict) else 0


def collect(root: Path, *, notes: Path, examples: Path) -> list[Diagnostic]:
    """Every diagnostic of the graph and of its links to experiments, sorted.

    That is: files that cannot be read, the parser's warnings, bad and
    duplicate claim ids, dates in no known form, unknown block references,
    annotations with no claim on or above them, experiments notegen cannot
    read, claims with no experiment and experiments whose claim is in no note.

    Args:
        root: The project root; paths in diagnostics are relative to it.
        notes: The Logseq graph, relative to ``root`` (or absolute).
        examples: The experiments folder, relative to ``root`` (or absolute).

    Raises:
        NotegenError: When the notes folder does not exist or holds no graph
            (no ``pages/`` or ``journals/`` in it).
    """
    from notegen.link import annotation_diagnostics, build_graph, claim_link_diagnostics
    from notegen.link.experiments import scan_experiments
    from notegen.link.load import require_graph

    notes_dir = root / notes
    require_graph(notes_dir, str(notes))
    graph = build_graph(notes_dir, root)
    diagnostics = [*graph.diagnostics, *annotation_diagnostics(graph)]
    experiments, experiment_problems = scan_experiments(root / examples, root)
    diagnostics += experiment_problems
    diagnostics += claim_link_diagnostics(graph, experiments)
    return sort_diagnostics(diagnostics)
