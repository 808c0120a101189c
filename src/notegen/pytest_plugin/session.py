"""The hooks that turn a claim-marked test into a verdict and a results file.

Verdicts (DESIGN.md "Verdicts") and how pytest shows them:

=================================  ===============================================
measured                           pytest
=================================  ===============================================
as declared, ``supported``         passed
as declared, ``refuted``           xfailed (reason: "refuted, as declared: ...")
as declared, ``inconclusive``      xfailed (reason: "inconclusive, as declared: ...")
not as declared                    failed, with claims, declared and measured verdict,
                                   summary and metrics (and the assertion, if any)
broken                             error ("ERROR at call"), pointing at the
                                   experiment's own ``file:line``
=================================  ===============================================

A measured verdict is ``measure.verdict(...)`` when called, ``refuted`` when an
``AssertionError`` escapes, else ``supported``. Any other exception, the time
limit, or a NaN/infinite metric makes the run ``broken``.

Only tests carrying a ``claim`` marker are touched and recorded.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import platform
import subprocess
import time
import traceback
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any, cast

import pytest
from _pytest._code.code import (
    ExceptionChainRepr,
    ExceptionInfo,
    ReprEntryNative,
    ReprFileLocation,
    ReprTraceback,
)

from notegen import __version__
from notegen.diagnostics import SourceSpan
from notegen.errors import NotegenError
from notegen.link.experiments import Experiment, scan_file
from notegen.pytest_plugin.collect import affected_experiments, describe_error
from notegen.pytest_plugin.determinism import (
    DeterministicMode,
    ExperimentTimeout,
    reproducible,
    time_limit,
    torch_threads,
)
from notegen.pytest_plugin.measure import RunState
from notegen.store.codehash import CodeHasher, combine_hashes, relpath, user_relpath
from notegen.store.files import plot_entry, read_record, record_path, save_measurement
from notegen.store.schema import (
    EXPECTATIONS,
    Environment,
    Expectation,
    HistoryEntry,
    Measurement,
    ResultRecord,
    Verdict,
)

STATE_KEY = pytest.StashKey[RunState]()
_HARD_TIMEOUT = "did not stop within"
"""In the message of an experiment whose process was ended after its time limit."""
PROPERTY = "notegen"
"""Name of the ``user_properties`` entry a claim test's report carries (a dict)."""
_PACKAGES = ("torch", "numpy", "scipy", "matplotlib", "pytest", "notegen")


@dataclass(frozen=True, slots=True)
class Settings:
    """The plugin's configuration, from ``--notegen-*`` options and ``notegen_*`` ini keys."""

    results_dir: Path
    timeout: float | None
    grace: float
    threads: int
    seed: int
    device: str
    deterministic: DeterministicMode
    record: bool

    @classmethod
    def from_config(cls, config: pytest.Config) -> Settings:
        def opt(name: str, ini: str) -> Any:
            value = config.getoption(name, default=None)
            return config.getini(ini) if value is None else value

        root = config.rootpath
        results = Path(str(opt("notegen_results_dir", "notegen_results_dir")))
        if not results.is_absolute():
            results = root / results
        timeout = _number(opt("notegen_timeout", "notegen_timeout"), "notegen_timeout")
        mode = str(opt("notegen_deterministic", "notegen_deterministic"))
        if mode not in ("error", "warn", "off"):
            raise pytest.UsageError(
                f"notegen_deterministic = {mode!r}; use one of 'error', 'warn', 'off'"
            )
        device = str(opt("notegen_device", "notegen_device"))
        if device not in ("auto", "cpu", "cuda"):
            raise pytest.UsageError(f"notegen_device = {device!r}; use 'auto', 'cpu' or 'cuda'")
        return cls(
            results_dir=results,
            timeout=timeout if timeout and timeout > 0 else None,
            grace=_number(config.getini("notegen_timeout_grace"), "notegen_timeout_grace") or 10.0,
            threads=int(_number(opt("notegen_threads", "notegen_threads"), "notegen_threads") or 0),
            seed=int(_number(config.getini("notegen_seed"), "notegen_seed") or 0),
            device=device,
            deterministic=cast(DeterministicMode, mode),
            record=not config.getoption("notegen_no_record", default=False),
        )


