"""Reading results for the site, ``notegen run`` and ``notegen status``.

:func:`load_results` reads every ``results/*.json``, never raises on a bad
file (it becomes a diagnostic naming the file), and tells for each record
whether it is stale and why: which covered file changed, appeared or
vanished, which pinned package version moved, or whether ``notegen_seed``
changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from notegen.diagnostics import Code, Diagnostic, SourceSpan
from notegen.errors import StoreError
from notegen.store.codehash import PINNED_PACKAGES, CodeHasher, pinned_versions, relpath
from notegen.store.schema import ResultRecord
from notegen.store.settings import configured_seed

StaleKind = Literal[
    "file-changed", "file-added", "file-removed", "version-changed", "setting-changed"
]


@dataclass(frozen=True, slots=True)
class StaleReason:
    """One reason a stored result no longer describes the current code."""

    kind: StaleKind
    """What happened: a covered file changed, appeared or vanished, a pinned version
    moved, or a setting that changes what is measured (``notegen_seed``) changed."""
    subject: str
    """The file (relative to the project root), the package name or the setting."""
    old: str | None = None
    """The recorded digest, version or value (None for an added file)."""
    new: str | None = None
    """The current digest, version or value (None for a removed file / uninstalled package)."""

    def __str__(self) -> str:
        if self.kind == "file-changed":
            return f"{self.subject} changed"
        if self.kind == "setting-changed":
            return f"{self.subject} changed ({self.old} → {self.new})"
        if self.kind == "file-added":
            return f"{self.subject} is newly imported"
        if self.kind == "file-removed":
            return f"{self.subject} is gone or no longer imported"
        return f"{self.subject} {self.old or '(none)'} → {self.new or '(not installed)'}"


@dataclass(frozen=True, slots=True)
class LoadedResult:
    """A results record as read from disk, with its staleness."""

    record: ResultRecord
    """The record."""
    path: Path
    """The JSON file it was read from."""
    stale_reasons: tuple[StaleReason, ...] = ()
    """Why the record no longer matches the code and pinned versions; empty when fresh."""

    @property
    def stale(self) -> bool:
        """True when code or pinned versions changed since the latest measurement."""
        return bool(self.stale_reasons)

    @property
    def experiment(self) -> str:
        """The experiment id (pytest node id)."""
        return self.record.experiment

    def why_stale(self) -> str:
        """The reasons in one line, e.g. ``examples/ctr/data.py changed; torch 2.13.0 → 2.14.0``."""
        return "; ".join(str(r) for r in self.stale_reasons)


def staleness(
    record: ResultRecord,
    hasher: CodeHasher,
    versions: dict[str, str] | None = None,
    seed: int | None = None,
) -> tuple[StaleReason, ...]:
    """Why ``record`` is stale against the tree ``hasher`` reads (empty when fresh).

    Args:
        record: A stored record.
        hasher: A hasher rooted at the project root (shared across records for speed).
        versions: Current pinned versions (default: :func:`pinned_versions`).
        seed: The ``notegen_seed`` now configured (None: not compared).
    """
    if versions is None:
        versions = pinned_versions()
    stored = record.latest.files
    test_file = hasher.root / record.source.path
    current = hasher.file_hashes(test_file)
    reasons: list[StaleReason] = []
    for rel in sorted(stored.keys() | current.keys()):
        old, new = stored.get(rel), current.get(rel)
        if old == new:
            continue
        if old is None:
            reasons.append(StaleReason("file-added", rel, None, new))
        elif new is None:
            reasons.append(StaleReason("file-removed", rel, old, None))
        else:
            reasons.append(StaleReason("file-changed", rel, old, new))
    packages = record.latest.environment.packages
    for name in PINNED_PACKAGES:
        old_v = packages.get(name)
        old_v = old_v.split("+", 1)[0] if old_v else None
        new_v = versions.get(name)
        if old_v != new_v:
            reasons.append(StaleReason("version-changed", name, old_v, new_v))
    if seed is not None and seed != record.latest.notegen_seed:
        reasons.append(
            StaleReason(
                "setting-changed", "notegen_seed", str(record.latest.notegen_seed), str(seed)
            )
        )
    return tuple(reasons)


def load_results(results_dir: Path, root: Path) -> tuple[dict[str, LoadedResult], list[Diagnostic]]:
    """Read every results file, with its staleness; bad files become diagnostics.

    Args:
        results_dir: The folder of ``*.json`` results (a missing folder means no results).
        root: The project root that the records' paths are relative to.

    Returns:
        ``(results by experiment id, diagnostics)``. Diagnostics are
        ``result-invalid`` for a file that is not valid JSON or not a valid record
        (or a second file for the same experiment) and ``plot-missing`` for a
        plot a record names that is not on disk. Nothing raises for bad content.
    """
    results: dict[str, LoadedResult] = {}
    diagnostics: list[Diagnostic] = []
    if not results_dir.is_dir():
        return results, diagnostics
    hasher = CodeHasher(root)
    versions = pinned_versions()
    seed = configured_seed(root)
    for path in sorted(results_dir.glob("*.json")):
        shown = relpath(path, root)
        record, diag = _read(path, shown)
        if diag is not None:
            diagnostics.append(diag)
            continue
        assert record is not None
        if record.experiment in results:
            other = relpath(results[record.experiment].path, root)
            diagnostics.append(
                Diagnostic(
                    SourceSpan(shown, 1, 1),
                    Code.RESULT_INVALID,
                    f"second results file for experiment {record.experiment!r} (also in {other}); "
                    "delete the one whose name does not match the experiment",
                )
            )
            continue
        for m in (record.latest, record.last_good):
            if m is None:
                continue
            for plot in m.plots:
                if not (results_dir / plot.file).is_file():
                    diagnostics.append(
                        Diagnostic(
                            SourceSpan(shown, 1, 1),
                            Code.PLOT_MISSING,
                            f"plot {plot.name!r} of {record.experiment!r} names "
                            f"{plot.file!r}, which is not in {relpath(results_dir, root)}/; "
                            "re-run the experiment with `notegen run --all "
                            f"{record.experiment}` to redraw it",
                        )
                    )
        results[record.experiment] = LoadedResult(
            record, path, staleness(record, hasher, versions, seed)
        )
    return results, diagnostics


def _read(path: Path, shown: str) -> tuple[ResultRecord | None, Diagnostic | None]:
    fix = "fix or delete the file, or re-run the experiment (`notegen run --all`)"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return None, Diagnostic(
            SourceSpan(shown, 1, 1), Code.RESULT_INVALID, f"cannot read results file: {e}; {fix}"
        )
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return None, Diagnostic(
            SourceSpan(shown, e.lineno, e.lineno),
            Code.RESULT_INVALID,
            f"invalid JSON: {e.msg} (column {e.colno}); {fix}",
        )
    try:
        return ResultRecord.from_json(data), None
    except StoreError as e:
        return None, Diagnostic(
            SourceSpan(shown, 1, 1), Code.RESULT_INVALID, f"not a valid results record: {e}; {fix}"
        )


def result_diagnostics(results: Iterable[LoadedResult]) -> list[Diagnostic]:
    """``result-stale`` and ``result-broken`` warnings pointing at each experiment's source.

    For ``notegen check`` and the site's build log; :func:`load_results` does not
    emit these itself because staleness is shown, not an error.
    """
    out: list[Diagnostic] = []
    for r in results:
        rec = r.record
        span = rec.source
        if rec.latest.verdict == "broken":
            where = f" at {rec.latest.location}" if rec.latest.location else ""
            first = rec.latest.message.splitlines()[0] if rec.latest.message else ""
            out.append(
                Diagnostic(
                    span,
                    Code.RESULT_BROKEN,
                    f"experiment {rec.experiment} is broken{where}: {first}; "
                    "fix it and run `notegen run`",
                )
            )
        if r.stale:
            out.append(
                Diagnostic(
                    span,
                    Code.RESULT_STALE,
                    f"result of {rec.experiment} is stale ({r.why_stale()}); "
                    "run `notegen run` to re-measure",
                )
            )
    return out
