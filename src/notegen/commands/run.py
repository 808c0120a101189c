"""``notegen run``: run the stale and never-measured experiments through pytest.

What needs running is decided statically (experiments scanned with ``ast``,
results read from JSON, code hashed) — torch and pytest are not imported, and
when nothing is stale nothing starts. The experiments that do run go through
pytest with pytest-xdist (``-n``; one worker process by default, so a hung
experiment that has to be killed takes only its worker down; ``-n 0`` runs them
in this process, where such an experiment ends the whole run), with a line per
finished experiment and an ETA from the durations recorded last time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from notegen.commands._project import Project, add_project_arguments, project_from_args
from notegen.link.experiments import ExperimentState, match_results, scan_experiments
from notegen.store.codehash import relpath
from notegen.store.load import load_results

HELP = "run the stale and never-measured experiments (or --all) through pytest, with progress"
DEFAULT_GUESS_S = 30.0
"""Assumed duration of an experiment that was never measured, when nothing else is known."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="PATH",
        help="only experiments under these files/folders or with these node ids",
    )
    parser.add_argument("--all", action="store_true", help="re-run every experiment")
    parser.add_argument(
        "--failed",
        action="store_true",
        help="also re-run experiments whose latest result is broken or not the declared verdict",
    )
    parser.add_argument(
        "-n",
        "--workers",
        default=1,
        type=_workers,
        metavar="N",
        help="parallel worker processes (pytest-xdist): a number or 'auto'; "
        "0 runs in this process, where an experiment stuck past its time limit "
        "ends the whole run (default: 1)",
    )
    parser.add_argument(
        "-k",
        dest="keyword",
        default=None,
        metavar="EXPR",
        help="only experiments matching this pytest -k expression",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="list what would run, and why, without running it"
    )
    add_project_arguments(parser)


def _workers(value: str) -> int | str:
    """``-n``: a number of worker processes (0: none) or ``auto``."""
    if value == "auto":
        return value
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a number of worker processes; use 0, 1, 2, ... or 'auto'"
        )
    return n


def run(args: argparse.Namespace) -> int:
    project = project_from_args(args)
    workers: int | str = args.workers
    return run_experiments(
        project.root,
        all=args.all,
        failed=args.failed,
        workers=workers,
        targets=args.targets,
        keyword=args.keyword,
        dry_run=args.dry_run,
        examples_dir=project.examples_dir,
        results_dir=project.results_dir,
    )


# --- selection ----------------------------------------------------------------------------


def _keywords(state: ExperimentState) -> set[str]:
    exp = state.experiment
    words = {"claim", *exp.function.split("."), *Path(exp.path).parts}
    words.add(state.node_id.rsplit("::", 1)[-1])
    return words


def _keyword_match(expr: str, state: ExperimentState) -> bool:
    from _pytest.mark.expression import Expression  # pytest's own -k grammar

    words = [w.lower() for w in _keywords(state)]

    def matcher(name: str, /, **_: str | int | bool | None) -> bool:
        return any(name.lower() in w for w in words)

    return bool(Expression.compile(expr).evaluate(matcher))


def _target_match(targets: Sequence[Path | str], root: Path, state: ExperimentState) -> bool:
    for t in targets:
        text = str(t)
        path_part, sep, rest = text.partition("::")
        p = Path(path_part)
        rel = relpath(p if p.is_absolute() else Path.cwd() / p, root)
        if sep:
            wanted = f"{rel}::{rest}"
            if (
                state.node_id == wanted
                or state.node_id.startswith(wanted + "[")
                or state.node_id.startswith(wanted + "::")
                or state.experiment.experiment_id == wanted
            ):
                return True
        elif (
            state.experiment.path == rel
            or state.experiment.path.startswith(rel.rstrip("/") + "/")
            or rel in ("", ".")
        ):
            return True
    return False


