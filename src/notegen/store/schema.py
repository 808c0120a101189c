"""The results record: one JSON file per experiment, as frozen dataclasses.

A file ``results/<stem>.json`` holds one :class:`ResultRecord`::

    {
      "schema": 1,
      "notegen": "0.1.0",
      "experiment": "examples/test_hash.py::test_same_size",   # pytest node id
      "claims": ["hash-same-size"],
      "expected": "supported",                                 # declared in the marker
      "function": "test_same_size",
      "source": {"path": "examples/test_hash.py", "line": 12, "end_line": 40},
      "doc": "Hashing IDs into as many buckets ...",
      "latest": {Measurement},       # the newest run, whatever its outcome
      "last_good": {Measurement} | null,  # newest as-declared run, kept while latest is not
      "history": [{HistoryEntry}, ...]    # earlier runs, oldest first, at most 20
    }

A :class:`Measurement` holds the verdict, the outcome message, the metrics
(``name: number``, ``{"value", "unit"}`` or ``{"mean", "ci_low", "ci_high", "n",
"unit", "confidence", "samples"}``), the one-line summary, the plots (SVG files
beside the JSON), the seeds (and ``notegen_seed`` when not 0), the code hash
with a hash per file, the environment, the start time (UTC, ISO 8601), the
duration and, when known, ``decided_by``: the metrics the verdict was decided on.

Non-finite numbers, which JSON cannot hold, are written as the strings
``"nan"``, ``"inf"`` and ``"-inf"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

from notegen.diagnostics import SourceSpan
from notegen.errors import StoreError

Verdict = Literal["supported", "refuted", "inconclusive", "broken"]
"""A measured verdict (DESIGN.md "Verdicts"); ``stale`` and ``not measured`` are
states of a result on disk, not measured verdicts."""
Expectation = Literal["supported", "refuted", "inconclusive"]
"""What a knowledge base may declare in ``@pytest.mark.claim(..., expect=...)``."""

VERDICTS: tuple[str, ...] = get_args(Verdict)
EXPECTATIONS: tuple[str, ...] = get_args(Expectation)
SCHEMA_VERSION = 1
HISTORY_LIMIT = 20
"""How many earlier measurements a record keeps."""

JSON = Any  # a value json.loads returns / json.dumps accepts


# --- helpers for reading untrusted JSON -------------------------------------------------


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _obj(data: JSON, where: str) -> dict[str, JSON]:
    if not isinstance(data, dict):
        raise StoreError(f"{where}: expected an object, got {_type_name(data)}")
    return data


def _str(data: dict[str, JSON], key: str, where: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise StoreError(f"{where}.{key}: expected a string, got {_type_name(value)}")
    return value


def _opt_str(data: dict[str, JSON], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise StoreError(f"{where}.{key}: expected a string or null, got {_type_name(value)}")
    return value


def _int(data: dict[str, JSON], key: str, where: str, default: int | None = None) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise StoreError(f"{where}.{key}: expected an integer, got {_type_name(value)}")
    return value


def _num(value: JSON, where: str) -> float:
    if isinstance(value, str) and value in ("nan", "inf", "-inf"):
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StoreError(f"{where}: expected a number, got {_type_name(value)}")
    return float(value)


def _opt_num(data: dict[str, JSON], key: str, where: str) -> float | None:
    value = data.get(key)
    return None if value is None else _num(value, f"{where}.{key}")


def _list(data: dict[str, JSON], key: str, where: str) -> list[JSON]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise StoreError(f"{where}.{key}: expected a list, got {_type_name(value)}")
    return value


def _str_map(data: dict[str, JSON], key: str, where: str) -> dict[str, str]:
    value = _obj(data.get(key, {}), f"{where}.{key}")
    for k, v in value.items():
        if not isinstance(v, str):
            raise StoreError(f"{where}.{key}.{k}: expected a string, got {_type_name(v)}")
    return dict(value)


def _choice(data: dict[str, JSON], key: str, where: str, choices: tuple[str, ...]) -> str:
    value = _str(data, key, where)
    if value not in choices:
        raise StoreError(f"{where}.{key}: {value!r} is not one of {', '.join(choices)}")
    return value


def num_to_json(value: float) -> JSON:
    """A float as JSON: finite numbers as numbers, others as ``"nan"``/``"inf"``/``"-inf"``."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


