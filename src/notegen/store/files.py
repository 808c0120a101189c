"""Results files on disk: names, atomic writes, and saving a new measurement.

One file per experiment, so shards of a test run merge by copying files, and
parallel workers never write the same file. Every write goes to a temporary
file in the same folder first and is then renamed over the target
(:func:`os.replace` is atomic on POSIX and Windows), so a reader, another
worker, or a killed run never sees half a file.

Saving follows three rules:

- **Nothing measured is lost.** A broken run, or one whose verdict contradicts
  the declared one, becomes ``latest`` while the newest as-declared measurement
  stays beside it as ``last_good``. Every replaced ``latest`` goes into the
  record's ``history`` (the newest :data:`~notegen.store.schema.HISTORY_LIMIT`).
- **An identical re-measurement leaves the file untouched.** Same code hash,
  pinned versions, verdict, metrics, summary, plots and outcome: the file (and
  its start time) stay as they were, so re-running an unchanged tree leaves
  ``git status`` clean. The start time in a record is therefore when these
  numbers were *first* measured. A re-measurement that only adds which metrics
  decided the verdict (``decided_by``, absent in older records) updates
  ``latest`` in place, keeping its start time and adding no history entry.
- **Plots are SVG files beside the JSON**, named ``<stem>--<name>.svg``, written
  only when their bytes change; a plot the record no longer refers to (in
  ``latest`` or ``last_good``) is deleted. A run that is not as declared (broken,
  or contradicting the declaration) never becomes ``last_good``, so its plots go
  to ``<stem>--<name>.failed.svg``: they never overwrite the last good
  measurement's plots, and the record names the file each plot is really in.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from notegen.atomic import atomic_write_bytes as _atomic_write_bytes
from notegen.errors import RetrievalError, StoreError
from notegen.store.codehash import PINNED_PACKAGES
from notegen.store.schema import HISTORY_LIMIT, HistoryEntry, Measurement, Plot, ResultRecord

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_STEM = 120
_FAILED = ".failed"

SaveAction = Literal["created", "updated", "unchanged"]


def record_stem(experiment_id: str) -> str:
    """A filesystem-safe, readable file stem for a pytest node id.

    ``examples/test_hash.py::TestX::test_y[0.5-adam]`` becomes
    ``examples.test_hash.TestX.test_y-0.5-adam`` plus, because the id had
    characters that were changed or upper-case letters (which collide on
    case-insensitive file systems), ``-`` and 8 hex digits of the id's hash.
    Ids that map to the same readable stem thus never share a file.
    """
    path, _, rest = experiment_id.partition("::")
    if path.endswith(".py"):
        path = path[:-3]
    name, _, params = rest.partition("[")
    readable = ".".join([*path.split("/"), *name.split("::")])
    if params:
        readable += "-" + params.removesuffix("]")
    safe = _UNSAFE.sub("_", readable).strip("._") or "experiment"
    # Lossless when only the structural characters (``/``, ``::``, ``[``) were rewritten.
    lossy = safe != readable or any(c.isupper() for c in safe) or len(safe) > _MAX_STEM
    if lossy:
        digest = hashlib.sha256(experiment_id.encode("utf-8")).hexdigest()[:8]
        safe = f"{safe[:_MAX_STEM]}-{digest}"
    return safe


def record_path(results_dir: Path, experiment_id: str) -> Path:
    """The JSON file of an experiment: ``results_dir / (record_stem(id) + ".json")``."""
    return results_dir / f"{record_stem(experiment_id)}.json"


def plot_file_name(experiment_id: str, name: str, *, as_declared: bool = True) -> str:
    """The SVG file name of a named plot of an experiment (relative to the results dir).

    Args:
        experiment_id: The experiment's node id.
        name: The plot's name (``measure.figure(fig, name=...)``).
        as_declared: False for a run that is not as declared: its plots are named
            ``<stem>--<name>.failed.svg`` so that they never overwrite those of the
            last good measurement (``<stem>--<name>.svg``), which the record keeps.
    """
    safe = _UNSAFE.sub("_", name).strip("._") or "figure"
    if as_declared:
        if safe.endswith(_FAILED):
            safe += "-"  # never the name of a failed run's plot
        return f"{record_stem(experiment_id)}--{safe}.svg"
    return f"{record_stem(experiment_id)}--{safe}{_FAILED}.svg"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`notegen.atomic.atomic_write_bytes`).

    Raises:
        StoreError: The folder cannot be created or written.
    """
    try:
        _atomic_write_bytes(path, data)
    except OSError as e:
        raise StoreError(f"{path}: cannot write results file: {e}") from e


