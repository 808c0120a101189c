"""The ``measure`` fixture: how an experiment records what it measured.

An experiment receives a :class:`Measure` and calls, in any order::

    seeds = measure.seeds([0, 1, 2, 3, 4])           # recorded with the result
    gap = measure.metric("delta_auc", paired_difference(a, b), unit="AUC")
    measure.metric("collision_rate", 0.39, unit="share of IDs")
    measure.figure(fig, name="sweep", caption="AUC vs buckets/IDs")
    measure.summary(f"... {gap.mean:+.4f} ...")
    measure.verdict(decide(gap, above=-0.001))

Everything is kept on a :class:`RunState` that the plugin turns into the
results record once the experiment has run.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, SupportsFloat, overload

from notegen.stats import Decision, Estimate, decided_on, mean_ci
from notegen.store.codehash import relpath
from notegen.store.schema import EXPECTATIONS, Metric


@dataclass(slots=True)
class RunState:
    """What one experiment has recorded so far (mutable, one per test item)."""

    experiment_id: str
    claims: tuple[str, ...]
    expect: str
    timeout: float | None
    root: Path
    seed: int = 0
    seeds: list[int] = field(default_factory=list)
    metrics: dict[str, Metric] = field(default_factory=dict)
    metric_sites: dict[str, str] = field(default_factory=dict)
    metric_estimates: dict[str, tuple[Estimate, ...]] = field(default_factory=dict)
    """The estimates ``measure.metric`` was given and returned, by metric name."""
    summary: str = ""
    verdict: str | None = None
    verdict_site: str | None = None
    verdict_estimate: Estimate | None = None
    """The estimate the verdict was decided on (``measure.verdict(decide(est, ...))``)."""
    figures: list[tuple[str, str, bytes]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    device: str = "cpu"
    threads: int = 0
    started: str = ""
    t0: float = 0.0
    duration_s: float = 0.0
    recorded: bool = False

    def decided_by(self) -> tuple[str, ...]:
        """The metrics recorded with the estimate the verdict was decided on.

        The very estimate (``measure.metric`` given or returned it) first; else a
        metric with the same mean, interval and ``n`` (an equal estimate computed
        twice). Empty when the verdict was a plain string or its estimate was never
        recorded. Asked once the experiment has run, so the metric may be recorded
        after the verdict.
        """
        est = self.verdict_estimate
        if est is None:
            return ()
        same = [n for n, seen in self.metric_estimates.items() if any(e is est for e in seen)]
        if same:
            return tuple(same)
        return tuple(
            n
            for n, m in self.metrics.items()
            if m.ci_low is not None
            and (m.value, m.ci_low, m.ci_high, m.n) == (est.mean, est.ci_low, est.ci_high, est.n)
        )


def caller_site(root: Path, depth: int = 2) -> str:
    """``path:line`` of the user's code that called into the fixture."""
    frame = sys._getframe(depth)
    path = frame.f_code.co_filename
    return f"{relpath(Path(path), root)}:{frame.f_lineno}"


def _as_float(value: object, what: str) -> float:
    item = getattr(value, "item", None)  # numpy / torch scalars and 1-element tensors
    if callable(item) and not isinstance(value, int | float):
        value = item()
    if isinstance(value, bool) or not isinstance(value, SupportsFloat):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}: {value!r}")
    return float(value)


def _is_scalar(value: object) -> bool:
    if isinstance(value, int | float):
        return True
    ndim = getattr(value, "ndim", None)  # numpy / torch: 0-d values are scalars
    if ndim is not None:
        return bool(ndim == 0)
    return isinstance(value, SupportsFloat) and not isinstance(value, Iterable)