# --- the record ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Metric:
    """One measured number: a scalar, or an estimate with a confidence interval."""

    value: float
    """The scalar, or the estimate's mean."""
    unit: str | None = None
    """What it measures, e.g. ``"AUC"``."""
    ci_low: float | None = None
    """Lower end of the confidence interval; None for a scalar."""
    ci_high: float | None = None
    """Upper end of the confidence interval; None for a scalar."""
    n: int | None = None
    """Number of samples (seeds) behind the estimate; None for a scalar."""
    confidence: float | None = None
    """Confidence level of the interval (0.95); None for a scalar."""
    samples: tuple[float, ...] = ()
    """Per-seed values behind the estimate, when recorded."""

    @property
    def is_estimate(self) -> bool:
        """True when the metric carries a confidence interval."""
        return self.ci_low is not None and self.ci_high is not None

    @property
    def finite(self) -> bool:
        """True when the value and interval are all finite numbers."""
        nums = [self.value, self.ci_low, self.ci_high, *self.samples]
        return all(math.isfinite(x) for x in nums if x is not None)

    def without_samples(self) -> Metric:
        """The same metric without its per-seed samples (for history entries)."""
        return Metric(self.value, self.unit, self.ci_low, self.ci_high, self.n, self.confidence)

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside this metric's interval (equal to it, for a scalar)."""
        if self.ci_low is None or self.ci_high is None:
            return value == self.value
        return self.ci_low <= value <= self.ci_high

    def __str__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.ci_low is None or self.ci_high is None:
            return f"{self.value:.6g}{unit}"
        level = f"{self.confidence:.0%} " if self.confidence is not None else ""
        return (
            f"{self.value:.6g}{unit} ({level}CI {self.ci_low:.6g}…{self.ci_high:.6g}, n={self.n})"
        )

    def to_json(self) -> JSON:
        if not self.is_estimate:
            if self.unit is None:
                return num_to_json(self.value)
            return {"value": num_to_json(self.value), "unit": self.unit}
        assert self.ci_low is not None and self.ci_high is not None
        out: dict[str, JSON] = {
            "mean": num_to_json(self.value),
            "ci_low": num_to_json(self.ci_low),
            "ci_high": num_to_json(self.ci_high),
            "n": self.n,
            "unit": self.unit,
            "confidence": self.confidence,
        }
        if self.samples:
            out["samples"] = [num_to_json(x) for x in self.samples]
        return out

    @classmethod
    def from_json(cls, data: JSON, where: str = "metric") -> Metric:
        if not isinstance(data, dict):
            return cls(_num(data, where))
        unit = _opt_str(data, "unit", where)
        if "mean" not in data:
            if "value" not in data:
                raise StoreError(f"{where}: expected a number or an object with 'value' or 'mean'")
            return cls(_num(data["value"], f"{where}.value"), unit)
        n = data.get("n")
        if n is not None and (isinstance(n, bool) or not isinstance(n, int)):
            raise StoreError(f"{where}.n: expected an integer, got {_type_name(n)}")
        samples = tuple(
            _num(x, f"{where}.samples[{i}]") for i, x in enumerate(_list(data, "samples", where))
        )
        return cls(
            value=_num(data["mean"], f"{where}.mean"),
            unit=unit,
            ci_low=_num(data.get("ci_low"), f"{where}.ci_low"),
            ci_high=_num(data.get("ci_high"), f"{where}.ci_high"),
            n=n,
            confidence=_opt_num(data, "confidence", where),
            samples=samples,
        )