def dumps_record(record: ResultRecord) -> bytes:
    """The exact bytes a record is stored as: indented UTF-8 JSON with a final newline."""
    text = json.dumps(record.to_json(), indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def read_record(path: Path) -> ResultRecord:
    """Read and validate one results file.

    Raises:
        RetrievalError: The file is missing or unreadable.
        StoreError: It is not valid JSON or not a valid record (the message says where).
    """
    try:
        data = path.read_bytes()
    except OSError as e:
        raise RetrievalError(f"{path}: cannot read results file: {e}") from e
    try:
        parsed = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise StoreError(f"{path}: results file is not UTF-8: {e}") from e
    except json.JSONDecodeError as e:
        raise StoreError(f"{path}:{e.lineno}: invalid JSON: {e.msg}") from e
    try:
        return ResultRecord.from_json(parsed)
    except StoreError as e:
        raise StoreError(f"{path}: {e}") from e


def _fingerprint(m: Measurement) -> tuple[object, ...]:
    """What makes two measurements "the same" for the no-rewrite rule: everything
    except when, how long and on which machine they ran (pinned versions do count),
    and ``decided_by`` (which describes the numbers rather than being one)."""
    pinned = {k: m.environment.packages.get(k) for k in PINNED_PACKAGES}
    return (
        m.verdict,
        m.expected,
        m.message,
        m.location,
        m.summary,
        json.dumps({k: v.to_json() for k, v in m.metrics.items()}, sort_keys=True),
        tuple((p.name, p.file, p.caption, p.sha256) for p in m.plots),
        m.seeds,
        m.code_hash,
        sorted(m.files.items()),
        sorted(pinned.items()),
        m.notes,
        m.notegen_seed,
    )


def merge_measurement(old: ResultRecord | None, new: ResultRecord) -> ResultRecord | None:
    """The record to store after measuring ``new.latest``; None when ``old`` already
    says the same (the file is left untouched).

    ``new`` carries the experiment's current metadata and its new measurement as
    ``latest``; its ``last_good`` and ``history`` are ignored.
    """
    if old is None:
        return replace(new, last_good=None, history=())
    if _fingerprint(old.latest) == _fingerprint(new.latest) and (
        old.claims,
        old.expected,
        old.function,
        old.source,
        old.doc,
    ) == (new.claims, new.expected, new.function, new.source, new.doc):
        if old.latest.decided_by == new.latest.decided_by:
            return None
        # The same numbers, now knowing which metric decided them (a record written
        # before notegen stored it): say so in place, not as a new measurement.
        return replace(old, latest=replace(old.latest, decided_by=new.latest.decided_by))
    history = (*old.history, HistoryEntry.of(old.latest))[-HISTORY_LIMIT:]
    if new.latest.as_declared:
        last_good = None
    elif old.latest.as_declared:
        last_good = old.latest
    else:
        last_good = old.last_good
    return replace(new, last_good=last_good, history=history)


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    """What :func:`save_measurement` did."""

    path: Path
    """The results file."""
    action: SaveAction
    """``created``, ``updated`` or ``unchanged`` (identical re-measurement, file untouched)."""
    record: ResultRecord
    """The record now on disk."""
    previous: ResultRecord | None
    """The record that was on disk before (None if none, or it was not a valid record)."""


def _referenced_plots(record: ResultRecord | None) -> set[str]:
    if record is None:
        return set()
    files = {p.file for p in record.latest.plots}
    if record.last_good is not None:
        files |= {p.file for p in record.last_good.plots}
    return files


def save_measurement(
    results_dir: Path, record: ResultRecord, plots: Mapping[str, bytes] | None = None
) -> SaveOutcome:
    """Store a new measurement of an experiment, keeping what was measured before.

    Args:
        results_dir: The results folder (created if missing).
        record: The experiment's metadata with the new measurement as ``latest``.
            Its plots' ``file`` names must be those of :func:`plot_file_name` (with
            ``as_declared`` of the new measurement).
        plots: SVG bytes by plot file name for the plots of ``record.latest``.

    Returns:
        A :class:`SaveOutcome`. An existing file that is not a valid record is
        kept beside the new one as ``<name>.invalid-<n>`` rather than lost.

    Raises:
        StoreError: The folder or a file cannot be written.
    """
    plots = dict(plots or {})
    path = record_path(results_dir, record.experiment)
    if not record.latest.as_declared:
        record, plots = _failed_plot_names(record, plots)
    old: ResultRecord | None = None
    if path.exists():
        try:
            old = read_record(path)
        except StoreError:
            _keep_aside(path)
        else:
            if old.experiment != record.experiment:
                raise StoreError(
                    f"{path}: holds experiment {old.experiment!r}, not {record.experiment!r}; "
                    "two experiment ids map to one file name (rename one of the tests)"
                )
    for name, data in plots.items():
        target = results_dir / name
        if not (target.is_file() and target.read_bytes() == data):
            atomic_write_bytes(target, data)
    merged = merge_measurement(old, record)
    if merged is None:
        assert old is not None
        return SaveOutcome(path, "unchanged", old, old)
    data = dumps_record(merged)
    atomic_write_bytes(path, data)
    for gone in _referenced_plots(old) - _referenced_plots(merged):
        if "/" in gone or "\\" in gone:
            continue  # never delete outside the results folder
        with contextlib.suppress(OSError):
            (results_dir / gone).unlink()
    return SaveOutcome(path, "created" if old is None else "updated", merged, old)


def _failed_plot_names(
    record: ResultRecord, plots: dict[str, bytes]
) -> tuple[ResultRecord, dict[str, bytes]]:
    """``record`` and ``plots`` with the latest plots under the names of a failed run, so
    that they cannot overwrite the plots of the measurement kept as ``last_good``."""
    renamed: list[Plot] = []
    files: dict[str, bytes] = {}
    for p in record.latest.plots:
        file = plot_file_name(record.experiment, p.name, as_declared=False)
        renamed.append(replace(p, file=file))
        if p.file in plots:
            files[file] = plots[p.file]
    latest = replace(record.latest, plots=tuple(renamed))
    return replace(record, latest=latest), files


def _keep_aside(path: Path) -> None:
    n = 1
    while (aside := path.with_name(f"{path.name}.invalid-{n}")).exists():
        n += 1
    try:
        os.replace(path, aside)
    except OSError as e:
        raise StoreError(f"{path}: invalid results file cannot be moved aside: {e}") from e


def plot_sha256(data: bytes) -> str:
    """The hash recorded for a plot's SVG bytes."""
    return hashlib.sha256(data).hexdigest()


def plot_entry(
    experiment_id: str, name: str, caption: str, data: bytes, *, as_declared: bool = True
) -> Plot:
    """The :class:`Plot` of a rendered figure (``as_declared``: see :func:`plot_file_name`)."""
    return Plot(
        name,
        plot_file_name(experiment_id, name, as_declared=as_declared),
        caption,
        plot_sha256(data),
    )