def _number(value: object, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(cast(str, value))
    except (TypeError, ValueError):
        raise pytest.UsageError(f"{name} = {value!r} is not a number") from None


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def _base_id(node_id: str) -> str:
    return node_id.split("[", 1)[0]


def report_info(report: pytest.TestReport | pytest.CollectReport) -> dict[str, Any] | None:
    """The notegen entry of a report's ``user_properties`` (None for other tests)."""
    for key, value in getattr(report, "user_properties", ()):
        if key == PROPERTY and isinstance(value, dict):
            return value
    return None


def compared_with(previous: ResultRecord) -> Measurement | HistoryEntry | None:
    """What a new measurement is compared with: the stored latest one, or when that
    one is broken, the last good one (else the newest earlier run that was not broken)."""
    if previous.latest.verdict != "broken":
        return previous.latest
    if previous.last_good is not None:
        return previous.last_good
    return next((h for h in reversed(previous.history) if h.verdict != "broken"), None)


def describe_changes(old: Measurement | HistoryEntry, new: Measurement) -> list[str]:
    """How a re-measurement moved compared with the stored one, in plain words.

    A verdict flip, a metric outside the stored confidence interval (or a
    changed scalar), and metrics that appeared or vanished.
    """
    out: list[str] = []
    if old.verdict != new.verdict:
        out.append(f"verdict flipped: {old.verdict} → {new.verdict}")
    for name, m in new.metrics.items():
        before = old.metrics.get(name)
        if before is None:
            out.append(f"new metric {name} = {m}")
            continue
        if before.is_estimate:
            if not before.contains(m.value):
                out.append(
                    f"{name} = {m.value:.6g} is outside the previous "
                    f"{(before.confidence or 0.95):.0%} CI "
                    f"[{before.ci_low:.6g}, {before.ci_high:.6g}] (was {before.value:.6g})"
                )
        elif before.value != m.value:
            out.append(f"{name} changed: {before.value:.6g} → {m.value:.6g}")
    for name in old.metrics.keys() - new.metrics.keys():
        out.append(f"metric {name} is no longer measured")
    return out


class NotegenSession:
    """Per-session plugin object, registered by ``pytest_configure``."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.settings = Settings.from_config(config)
        self.root = config.rootpath
        self.hasher = CodeHasher(self.root)
        self._scans: dict[Path, dict[str, Experiment]] = {}
        self._env: dict[str, Any] | None = None
        self.moved: list[tuple[str, list[str]]] = []
        self.recorded: list[str] = []
        self._started_at = time.time()

    # -- static facts ------------------------------------------------------------------

    def experiment_meta(self, item: pytest.Item) -> Experiment | None:
        path = Path(str(item.path)).resolve()
        if path not in self._scans:
            found, _ = scan_file(path, self.root)
            self._scans[path] = {e.experiment_id: e for e in found}
        return self._scans[path].get(_base_id(item.nodeid))

    def environment(self, device: str, threads: int) -> Environment:
        if self._env is None:
            packages: dict[str, str] = {}
            for name in _PACKAGES:
                with contextlib.suppress(metadata.PackageNotFoundError):
                    packages[name] = metadata.version(name)
            self._env = {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "machine": platform.machine(),
                "packages": packages,
                "commit": _git_commit(self.root),
            }
        return Environment(
            python=self._env["python"],
            platform=self._env["platform"],
            machine=self._env["machine"],
            device=device,
            threads=threads,
            packages=dict(self._env["packages"]),
            deterministic=self.settings.deterministic,
            commit=self._env["commit"],
        )

    # -- the run -----------------------------------------------------------------------

    def _claim_state(self, item: pytest.Item) -> RunState | None:
        markers = list(item.iter_markers("claim"))
        if not markers:
            return None
        claims: list[str] = []
        for m in reversed(markers):
            claims.extend(str(c) for c in m.args if str(c) not in claims)
        expect = next((m.kwargs["expect"] for m in markers if "expect" in m.kwargs), "supported")
        timeout_given = next((m for m in markers if "timeout" in m.kwargs), None)
        timeout: float | None = self.settings.timeout
        problems: list[str] = []
        unknown = {k for m in markers for k in m.kwargs} - {"expect", "timeout"}
        if unknown:
            problems.append(
                f"unknown claim marker argument(s) {', '.join(sorted(unknown))}; "
                "known: expect=, timeout="
            )
        if not claims:
            problems.append('the claim marker names no claim id: @pytest.mark.claim("claim-id")')
        if expect not in EXPECTATIONS:
            problems.append(f"expect={expect!r} is not one of {', '.join(map(repr, EXPECTATIONS))}")
        if timeout_given is not None:
            t = timeout_given.kwargs["timeout"]
            if t is None:
                timeout = self.settings.timeout
            elif isinstance(t, bool) or not isinstance(t, int | float) or t < 0:
                problems.append(f"timeout={t!r} must be a number of seconds (0: no limit)")
            else:
                timeout = float(t) if t > 0 else None
        if problems:
            meta = self.experiment_meta(item)
            where = str(meta.span) if meta else item.nodeid
            pytest.fail(f"{where}: {'; '.join(problems)}", pytrace=False)
        return RunState(
            experiment_id=item.nodeid,
            claims=tuple(claims),
            expect=str(expect),
            timeout=timeout,
            root=self.root,
            seed=self.settings.seed,
        )

    # Innermost of the wrappers (capture and logging wrap it), around the fixtures' setup.
    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        if item.get_closest_marker("claim") is None:
            return (yield)
        state = self._claim_state(item)
        assert state is not None
        item.stash[STATE_KEY] = state
        if self.settings.deterministic != "off":
            # Deterministic cuBLAS needs this before its first handle is created;
            # set only once an experiment is about to run, never for ordinary tests.
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        # The experiment's fixtures run under the same time limit as its body.
        with self._timed(item, state):
            return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, None, None]:
        state = item.stash.get(STATE_KEY, None)
        if state is None:
            return (yield)
        s = self.settings
        state.started = _now()
        with reproducible(state.seed, s.threads, s.deterministic) as notes:
            state.notes.extend(notes)
            state.threads = torch_threads()
            with self._timed(item, state):
                return (yield)

    @contextlib.contextmanager
    def _timed(self, item: pytest.Item, state: RunState) -> Iterator[None]:
        """Time the ``with`` body into ``state`` under the experiment's time limit; past it
        and the grace period, the watchdog records the experiment as broken, says so on
        the real stderr, and ends the process."""

        def hard_timeout(frame: FrameType | None) -> str:
            capture = item.config.pluginmanager.getplugin("capturemanager")
            if capture is not None:  # let the last words reach the terminal
                with contextlib.suppress(Exception):
                    capture.suspend_global_capture(in_=False)
            where = self._stack_location(frame, item)
            self._record(item, state, None, hard=True, location=where)
            return "recorded as broken" + (f"; it was at {where}" if where else "")

        state.t0 = time.perf_counter()
        try:
            with time_limit(
                state.timeout,
                grace=self.settings.grace,
                on_hard_timeout=hard_timeout,
                what=item.nodeid,
            ):
                yield
        finally:
            state.duration_s = time.perf_counter() - state.t0

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        state = item.stash.get(STATE_KEY, None)
        if (
            call.when == "setup"
            and item.get_closest_marker("claim") is not None
            and report.failed
            and state is not None
        ):
            # An experiment's fixture failed: the experiment is broken.
            state.started = state.started or _now()
            self._record(item, state, call.excinfo, report=report)
        elif call.when == "call" and state is not None:
            if call.excinfo is not None and call.excinfo.errisinstance(
                (pytest.skip.Exception, pytest.xfail.Exception)
            ):
                return report  # skipped or xfailed imperatively: nothing measured
            self._record(item, state, call.excinfo, report=report)
        return report

    # -- verdicts and records ----------------------------------------------------------

    def _location_of(
        self, excinfo: ExceptionInfo[BaseException], item: pytest.Item
    ) -> tuple[str | None, str | None]:
        """(line in the test file, deepest line in the user's own files) of a traceback."""
        return self._user_sites(
            ((str(entry.path), entry.lineno + 1) for entry in excinfo.traceback), item
        )

    def _stack_location(self, frame: FrameType | None, item: pytest.Item) -> str | None:
        """Where a running (stuck) experiment is: its line in the test file, else the
        deepest line in the user's own files."""
        if frame is None:
            return None
        stack = reversed([(f.f_code.co_filename, line) for f, line in traceback.walk_stack(frame)])
        in_test, deepest = self._user_sites(stack, item)
        return deepest or in_test

    def _user_sites(
        self, frames: Iterable[tuple[str, int]], item: pytest.Item
    ) -> tuple[str | None, str | None]:
        """(line in the test file, deepest line in the user's own files) of
        ``(file, 1-based line)`` frames, outermost first."""
        test_path = Path(str(item.path)).resolve()
        in_test: str | None = None
        deepest: str | None = None
        for file, line in frames:
            p = Path(file).resolve()
            shown = user_relpath(p, self.root)
            if shown is None:
                continue
            if "notegen" in p.parts and "pytest_plugin" in p.parts:
                continue
            where = f"{shown}:{line}"
            deepest = where
            if p == test_path:
                in_test = where
        return in_test, deepest

    @staticmethod
    def _limit_source(item: pytest.Item) -> str:
        if any("timeout" in m.kwargs for m in item.iter_markers("claim")):
            return "limit from claim marker"
        return "limit from notegen_timeout"

    def _verdict(
        self, item: pytest.Item, state: RunState, excinfo: ExceptionInfo[BaseException] | None
    ) -> tuple[Verdict, str, str | None]:
        """(measured verdict, outcome message, location)."""
        bad = [(k, m) for k, m in state.metrics.items() if not m.finite]
        if bad:
            name, m = bad[0]
            site = state.metric_sites.get(name)
            value = m.value if not m.samples else ", ".join(f"{x:g}" for x in m.samples)
            return (
                "broken",
                f"metric {name!r} is not a finite number ({value}); "
                "a NaN or infinite metric makes the experiment broken",
                site,
            )
        if excinfo is None:
            verdict = state.verdict or "supported"
            how = "measure.verdict" if state.verdict else "returned without measure.verdict"
            return cast(Verdict, verdict), f"measured {verdict} ({how})", state.verdict_site
        in_test, deepest = self._location_of(excinfo, item)
        where = in_test or deepest
        if excinfo.errisinstance(ExperimentTimeout):
            msg = (
                f"timed out after {state.timeout:g} s ({self._limit_source(item)}); it was at "
                f"{deepest or where or '?'} when stopped"
            )
            return "broken", msg, where
        if excinfo.errisinstance(AssertionError):
            text = excinfo.exconly().strip()
            return "refuted", f"measured refuted: {text}", where
        text = excinfo.exconly().strip()
        extra = f" (raised in {deepest})" if deepest and deepest != where else ""
        return "broken", f"{text}{extra}", where

    def _record(
        self,
        item: pytest.Item,
        state: RunState,
        excinfo: ExceptionInfo[BaseException] | None,
        *,
        report: pytest.TestReport | None = None,
        hard: bool = False,
        location: str | None = None,
    ) -> None:
        if state.recorded:
            return
        state.recorded = True
        if hard:
            verdict: Verdict = "broken"
            at = f"; it was at {location}" if location else ""
            message = (
                f"timed out after {state.timeout:g} s ({self._limit_source(item)}) and "
                f"{_HARD_TIMEOUT} {self.settings.grace:g} s more{at}; the process was "
                "ended (a call that cannot be interrupted?)"
            )
            state.duration_s = time.perf_counter() - state.t0
        else:
            verdict, message, location = self._verdict(item, state, excinfo)
        if report is not None and report.when == "setup":
            location = location or str(self._span(item))
            message = f"setup failed: {message}"
        expect = cast(Expectation, state.expect)
        # Which metrics decided it: only for the verdict measure.verdict set.
        from_call = excinfo is None and verdict == state.verdict
        decided_by = state.decided_by() if from_call else ()
        record = self._build_record(item, state, verdict, message, location, expect, decided_by)
        outcome = None
        if self.settings.record:
            try:
                outcome = save_measurement(
                    self.settings.results_dir,
                    record,
                    {
                        p.file: data
                        for p, (_, _, data) in zip(record.latest.plots, state.figures, strict=True)
                    },
                )
            except NotegenError as e:
                if report is not None:
                    report.sections.append(("notegen", f"results not saved: {e}"))
                if hard:
                    return
            else:
                item.config.hook.pytest_notegen_recorded(item=item, outcome=outcome)
                if hard:
                    # Even when the record is unchanged: tells the controller of an xdist
                    # run that this run ended so (see pytest_handlecrashitem).
                    with contextlib.suppress(OSError):
                        os.utime(outcome.path)
        if report is None:
            return
        changes: list[str] = []
        if outcome is not None and outcome.previous is not None and verdict != "broken":
            before = compared_with(outcome.previous)
            if before is not None:
                changes = describe_changes(before, record.latest)
        info = {
            "experiment": item.nodeid,
            "claims": list(state.claims),
            "verdict": verdict,
            "expected": expect,
            "as_declared": verdict == expect,
            "summary": state.summary,
            "message": message,
            "location": location,
            "duration_s": round(state.duration_s, 3),
            "file": relpath(outcome.path, self.root) if outcome else None,
            "action": outcome.action if outcome else None,
            "changes": changes,
        }
        report.user_properties.append((PROPERTY, info))
        self._shape_report(item, report, state.claims, record.latest, excinfo, location)

    def _span(self, item: pytest.Item) -> SourceSpan:
        meta = self.experiment_meta(item)
        if meta is not None:
            return meta.span
        path, line, _ = item.location
        return SourceSpan(path, (line or 0) + 1, (line or 0) + 1)

    def _build_record(
        self,
        item: pytest.Item,
        state: RunState,
        verdict: Verdict,
        message: str,
        location: str | None,
        expect: Expectation,
        decided_by: tuple[str, ...] = (),
    ) -> ResultRecord:
        meta = self.experiment_meta(item)
        fn = getattr(item, "obj", None)
        files = self.hasher.file_hashes(Path(str(item.path)))
        plots = tuple(
            plot_entry(item.nodeid, name, caption, data, as_declared=verdict == expect)
            for name, caption, data in state.figures
        )
        measurement = Measurement(
            verdict=verdict,
            expected=expect,
            message=message,
            summary=state.summary,
            metrics=dict(state.metrics),
            plots=plots,
            seeds=tuple(state.seeds),
            code_hash=combine_hashes(files),
            files=files,
            environment=self.environment(state.device, state.threads),
            started=state.started or _now(),
            duration_s=state.duration_s,
            location=location,
            notes=tuple(state.notes),
            notegen_seed=state.seed,
            decided_by=decided_by,
        )
        doc = meta.doc if meta else (getattr(fn, "__doc__", None) or "")
        function = meta.function if meta else getattr(fn, "__qualname__", item.name)
        return ResultRecord(
            experiment=item.nodeid,
            claims=state.claims,
            expected=expect,
            function=function,
            source=self._span(item),
            doc=doc,
            latest=measurement,
            notegen_version=__version__,
        )

    def _shape_report(
        self,
        item: pytest.Item,
        report: pytest.TestReport,
        claim_ids: tuple[str, ...],
        m: Measurement,
        excinfo: ExceptionInfo[BaseException] | None,
        location: str | None,
    ) -> None:
        claims = ", ".join(claim_ids)
        span = self._span(item)
        where = location or str(span)
        path, _, line = where.rpartition(":")
        lineno = int(line) if line.isdigit() else span.line_start
        details = [f"claims: {claims}", f"declared: {m.expected}", f"measured: {m.verdict}"]
        if m.summary:
            details.append(f"summary: {m.summary}")
        for name, metric in m.metrics.items():
            details.append(f"metric {name}: {metric}")
        if m.verdict == "broken":
            if report.when == "setup":
                return  # pytest already shows a setup error with its traceback
            head = f"{where}: experiment broken: {m.message}"
            report.outcome = "failed"
            report.longrepr = _repr(head, "\n".join(details), path, lineno, report.longrepr)
            return
        if m.verdict == m.expected:
            if m.verdict == "supported":
                return
            report.outcome = "skipped"
            reason = f"{m.verdict}, as declared" + (f": {m.summary}" if m.summary else "")
            report.wasxfail = reason
            return
        head = f"{where}: claim {claims} was declared {m.expected} but measured {m.verdict}" + (
            f": {m.summary}" if m.summary else ""
        )
        hint = (
            f"If the measurement is right, declare it: "
            f"@pytest.mark.claim(..., expect={m.verdict!r}), or fix the experiment."
        )
        report.outcome = "failed"
        base = report.longrepr if excinfo is not None else None
        report.longrepr = _repr(head, "\n".join([*details, hint]), path, lineno, base)

    # -- reporting -----------------------------------------------------------------------

    @pytest.hookimpl(optionalhook=True)
    def pytest_handlecrashitem(self, crashitem: str, report: pytest.TestReport) -> None:
        """On the controller of an xdist run: a worker died while running ``crashitem``.
        When that was an experiment the watchdog ended after its time limit (it wrote
        the broken record just before), the report says so, as the experiment's own."""
        path = record_path(self.settings.results_dir, crashitem)
        try:
            if path.stat().st_mtime < self._started_at - 1:
                return  # not written by this run
            rec = read_record(path)
        except (OSError, NotegenError):
            return
        m = rec.latest
        if rec.experiment != crashitem or m.verdict != "broken" or _HARD_TIMEOUT not in m.message:
            return
        where = m.location or str(rec.source)
        info = {
            "experiment": crashitem,
            "claims": list(rec.claims),
            "verdict": m.verdict,
            "expected": m.expected,
            "as_declared": False,
            "summary": m.summary,
            "message": m.message,
            "location": where,
            "duration_s": round(m.duration_s, 3),
            "file": relpath(path, self.root),
            "action": "updated",
            "changes": [],
        }
        report.user_properties.append((PROPERTY, info))
        report.longrepr = f"{where}: experiment broken: {m.message}\n(the worker was replaced)"

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        """A module (or folder) that cannot be collected: its experiments are broken.

        Recorded once: by the controller of an xdist run (which hears each distinct
        collection error once), or by the only process."""
        if not report.failed or not self.settings.record or hasattr(self.config, "workerinput"):
            return
        text = str(report.longrepr)
        error, location = describe_error(text, self.root, self.config.invocation_params.dir)
        where = f" ({location})" if location else ""
        message = f"could not be collected: {error}{where}"
        for exp in affected_experiments(report.nodeid, self.root, self.settings.results_dir):
            files = self.hasher.file_hashes(self.root / exp.node_id.split("::", 1)[0])
            latest = Measurement(
                verdict="broken",
                expected=exp.expected,
                message=message,
                summary="",
                metrics={},
                plots=(),
                seeds=(),
                code_hash=combine_hashes(files),
                files=files,
                environment=self.environment("cpu", 0),
                started=_now(),
                duration_s=0.0,
                location=location or str(exp.source),
                notegen_seed=self.settings.seed,
            )
            record = ResultRecord(
                experiment=exp.node_id,
                claims=exp.claims,
                expected=exp.expected,
                function=exp.function,
                source=exp.source,
                doc=exp.doc,
                latest=latest,
                notegen_version=__version__,
            )
            try:
                save_measurement(self.settings.results_dir, record)
            except NotegenError as e:
                report.sections.append(("notegen", f"results not saved: {e}"))
            else:
                self.recorded.append(exp.node_id)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        info = report_info(report)
        if info is None:
            return
        self.recorded.append(info["experiment"])
        if info.get("changes"):
            self.moved.append((info["experiment"], list(info["changes"])))

    def pytest_report_teststatus(
        self, report: pytest.TestReport | pytest.CollectReport, config: pytest.Config
    ) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
        info = report_info(report)
        if (
            info is not None
            and info.get("verdict") == "broken"
            and report.failed
            and report.when in ("call", "???")  # "???": xdist's report of a crashed worker
        ):
            return "error", "E", ("ERROR", {"red": True})
        return None

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.moved:
            return
        tr = terminalreporter
        tr.section("notegen: measurements that moved", sep="=", yellow=True)
        for experiment, changes in self.moved:
            tr.line(experiment)
            for c in changes:
                tr.line(f"  {c}")


def _repr(head: str, body: str, path: str, lineno: int, base: object) -> ExceptionChainRepr:
    """A failure representation whose crash line (``-ra`` summary) is ``head``, showing the
    original traceback (if any) and then notegen's details; survives xdist serialization."""
    crash = ReprFileLocation(path, lineno, head)
    text = head + "\n" + body + "\n"
    if isinstance(base, ExceptionChainRepr):
        chain = [*base.chain[:-1], (base.chain[-1][0], crash, base.chain[-1][2])]
        out = ExceptionChainRepr(chain)
        for section in base.sections:
            out.addsection(*section)
        out.addsection("notegen", text.rstrip("\n"))
        return out
    prefix = "" if base is None else str(base) + "\n\n"
    tb = ReprTraceback([ReprEntryNative([prefix + text])], None, "native")
    return ExceptionChainRepr([(tb, crash, None)])
