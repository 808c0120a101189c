"""Seconds per experiment in ``examples/``, cold and in one serial run.

Two measurements, both with the notegen plugin's settings (1 torch thread, seeded,
deterministic) and ``--notegen-no-record`` so ``results/`` is not touched:

- **standalone**: each experiment alone in a fresh ``pytest`` process, as
  ``notegen run`` does when only it is stale (its worlds and fits are not shared);
- **serial**: all of ``examples/`` in one ``pytest`` process, as ``pytest examples/``
  runs them (experiments reuse each other's worlds and fits), per-test durations
  from pytest's ``--durations``.

The load average is printed before and after, and beside each standalone timing,
since the machine may be shared. Standalone timings are flagged against the issue's
budget: each experiment under 60 s (aim: 45 s, since CI machines vary), all of them
under 8 minutes.
Run: ``python benchmarks/examples_bench.py [--mode standalone|serial|both] [-k EXPR]``.
Prints figures only; nothing here is a test and nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--notegen-no-record"]
AIM_S, LIMIT_S, TOTAL_LIMIT_S = 45.0, 60.0, 480.0
"""The issue's budget on this 2-core CPU: per experiment (aim, limit), and all of them."""


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def experiments(expr: str | None) -> list[str]:
    """Node ids of the claim-marked tests under examples/."""
    cmd = [*PYTEST, "--collect-only", "-m", "claim", "examples"]
    if expr:
        cmd += ["-k", expr]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False).stdout
    return [line.strip() for line in out.splitlines() if "::" in line]


def budget(seconds: float, aim: float, limit: float) -> str:
    """``""``, ``"over aim"`` or ``"OVER LIMIT"``."""
    return "OVER LIMIT" if seconds >= limit else "over aim" if seconds > aim else ""


def standalone(ids: list[str]) -> None:
    print(f"standalone (fresh process each) — {load()}")
    total = 0.0
    for node in ids:
        load_1m = os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.run(
            [*PYTEST, node], cwd=ROOT, capture_output=True, text=True, check=False
        )
        seconds = time.perf_counter() - start
        total += seconds
        status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}"
        flag = budget(seconds, AIM_S, LIMIT_S)
        print(
            f"  {seconds:7.1f} s  load {load_1m:4.2f}  {status:8s} {node}  {flag}".rstrip(),
            flush=True,
        )
    flag = budget(total, TOTAL_LIMIT_S, TOTAL_LIMIT_S)
    print(f"  {total:7.1f} s  total — {load()}  {flag}".rstrip())


def serial(expr: str | None) -> None:
    print(f"serial (one process, pytest examples/) — {load()}")
    cmd = [*PYTEST, "--durations=0", "--durations-min=0.5", "-m", "claim", "examples"]
    if expr:
        cmd += ["-k", expr]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    for line in proc.stdout.splitlines():
        match = re.match(r"\s*([\d.]+)s (call|setup|teardown)\s+(\S+)", line)
        if match and match.group(2) == "call":
            print(f"  {float(match.group(1)):7.1f} s  {match.group(3)}")
    print(f"  {seconds:7.1f} s  total, exit {proc.returncode} — {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("standalone", "serial", "both"), default="both")
    parser.add_argument("-k", dest="expr", default=None, help="pytest -k expression")
    args = parser.parse_args()
    if args.mode in ("standalone", "both"):
        standalone(experiments(args.expr))
    if args.mode in ("serial", "both"):
        serial(args.expr)


if __name__ == "__main__":
    main()
