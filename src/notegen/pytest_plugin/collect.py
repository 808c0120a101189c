"""Experiments whose test module cannot be collected (an import error, a syntax error).

pytest reports such a module once, as a collection error, and runs none of its
tests. For the knowledge base each experiment in it is ``broken`` (DESIGN.md
"Verdicts": the experiment crashed), so the plugin records a broken
measurement for every experiment it knows there — from the static scan of the
source and from the results already stored — keeping the last good one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from notegen.diagnostics import SourceSpan
from notegen.errors import NotegenError
from notegen.link.experiments import scan_experiments
from notegen.store.codehash import user_relpath
from notegen.store.files import read_record
from notegen.store.schema import Expectation

_FRAME = re.compile(
    # ``examples/test_x.py:3: in <module>`` (pytest's frames) or
    # ``File "/abs/examples/test_x.py", line 3`` (Python's, e.g. of a SyntaxError)
    r'^(?:(?P<path>[^\s:"][^:"\n]*\.py):(?P<line>\d+)\b'
    r'|.*File "(?P<fpath>[^"]+\.py)", line (?P<fline>\d+))',
    re.M,
)
_ERROR_LINE = re.compile(r"^E\s+(?P<text>\S.*)$", re.M)


@dataclass(frozen=True, slots=True)
class Affected:
    """An experiment instance of a module that could not be collected."""

    node_id: str
    """Its node id."""
    claims: tuple[str, ...]
    """Its claim ids."""
    expected: Expectation
    """The declared verdict."""
    function: str
    """The test function's qualified name."""
    source: SourceSpan
    """The test function in its file."""
    doc: str
    """Its docstring."""


def affected_experiments(nodeid: str, root: Path, results_dir: Path) -> list[Affected]:
    """The experiments under a collector that failed (a module, class or folder): those
    the static scan finds there and those with a results file, by node id."""
    path_part = nodeid.split("::", 1)[0]
    if not path_part or not (root / path_part).exists():
        return []  # the session itself (e.g. an argument naming no file): no experiment's fault
    prefixes = (nodeid + "::",) if path_part.endswith(".py") else (nodeid.rstrip("/") + "/",)
    found: dict[str, Affected] = {}
    stored: dict[str, Affected] = {}
    if results_dir.is_dir():
        for file in sorted(results_dir.glob("*.json")):
            try:
                rec = read_record(file)
            except NotegenError:
                continue
            if rec.experiment.startswith(prefixes):
                stored[rec.experiment] = Affected(
                    rec.experiment, rec.claims, rec.expected, rec.function, rec.source, rec.doc
                )
    experiments, _ = scan_experiments(root / path_part, root)
    for exp in experiments:
        instances = [n for n in exp.node_ids if n.startswith(prefixes)]
        if exp.params is None:
            instances = [n for n in stored if exp.owns(n)] or instances
        for n in instances:
            found[n] = Affected(n, exp.claims, exp.expect, exp.function, exp.span, exp.doc)
    for n, a in stored.items():
        found.setdefault(n, a)
    return [found[n] for n in sorted(found)]


def describe_error(text: str, root: Path, cwd: Path) -> tuple[str, str | None]:
    """``(error, location)`` of a collection error from pytest's report text: the last
    ``E`` line (else the last line), and the deepest ``path:line`` in the user's files
    (paths in the text are relative to ``cwd``, where pytest was started)."""
    errors = _ERROR_LINE.findall(text)
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    error = errors[-1].strip() if errors else (lines[-1] if lines else "collection failed")
    location: str | None = None
    for m in _FRAME.finditer(text):
        raw, line = (m["path"], m["line"]) if m["path"] else (m["fpath"], m["fline"])
        p = Path(raw)
        p = p if p.is_absolute() else cwd / p
        shown = user_relpath(p, root)
        if shown is None:
            continue
        location = f"{shown}:{line}"
    return error, location
