"""Store stage: ``results/*.json`` — schema, atomic writes, code hashes, staleness.

The public surface:

- the record schema (:class:`ResultRecord`, :class:`Measurement`, :class:`Metric`,
  :class:`Plot`, :class:`Environment`, :class:`HistoryEntry`), each with
  ``to_json``/``from_json``;
- :func:`load_results` (for the site, ``run`` and ``status``) returning
  :class:`LoadedResult` with staleness and diagnostics instead of exceptions;
- :func:`save_measurement` (for the pytest plugin), atomic and loss-free;
- :class:`CodeHasher` and :func:`pinned_versions` (what a result depends on).
"""

from __future__ import annotations

from notegen.store.codehash import PINNED_PACKAGES, CodeHasher, pinned_versions
from notegen.store.files import (
    SaveOutcome,
    atomic_write_bytes,
    plot_file_name,
    read_record,
    record_path,
    record_stem,
    save_measurement,
)
from notegen.store.load import (
    LoadedResult,
    StaleReason,
    load_results,
    result_diagnostics,
    staleness,
)
from notegen.store.schema import (
    EXPECTATIONS,
    VERDICTS,
    Environment,
    Expectation,
    HistoryEntry,
    Measurement,
    Metric,
    Plot,
    ResultRecord,
    Verdict,
)

__all__ = [
    "EXPECTATIONS",
    "PINNED_PACKAGES",
    "VERDICTS",
    "CodeHasher",
    "Environment",
    "Expectation",
    "HistoryEntry",
    "LoadedResult",
    "Measurement",
    "Metric",
    "Plot",
    "ResultRecord",
    "SaveOutcome",
    "StaleReason",
    "Verdict",
    "atomic_write_bytes",
    "load_results",
    "pinned_versions",
    "plot_file_name",
    "read_record",
    "record_path",
    "record_stem",
    "result_diagnostics",
    "save_measurement",
    "staleness",
]