@dataclass(slots=True)
class Plan:
    """What ``notegen run`` will do."""

    in_scope: list[ExperimentState] = field(default_factory=list)
    selected: list[tuple[ExperimentState, str]] = field(default_factory=list)
    """Instances to run, each with why."""
    whole: set[str] = field(default_factory=set)
    """Base ids of selected experiments whose instances are not known statically: pytest
    gets the function, so that instances never measured are collected and run too."""
    known: dict[str, list[str]] = field(default_factory=dict)
    """Measured instances of experiments whose instances are not known statically."""

    def node_ids(self) -> list[str]:
        ids: list[str] = []
        for s, _ in self.selected:
            if s.node_id not in ids:
                ids.append(s.node_id)
        return ids

    def pytest_selection(self) -> tuple[list[str], list[str]]:
        """``(node ids to hand to pytest, node ids to deselect)``: a function in
        :attr:`whole` stands for its instances, less the measured ones not selected."""
        ids: list[str] = []
        chosen = {s.node_id for s, _ in self.selected}
        for s, _ in self.selected:
            base = s.experiment.experiment_id
            nid = base if base in self.whole else s.node_id
            if nid not in ids:
                ids.append(nid)
        deselect = [
            n
            for base in self.whole
            for n in self.known.get(base, [])
            if n != base and n not in chosen
        ]
        return ids, sorted(deselect)


def plan_run(
    project: Project,
    *,
    all: bool = False,
    failed: bool = False,
    targets: Sequence[Path | str] = (),
    keyword: str | None = None,
) -> tuple[Plan, list[str]]:
    """Decide which experiment instances to run, statically (no torch, no pytest unless
    ``keyword`` is given). Returns the plan and warnings to show."""
    experiments, diags = scan_experiments(project.examples_dir, project.root)
    results, rdiags = load_results(project.results_dir, project.root)
    warnings = [str(d) for d in [*diags, *rdiags]]
    states, _orphans = match_results(experiments, results)
    plan = Plan()
    for st in states:
        if st.experiment.params is None and st.result is not None:
            plan.known.setdefault(st.experiment.experiment_id, []).append(st.node_id)
    for st in states:
        if st.experiment.skipped:
            continue
        if targets and not _target_match(targets, project.root, st):
            continue
        if keyword and not _keyword_match(keyword, st):
            continue
        plan.in_scope.append(st)
        if all:
            why = "--all"
        elif st.kind != "fresh":
            why = st.why
        elif failed and not st.as_declared:
            assert st.result is not None
            why = f"latest is {st.result.record.latest.verdict}"
        else:
            continue
        plan.selected.append((st, why))
        exp = st.experiment
        if exp.params is None and (
            not targets
            or _target_match(targets, project.root, ExperimentState(exp, exp.experiment_id, None))
        ):
            plan.whole.add(exp.experiment_id)
    return plan, warnings


# --- progress -----------------------------------------------------------------------------