class Measure:
    """Records an experiment's metrics, seeds, figures, summary and verdict.

    Obtained through the ``measure`` fixture in a test marked
    ``@pytest.mark.claim(...)``.
    """

    def __init__(self, state: RunState) -> None:
        self._state = state

    @property
    def claims(self) -> tuple[str, ...]:
        """The claim ids this experiment checks."""
        return self._state.claims

    @property
    def expect(self) -> str:
        """The verdict the knowledge base declares for it."""
        return self._state.expect

    @property
    def seed(self) -> int:
        """The seed python, numpy and torch were seeded with before the experiment."""
        return self._state.seed

    def seeds(self, seeds: Iterable[int]) -> list[int]:
        """Record the seeds the experiment runs over, and return them as a list.

        Args:
            seeds: Integer seeds, e.g. ``[0, 1, 2, 3, 4]`` or ``range(5)``.
        """
        out = []
        for s in seeds:
            if isinstance(s, bool) or not isinstance(s, int):
                raise TypeError(f"seeds must be integers, got {type(s).__name__}: {s!r}")
            out.append(s)
        self._state.seeds = list(out)
        return out

    def seed_everything(self, seed: int) -> None:
        """Seed python's, numpy's and (when loaded) torch's generators with ``seed``.

        For experiments that loop over seeds and want each arm to start alike.
        """
        from notegen.pytest_plugin.determinism import seed_everything

        seed_everything(seed)

    @overload
    def metric(self, name: str, value: Estimate, *, unit: str | None = None) -> Estimate: ...
    @overload
    def metric(
        self, name: str, value: Iterable[SupportsFloat], *, unit: str | None = None
    ) -> Estimate: ...
    @overload
    def metric(self, name: str, value: SupportsFloat, *, unit: str | None = None) -> float: ...

    def metric(self, name: str, value: Any, *, unit: str | None = None) -> Estimate | float:
        """Record a metric and return it.

        Args:
            name: The metric's name, e.g. ``"delta_auc"`` (unique in the experiment).
            value: An :class:`~notegen.stats.Estimate` (from ``mean_ci``,
                ``paired_difference``, ...), a list of per-seed samples (reported as
                mean with a 95% t interval), or a plain number.
            unit: What the number measures, shown beside it.

        Returns:
            The :class:`~notegen.stats.Estimate` (with ``unit`` set) or the float.

        A NaN or infinite value is recorded as given and makes the experiment
        ``broken`` once it returns.
        """
        if not isinstance(name, str) or not name:
            raise TypeError(f"metric name must be a non-empty string, got {name!r}")
        site = caller_site(self._state.root)
        result: Estimate | float
        estimates: tuple[Estimate, ...] = ()
        if isinstance(value, Estimate):
            est = value.with_unit(unit)
            metric = Metric(
                est.mean,
                est.unit,
                est.ci_low,
                est.ci_high,
                est.n,
                est.confidence,
                tuple(est.samples),
            )
            result = est
            estimates = (value, est)
        elif isinstance(value, str | bytes):
            raise TypeError(
                f"metric {name!r} must be a number, an Estimate or per-seed "
                f"samples, got {type(value).__name__}"
            )
        elif _is_scalar(value):
            f = _as_float(value, f"metric {name!r}")
            metric = Metric(f, unit)
            result = f
        elif isinstance(value, Iterable):
            samples = [_as_float(v, f"metric {name!r} sample") for v in value]
            if all(math.isfinite(v) for v in samples):
                est = mean_ci(samples).with_unit(unit)
            else:  # recorded as is; the run ends as broken, naming this metric
                nan = math.nan
                est = Estimate(nan, nan, nan, len(samples), unit, tuple(samples))
            metric = Metric(
                est.mean, est.unit, est.ci_low, est.ci_high, est.n, est.confidence, est.samples
            )
            result = est
            estimates = (est,)
        else:
            raise TypeError(
                f"metric {name!r} must be a number, an Estimate or per-seed "
                f"samples, got {type(value).__name__}"
            )
        self._state.metrics[name] = metric
        self._state.metric_sites[name] = site
        self._state.metric_estimates[name] = estimates
        return result

    def figure(self, fig: Any, *, name: str | None = None, caption: str = "") -> None:
        """Save a Matplotlib figure as SVG beside the experiment's results file.

        The SVG is rendered at once (later changes to ``fig`` are not seen) and
        deterministically (fixed ids, no date), so an unchanged experiment leaves
        the file unchanged. The figure is not closed.

        Args:
            fig: A ``matplotlib.figure.Figure`` (or an ``Axes``: its figure is used).
            name: A short name, unique in the experiment (default ``figure-N``).
            caption: A one-line caption shown with the plot.
        """
        import io

        import matplotlib

        if not hasattr(fig, "savefig") and hasattr(fig, "figure"):
            fig = fig.figure
        if not hasattr(fig, "savefig"):
            raise TypeError(f"measure.figure needs a Matplotlib Figure, got {type(fig).__name__}")
        name = name or f"figure-{len(self._state.figures) + 1}"
        if any(n == name for n, _, _ in self._state.figures):
            raise ValueError(
                f"measure.figure: a figure named {name!r} was already recorded; "
                "give each figure its own name="
            )
        buf = io.BytesIO()
        with matplotlib.rc_context({"svg.hashsalt": "notegen", "svg.fonttype": "path"}):
            fig.savefig(buf, format="svg", metadata={"Date": None})
        self._state.figures.append((name, caption, buf.getvalue()))

    def summary(self, text: str) -> None:
        """The one-line human summary of what was measured (shown in notes and status)."""
        if not isinstance(text, str):
            raise TypeError(f"measure.summary needs a string, got {type(text).__name__}")
        self._state.summary = " ".join(text.split())

    def note(self, text: str) -> None:
        """Add a remark to the result (a caveat, a known deviation)."""
        self._state.notes.append(str(text))

    def verdict(self, verdict: Decision) -> None:
        """Set the measured verdict: ``"supported"``, ``"refuted"`` or ``"inconclusive"``.

        Usually ``measure.verdict(decide(estimate, above=...))``. Without a call
        the verdict is ``supported`` when the test returns (and ``refuted`` when
        an ``assert`` fails). A verdict from :func:`~notegen.stats.decide` also
        tells which recorded metric it was decided on; the record names it
        (``decided_by``), and the site marks it.
        """
        if verdict not in EXPECTATIONS:
            raise ValueError(
                f"measure.verdict: {verdict!r} is not a verdict; "
                f"use one of {', '.join(map(repr, EXPECTATIONS))}"
            )
        self._state.verdict = str(verdict)  # a plain string, without the estimate
        self._state.verdict_estimate = decided_on(verdict)
        self._state.verdict_site = caller_site(self._state.root)
