"""Figures for the experiments engine: how long the static paths take at scale.

Builds a throw-away project with many experiments and results (no experiment
runs; records are written through the store as the plugin would), then prints:

- ``load_results`` over N records (staleness included),
- ``scan_experiments`` over the examples folder,
- a no-op ``notegen run`` decision in-process, and as a command (interpreter
  start included), and whether the command imported torch, numpy or pytest.

Run: ``python benchmarks/bench_engine.py [--records 1000]``. Prints figures only;
nothing here is a test and nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from notegen.diagnostics import SourceSpan
from notegen.link.experiments import scan_experiments
from notegen.store import (
    CodeHasher,
    Environment,
    Measurement,
    Metric,
    ResultRecord,
    load_results,
    pinned_versions,
    save_measurement,
)
from notegen.store.codehash import combine_hashes

PER_FILE = 20


def build(root: Path, records: int) -> None:
    ex = root / "examples"
    (ex / "ctr").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n", encoding="utf-8")
    (ex / "ctr" / "__init__.py").write_text("", encoding="utf-8")
    (ex / "ctr" / "data.py").write_text("def load():\n    return [1, 2, 3]\n", encoding="utf-8")
    files = (records + PER_FILE - 1) // PER_FILE
    for f in range(files):
        body = ["import pytest", "from ctr.data import load", ""]
        for i in range(PER_FILE):
            body += [
                f'@pytest.mark.claim("claim-{f}-{i}")',
                f"def test_e{i}(measure):",
                f'    """Experiment {i} of file {f}."""',
                '    measure.metric("m", load())',
                "",
            ]
        (ex / f"test_f{f}.py").write_text("\n".join(body), encoding="utf-8")
    hasher = CodeHasher(root)
    env = Environment("3.11", "bench", "x86_64", "cpu", 1, pinned_versions())
    n = 0
    for f in range(files):
        test = f"examples/test_f{f}.py"
        hashes = hasher.file_hashes(root / test)
        for i in range(PER_FILE):
            if n == records:
                return
            m = Measurement(
                "supported",
                "supported",
                "measured supported",
                f"summary {n}",
                {"m": Metric(2.0, "u", 1.0, 3.0, 3, 0.95, (1.0, 2.0, 3.0))},
                (),
                (0, 1, 2),
                combine_hashes(hashes),
                hashes,
                env,
                "2025-01-01T00:00:00Z",
                0.5,
            )
            node = f"{test}::test_e{i}"
            save_measurement(
                root / "results",
                ResultRecord(
                    node,
                    (f"claim-{f}-{i}",),
                    "supported",
                    f"test_e{i}",
                    SourceSpan(test, 4 + 5 * i, 7 + 5 * i),
                    "doc",
                    m,
                ),
            )
            n += 1


def timed(fn: Callable[[], object], repeat: int = 5) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        build(root, args.records)
        print(
            f"built {args.records} experiments and records in "
            f"{time.perf_counter() - t0:.1f} s (save_measurement, atomic writes)"
        )

        med, best = timed(lambda: load_results(root / "results", root))
        loaded, diags = load_results(root / "results", root)
        assert len(loaded) == args.records and not diags
        print(
            f"load_results, {args.records} records:  median {med * 1000:.0f} ms, "
            f"best {best * 1000:.0f} ms"
        )

        med, best = timed(lambda: scan_experiments(root / "examples", root))
        print(
            f"scan_experiments, {args.records} experiments:  median {med * 1000:.0f} ms, "
            f"best {best * 1000:.0f} ms"
        )

        from notegen.commands._project import Project
        from notegen.commands.run import plan_run

        project = Project(root, root / "examples", root / "results")
        med, best = timed(lambda: plan_run(project))
        plan, _ = plan_run(project)
        assert not plan.selected
        print(
            f"no-op run decision (in-process):  median {med * 1000:.0f} ms, "
            f"best {best * 1000:.0f} ms"
        )

        code = (
            "import sys; from notegen.cli import main; rc = main(['run', '--root', "
            f"{str(root)!r}]); print(rc, *(m in sys.modules for m in "
            "('torch', 'numpy', 'pytest')))"
        )
        walls = []
        last = ""
        for _ in range(3):
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            )
            walls.append(time.perf_counter() - t0)
            last = proc.stdout.strip().splitlines()[-1]
        rc, torch, numpy, pytest_ = last.split()
        print(
            f"no-op `notegen run` command (interpreter start included):  median "
            f"{statistics.median(walls) * 1000:.0f} ms; exit {rc}; imported torch={torch} "
            f"numpy={numpy} pytest={pytest_}"
        )


if __name__ == "__main__":
    main()