@dataclass(frozen=True, slots=True)
class Plot:
    """One figure of an experiment, saved as SVG beside the JSON."""

    name: str
    """The name the experiment gave it (``measure.figure(fig, name=...)``)."""
    file: str
    """The SVG's file name, relative to the results directory."""
    caption: str = ""
    """A one-line caption shown under the plot."""
    sha256: str = ""
    """Hash of the SVG bytes, so that a changed plot shows in the record's diff."""

    def to_json(self) -> JSON:
        return {
            "name": self.name,
            "file": self.file,
            "caption": self.caption,
            "sha256": self.sha256,
        }

    @classmethod
    def from_json(cls, data: JSON, where: str = "plot") -> Plot:
        d = _obj(data, where)
        return cls(
            _str(d, "name", where),
            _str(d, "file", where),
            _str(d, "caption", where, ""),
            _str(d, "sha256", where, ""),
        )


@dataclass(frozen=True, slots=True)
class Environment:
    """Where and with what a measurement was taken."""

    python: str
    """Python version, e.g. ``3.11.9``."""
    platform: str
    """``platform.platform()``, e.g. ``Linux-6.1-x86_64-with-glibc2.36``."""
    machine: str
    """CPU architecture, e.g. ``x86_64``."""
    device: str
    """The device the experiment ran on (``cpu``, ``cuda``, ``cuda:0 (NVIDIA H200)``)."""
    threads: int
    """The intra-op thread count torch was fixed to (0 when torch was not used)."""
    packages: dict[str, str] = field(default_factory=dict)
    """Versions of the packages that matter (torch, numpy, scipy, matplotlib, notegen, pytest)."""
    deterministic: str = "warn"
    """How deterministic algorithms were enforced: ``error``, ``warn`` or ``off``."""
    commit: str | None = None
    """The project's git commit when measured (None outside git)."""

    def to_json(self) -> JSON:
        return {
            "python": self.python,
            "platform": self.platform,
            "machine": self.machine,
            "device": self.device,
            "threads": self.threads,
            "packages": dict(sorted(self.packages.items())),
            "deterministic": self.deterministic,
            "commit": self.commit,
        }

    @classmethod
    def from_json(cls, data: JSON, where: str = "environment") -> Environment:
        d = _obj(data, where)
        return cls(
            python=_str(d, "python", where),
            platform=_str(d, "platform", where),
            machine=_str(d, "machine", where, ""),
            device=_str(d, "device", where),
            threads=_int(d, "threads", where, 0),
            packages=_str_map(d, "packages", where),
            deterministic=_str(d, "deterministic", where, "warn"),
            commit=_opt_str(d, "commit", where),
        )