def _fmt_s(seconds: float) -> str:
    seconds = max(0, round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """A pytest plugin (on the controller) printing one line per finished experiment."""

    def __init__(self, expected: dict[str, float | None], workers: int, out: TextIO) -> None:
        self.expected = dict(expected)
        known = [d for d in expected.values() if d is not None]
        self.guess = sum(known) / len(known) if known else DEFAULT_GUESS_S
        self._seen: list[float] = list(known)
        self.workers = max(1, workers)
        self.out = out
        self.done: dict[str, dict[str, Any]] = {}
        self.failures: list[tuple[str, str]] = []
        self.collect_errors: list[tuple[str, str]] = []
        self.total = len(expected)
        self.t0 = time.monotonic()

    def _estimate(self, node_id: str) -> float:
        d = self.expected.get(node_id)
        if d is None:
            d = self.expected.get(node_id.split("[", 1)[0])
        return self.guess if d is None else d

    def eta(self) -> float:
        remaining = [self._estimate(n) for n in self.expected if n not in self.done]
        return sum(remaining) / self.workers

    def _line(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def pytest_collection_finish(self, session: Any) -> None:
        self._set_total([item.nodeid for item in session.items])

    def _set_total(self, ids: list[str]) -> None:
        for i in ids:
            self.expected.setdefault(i, self.expected.get(i.split("[", 1)[0]))
        # A base id stands for its instances once they are known.
        for base in [k for k in self.expected if "[" not in k]:
            if any(i.startswith(base + "[") for i in ids) and base not in ids:
                del self.expected[base]
        self.total = len(self.expected)

    def pytest_collectreport(self, report: Any) -> None:
        if report.failed:
            self.collect_errors.append((report.nodeid, str(report.longrepr)))
            self._line(
                f"collection error in {report.nodeid}: "
                f"{str(report.longrepr).strip().splitlines()[-1]}"
            )

    def pytest_runtest_logreport(self, report: Any) -> None:
        from notegen.pytest_plugin.session import report_info

        info = report_info(report)
        # when="???": pytest-xdist's report for a test whose worker died.
        crashed = report.failed and report.when in ("call", "???") and info is None
        if info is None and not crashed and not (report.when == "setup" and report.skipped):
            return
        if report.nodeid in self.done:
            return
        n = len(self.done) + 1
        if report.skipped and info is None:
            state, detail = "skipped", ""
            self.done[report.nodeid] = {}
        elif info is None:
            state, detail = "failed", "(no result recorded: the worker crashed?)"
            self.done[report.nodeid] = {}
            self.failures.append((report.nodeid, str(report.longrepr)))
        else:
            self.done[report.nodeid] = info
            # Never-measured experiments are guessed from what this run has seen so far.
            self._seen.append(float(info.get("duration_s") or 0.0))
            self.guess = sum(self._seen) / len(self._seen)
            v, e = info["verdict"], info["expected"]
            state = (
                f"{v}, as declared"
                if v == e
                else ("BROKEN" if v == "broken" else f"{v.upper()} (declared {e})")
            )
            detail = info.get("summary") or ""
            if v == "broken" or v != e:
                message = (info.get("message") or "").strip().splitlines()
                detail = (info.get("location") or "") + " " + (message[0] if message else "")
                self.failures.append((report.nodeid, str(report.longrepr)))
            detail = f"{info['duration_s']:.1f}s  {detail}".rstrip()
        eta = self.eta()
        total = max(self.total, n)
        tail = f"  ETA {_fmt_s(eta)}" if n < total else ""
        self._line(f"[{n}/{total}] {report.nodeid}: {state}  {detail}{tail}")


@contextlib.contextmanager
def _run_environment(threads: str) -> Iterator[None]:
    """Fixed hash seed and BLAS threads for the worker processes, restored afterwards."""
    wanted = {
        "PYTHONHASHSEED": "0",
        "OMP_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
    }
    saved = {k: os.environ.get(k) for k in wanted}
    for k, v in wanted.items():
        os.environ.setdefault(k, v)
    try:
        yield
    finally:
        for k, old in saved.items():
            if old is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = old


def run_experiments(
    root: Path,
    *,
    all: bool = False,
    failed: bool = False,
    workers: int | str = 1,
    targets: Sequence[Path | str] = (),
    keyword: str | None = None,
    dry_run: bool = False,
    examples_dir: Path | None = None,
    results_dir: Path | None = None,
    pytest_args: Sequence[str] = (),
    out: TextIO | None = None,
) -> int:
    """Run the experiments whose results are stale or missing (or all), with progress.

    For ``notegen run`` and ``notegen build``. When nothing needs running,
    neither pytest nor torch is imported.

    Args:
        root: The project root (pytest's rootdir; node ids are relative to it).
        all: Re-run every experiment in scope.
        failed: Also re-run those whose latest result is broken or not as declared.
        workers: pytest-xdist workers (a number, or ``"auto"``); 0 runs in-process.
        targets: Only experiments under these paths / with these node ids.
        keyword: Only experiments matching this ``-k`` expression.
        dry_run: Print the plan only.
        examples_dir: The experiments folder (default ``root/examples``).
        results_dir: The results folder (default ``root/results``).
        pytest_args: Extra pytest arguments (e.g. ``["--notegen-timeout=60"]``).
        out: Where progress goes (default stdout).

    Returns:
        0 when every experiment in scope ends with its declared verdict; 1 when one
        does not (broken, or contradicted); pytest's code for usage or collection
        errors.
    """
    out = out or sys.stdout
    root = root.resolve()
    project = Project(
        root,
        (examples_dir or root / "examples").resolve(),
        (results_dir or root / "results").resolve(),
    )
    plan, warnings = plan_run(project, all=all, failed=failed, targets=targets, keyword=keyword)
    for w in warnings:
        out.write(f"{w}\n")
    if not plan.in_scope:
        out.write(
            f"notegen run: no experiments found under "
            f"{relpath(project.examples_dir, root)}"
            f"{' matching the selection' if targets or keyword else ''}\n"
        )
        return 0
    if not plan.selected:
        bad = [s for s in plan.in_scope if not s.as_declared]
        out.write(f"notegen run: nothing to run; {len(plan.in_scope)} experiment(s) up to date\n")
        if bad:
            out.write(
                f"  {len(bad)} of them ended other than declared "
                f"(`notegen status` shows them; `notegen run --failed` re-runs them)\n"
            )
            return 1
        return 0
    durations: dict[str, float | None] = {}
    for st, _ in plan.selected:
        d = st.result.record.latest.duration_s if st.result else None
        durations.setdefault(st.node_id, d)
    n_workers = (os.cpu_count() or 1) if workers == "auto" else int(workers)
    known = [d for d in durations.values() if d is not None]
    guess = sum(known) / len(known) if known else DEFAULT_GUESS_S
    total_s = sum(d if d is not None else guess for d in durations.values())
    unknown = sum(d is None for d in durations.values())
    eta = _fmt_s(total_s / max(1, n_workers)) + (" (guessed for some)" if unknown else "")
    on = f"on {n_workers} worker(s)" if n_workers else "in this process"
    out.write(
        f"notegen run: {len(durations)} of {len(plan.in_scope)} experiment(s) to run "
        f"{on}, ETA {eta}\n"
    )
    for st, why in plan.selected:
        out.write(f"  {st.node_id}  ({why})\n")
    for base in sorted(plan.whole - set(plan.node_ids())):
        out.write(
            f"  {base}[...]  (parameters not known before pytest collects them: "
            "instances never measured run too)\n"
        )
    out.flush()
    if dry_run:
        return 0

    import pytest

    node_ids, deselect = plan.pytest_selection()
    args = [
        "-p",
        "no:terminal",
        "-p",
        "notegen.pytest_plugin.quiet",
        "-p",
        "no:cacheprovider",
        "--rootdir",
        str(root),
        "--notegen-results-dir",
        str(project.results_dir),
        *(["-k", keyword] if keyword else []),
        *(["-n", str(workers)] if workers != 0 else []),
        *[f"--deselect={nid}" for nid in deselect],
        *pytest_args,
        *[str(root / nid.split("::", 1)[0]) + "::" + nid.split("::", 1)[1] for nid in node_ids],
    ]

    class XdistProgress(Progress):
        @pytest.hookimpl(optionalhook=True)
        def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
            self._set_total(list(ids))

    progress = XdistProgress(durations, n_workers, out)
    t0 = time.monotonic()
    with _run_environment("1"):
        rc = int(pytest.main(args, plugins=[progress]))
    elapsed = time.monotonic() - t0
    moved = [(nid, info["changes"]) for nid, info in progress.done.items() if info.get("changes")]
    if progress.failures or progress.collect_errors:
        out.write("\n=== not as declared, broken or crashed ===\n")
        for nid, text in [*progress.collect_errors, *progress.failures]:
            out.write(f"\n--- {nid}\n{text.rstrip()}\n")
    if moved:
        out.write("\n=== measurements that moved (see the diff of results/) ===\n")
        for nid, changes in moved:
            out.write(f"{nid}\n")
            for c in changes:
                out.write(f"  {c}\n")
    if rc not in (0, 1) or (rc == 1 and not progress.done and not progress.collect_errors):
        out.write(
            f"\nnotegen run: pytest stopped with exit code {rc} before reporting any "
            "experiment (a usage error, or workers that could not start); run\n"
            f"  pytest {' '.join(plan.node_ids())}\nto see pytest's own output\n"
        )
    ran = len(progress.done)
    as_declared = sum(1 for i in progress.done.values() if i.get("as_declared"))
    out.write(
        f"\nnotegen run: {ran} experiment(s) run in {_fmt_s(elapsed)}, "
        f"{as_declared} as declared, {ran - as_declared} not\n"
    )
    missing = [
        n
        for n in plan.node_ids()
        if n not in progress.done and not any(d.startswith(n + "[") for d in progress.done)
    ]
    failed_modules = tuple(nid + "::" for nid, _ in progress.collect_errors)
    uncollected = [n for n in missing if failed_modules and n.startswith(failed_modules)]
    if uncollected:
        out.write(f"  recorded broken, could not be collected: {', '.join(uncollected)}\n")
    if missing := [n for n in missing if n not in uncollected]:
        out.write(f"  not run (deselected, or not collected): {', '.join(missing)}\n")
    if rc in (0, 1, 5):
        final, _ = plan_run(project, targets=targets, keyword=keyword)
        bad = [s for s in final.in_scope if not s.as_declared]
        return 1 if bad or rc == 1 else 0
    return rc