@dataclass(frozen=True, slots=True)
class Measurement:
    """One run of an experiment and everything it measured."""

    verdict: Verdict
    """What was measured: supported / refuted / inconclusive, or broken."""
    expected: Expectation
    """The verdict the knowledge base declared when this was measured."""
    message: str
    """The outcome in words: "supported, as declared", the exception, the timeout."""
    summary: str
    """The experiment's one-line human summary (``measure.summary``); may be empty."""
    metrics: dict[str, Metric]
    """Measured numbers by name, in the order the experiment recorded them."""
    plots: tuple[Plot, ...]
    """Figures, saved as SVG beside the JSON."""
    seeds: tuple[int, ...]
    """The seeds the experiment declared (``measure.seeds``)."""
    code_hash: str
    """Hash over ``files``: the test module, conftests and the local helpers they import."""
    files: dict[str, str]
    """Path (relative to the project root, ``/``-separated) -> sha256 of its normalised text."""
    environment: Environment
    """Python, platform, device, threads, package versions, commit."""
    started: str
    """When the run began, UTC, ISO 8601 (``2025-01-31T12:00:00Z``)."""
    duration_s: float
    """Seconds the experiment's body ran."""
    location: str | None = None
    """``path:line`` in the user's files that the outcome points at (broken runs, mismatches)."""
    notes: tuple[str, ...] = ()
    """Remarks the engine or the experiment added (``measure.note``)."""
    notegen_seed: int = 0
    """The seed set before the experiment (the ``notegen_seed`` setting); stored only
    when not 0, and 0 when absent (as in records written before it was stored)."""
    decided_by: tuple[str, ...] = ()
    """The metrics the verdict was decided on: those recorded with the estimate given
    to ``decide`` in ``measure.verdict(decide(...))``. Stored only when known (not for
    a verdict written as a string, or a broken run); absent in older records."""

    @property
    def as_declared(self) -> bool:
        """True when the measured verdict is the declared one (pytest passed / xfailed)."""
        return self.verdict == self.expected

    def to_json(self) -> JSON:
        out: dict[str, JSON] = {
            "verdict": self.verdict,
            "expected": self.expected,
            "message": self.message,
            "location": self.location,
            "summary": self.summary,
            "metrics": {k: m.to_json() for k, m in self.metrics.items()},
            "plots": [p.to_json() for p in self.plots],
            "seeds": list(self.seeds),
            "code_hash": self.code_hash,
            "files": dict(sorted(self.files.items())),
            "environment": self.environment.to_json(),
            "started": self.started,
            "duration_s": round(self.duration_s, 3),
            "notes": list(self.notes),
        }
        if self.notegen_seed:
            out["notegen_seed"] = self.notegen_seed
        if self.decided_by:
            out["decided_by"] = list(self.decided_by)
        return out

    @classmethod
    def from_json(cls, data: JSON, where: str = "measurement") -> Measurement:
        d = _obj(data, where)
        metrics_raw = _obj(d.get("metrics", {}), f"{where}.metrics")
        seeds = _list(d, "seeds", where)
        for i, s in enumerate(seeds):
            if isinstance(s, bool) or not isinstance(s, int):
                raise StoreError(f"{where}.seeds[{i}]: expected an integer, got {_type_name(s)}")
        notes = _list(d, "notes", where)
        for i, s in enumerate(notes):
            if not isinstance(s, str):
                raise StoreError(f"{where}.notes[{i}]: expected a string, got {_type_name(s)}")
        decided_by = _list(d, "decided_by", where)
        for i, s in enumerate(decided_by):
            if not isinstance(s, str):
                raise StoreError(
                    f"{where}.decided_by[{i}]: expected a metric name, got {_type_name(s)}"
                )
        return cls(
            verdict=cast(Verdict, _choice(d, "verdict", where, VERDICTS)),
            expected=cast(Expectation, _choice(d, "expected", where, EXPECTATIONS)),
            message=_str(d, "message", where, ""),
            summary=_str(d, "summary", where, ""),
            metrics={
                k: Metric.from_json(v, f"{where}.metrics.{k}") for k, v in metrics_raw.items()
            },
            plots=tuple(
                Plot.from_json(p, f"{where}.plots[{i}]")
                for i, p in enumerate(_list(d, "plots", where))
            ),
            seeds=tuple(seeds),
            code_hash=_str(d, "code_hash", where),
            files=_str_map(d, "files", where),
            environment=Environment.from_json(d.get("environment"), f"{where}.environment"),
            started=_str(d, "started", where),
            duration_s=_num(d.get("duration_s", 0.0), f"{where}.duration_s"),
            location=_opt_str(d, "location", where),
            notes=tuple(notes),
            notegen_seed=_int(d, "notegen_seed", where, 0),
            decided_by=tuple(decided_by),
        )


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """A short trace of an earlier measurement, to show how the evidence moved."""

    started: str
    """When that run began (UTC, ISO 8601)."""
    verdict: Verdict
    """What it measured."""
    expected: Expectation
    """What was declared then."""
    code_hash: str
    """The code it ran."""
    metrics: dict[str, Metric]
    """Its metrics, without per-seed samples."""
    summary: str = ""
    """Its one-line summary."""

    @classmethod
    def of(cls, m: Measurement) -> HistoryEntry:
        """The history entry of a measurement."""
        return cls(
            m.started,
            m.verdict,
            m.expected,
            m.code_hash,
            {k: v.without_samples() for k, v in m.metrics.items()},
            m.summary,
        )

    def to_json(self) -> JSON:
        return {
            "started": self.started,
            "verdict": self.verdict,
            "expected": self.expected,
            "code_hash": self.code_hash,
            "metrics": {k: m.to_json() for k, m in self.metrics.items()},
            "summary": self.summary,
        }

    @classmethod
    def from_json(cls, data: JSON, where: str = "history") -> HistoryEntry:
        d = _obj(data, where)
        metrics_raw = _obj(d.get("metrics", {}), f"{where}.metrics")
        return cls(
            started=_str(d, "started", where),
            verdict=cast(Verdict, _choice(d, "verdict", where, VERDICTS)),
            expected=cast(Expectation, _choice(d, "expected", where, EXPECTATIONS)),
            code_hash=_str(d, "code_hash", where, ""),
            metrics={
                k: Metric.from_json(v, f"{where}.metrics.{k}") for k, v in metrics_raw.items()
            },
            summary=_str(d, "summary", where, ""),
        )


@dataclass(frozen=True, slots=True)
class ResultRecord:
    """Everything known about one experiment's measurements: one results file."""

    experiment: str
    """The pytest node id, e.g. ``examples/test_hash.py::test_same_size[4]``."""
    claims: tuple[str, ...]
    """The claim ids of the ``claim`` marker."""
    expected: Expectation
    """The declared verdict (``expect=`` of the marker) at the latest run."""
    function: str
    """The test function's name (``Class.method`` inside a class)."""
    source: SourceSpan
    """The test function in its file (``def`` line to last line)."""
    doc: str
    """The experiment's docstring (what is simulated, why it tests the claim)."""
    latest: Measurement
    """The newest measurement, whatever its outcome."""
    last_good: Measurement | None = None
    """The newest as-declared measurement, kept while ``latest`` is broken or contradicts
    the declaration; None when ``latest`` is itself as declared (or none ever was)."""
    history: tuple[HistoryEntry, ...] = ()
    """Earlier measurements, oldest first, at most :data:`HISTORY_LIMIT`."""
    notegen_version: str = ""
    """The notegen version that wrote the record."""
    schema: int = SCHEMA_VERSION
    """The record format version."""

    @property
    def verdict(self) -> Verdict:
        """The latest measured verdict."""
        return self.latest.verdict

    @property
    def good(self) -> Measurement | None:
        """The measurement to show as evidence: latest if as declared, else the last good one."""
        return self.latest if self.latest.as_declared else self.last_good

    def to_json(self) -> JSON:
        return {
            "schema": self.schema,
            "notegen": self.notegen_version,
            "experiment": self.experiment,
            "claims": list(self.claims),
            "expected": self.expected,
            "function": self.function,
            "source": {
                "path": self.source.path,
                "line": self.source.line_start,
                "end_line": self.source.line_end,
            },
            "doc": self.doc,
            "latest": self.latest.to_json(),
            "last_good": None if self.last_good is None else self.last_good.to_json(),
            "history": [h.to_json() for h in self.history],
        }

    @classmethod
    def from_json(cls, data: JSON) -> ResultRecord:
        """Validate and convert parsed JSON; raises :class:`StoreError` naming the bad field."""
        d = _obj(data, "record")
        schema = _int(d, "schema", "record")
        if schema != SCHEMA_VERSION:
            raise StoreError(
                f"record.schema: version {schema} is not supported (this notegen reads "
                f"{SCHEMA_VERSION}); re-run the experiment with `notegen run --all`"
            )
        claims = _list(d, "claims", "record")
        for i, c in enumerate(claims):
            if not isinstance(c, str):
                raise StoreError(f"record.claims[{i}]: expected a string, got {_type_name(c)}")
        src = _obj(d.get("source"), "record.source")
        line = _int(src, "line", "record.source")
        last_good = d.get("last_good")
        return cls(
            experiment=_str(d, "experiment", "record"),
            claims=tuple(claims),
            expected=cast(Expectation, _choice(d, "expected", "record", EXPECTATIONS)),
            function=_str(d, "function", "record", ""),
            source=SourceSpan(
                _str(src, "path", "record.source"),
                line,
                _int(src, "end_line", "record.source", line),
            ),
            doc=_str(d, "doc", "record", ""),
            latest=Measurement.from_json(d.get("latest"), "record.latest"),
            last_good=None
            if last_good is None
            else Measurement.from_json(last_good, "record.last_good"),
            history=tuple(
                HistoryEntry.from_json(h, f"record.history[{i}]")
                for i, h in enumerate(_list(d, "history", "record"))
            ),
            notegen_version=_str(d, "notegen", "record", ""),
            schema=schema,
        )
