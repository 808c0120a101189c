"""Statistics experiments need most: t-based confidence intervals and decisions.

Every claim about an effect size is decided from a confidence interval over
several seeds, never from one run. The functions here are small and exact:

- :func:`mean_ci` — mean of per-seed samples with a Student-t interval;
- :func:`paired_difference` — ``a - b`` seed by seed (same seeds in both arms),
  with a t interval of the differences;
- :func:`welch_difference` — ``a - b`` for independent samples (Welch's t);
- :func:`ratio_of_means` — ``mean(a) / mean(b)`` with a delta-method interval
  (paired when the arms share seeds), e.g. a steps-to-target ratio;
- :func:`decide` — supported / refuted / inconclusive against a threshold;
  :func:`decided_on` tells which estimate a verdict of ``decide`` was decided on.

scipy is imported inside the functions so that importing this module is cheap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, SupportsFloat, cast

Decision = Literal["supported", "refuted", "inconclusive"]

__all__ = [
    "Decision",
    "Estimate",
    "decide",
    "decided_on",
    "mean_ci",
    "paired_difference",
    "ratio_of_means",
    "welch_difference",
]


@dataclass(frozen=True, slots=True)
class Estimate:
    """A measured quantity with its confidence interval."""

    mean: float
    """The point estimate (mean of the samples, or of the differences / the ratio)."""
    ci_low: float
    """Lower end of the confidence interval."""
    ci_high: float
    """Upper end of the confidence interval."""
    n: int
    """Number of samples (seeds, or seed pairs) the estimate rests on."""
    unit: str | None = None
    """What the number measures, e.g. ``"AUC"`` or ``"steps"``; shown beside it."""
    samples: tuple[float, ...] = ()
    """The per-seed values the estimate was computed from (differences for a paired one)."""
    confidence: float = 0.95
    """The confidence level of ``[ci_low, ci_high]``."""

    def with_unit(self, unit: str | None) -> Estimate:
        """The same estimate with ``unit`` set (unchanged when ``unit`` is None)."""
        return self if unit is None else replace(self, unit=unit)

    @property
    def half_width(self) -> float:
        """Half the width of the interval (``±`` value for symmetric intervals)."""
        return (self.ci_high - self.ci_low) / 2

    def __str__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        pct = f"{self.confidence:.0%}"
        return f"{self.mean:.4g}{unit} ({pct} CI {self.ci_low:.4g}…{self.ci_high:.4g}, n={self.n})"


def _as_floats(samples: Iterable[SupportsFloat], what: str) -> tuple[float, ...]:
    values = tuple(float(x) for x in samples)
    for i, v in enumerate(values):
        if not math.isfinite(v):
            raise ValueError(f"{what}[{i}] is {v}; every sample must be a finite number")
    return values


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")


def _t_quantile(confidence: float, dof: float) -> float:
    """Two-sided Student-t critical value (``scipy.special`` imports far faster than
    ``scipy.stats``, which matters for a test run that starts many processes)."""
    from scipy.special import stdtrit

    return float(stdtrit(dof, (1 + confidence) / 2))


def mean_ci(samples: Iterable[SupportsFloat], confidence: float = 0.95) -> Estimate:
    """Mean of ``samples`` with a two-sided Student-t confidence interval.

    Args:
        samples: One value per seed (at least two; floats, ints, numpy or torch scalars).
        confidence: The confidence level, 0.95 for a 95% interval.

    Returns:
        An :class:`Estimate` whose ``samples`` are the values given.

    Raises:
        ValueError: Fewer than two samples, a non-finite sample, or a bad ``confidence``.
    """
    values = _as_floats(samples, "samples")
    _check_confidence(confidence)
    n = len(values)
    if n < 2:
        raise ValueError(
            f"a confidence interval needs at least 2 samples (seeds), got {n}; "
            "run the experiment over more seeds"
        )
    mean = math.fsum(values) / n
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = _t_quantile(confidence, n - 1) * math.sqrt(var / n)
    return Estimate(mean, mean - half, mean + half, n, samples=values, confidence=confidence)


def paired_difference(
    a: Sequence[SupportsFloat], b: Sequence[SupportsFloat], confidence: float = 0.95
) -> Estimate:
    """Mean of ``a[i] - b[i]`` with a t interval: arms run on the same seeds.

    Pairing removes the seed-to-seed variance both arms share, so a small but
    consistent effect is resolved with few seeds.

    Args:
        a: Per-seed values of the first arm.
        b: Per-seed values of the second arm, seed ``i`` matching ``a[i]``.
        confidence: The confidence level.

    Returns:
        An :class:`Estimate` of ``a - b``; its ``samples`` are the differences.

    Raises:
        ValueError: The arms differ in length, or have fewer than two pairs.
    """
    xs = _as_floats(a, "a")
    ys = _as_floats(b, "b")
    if len(xs) != len(ys):
        raise ValueError(
            f"paired_difference needs one value per seed in both arms; got {len(xs)} and "
            f"{len(ys)} values (use welch_difference for unpaired samples)"
        )
    return mean_ci([x - y for x, y in zip(xs, ys, strict=True)], confidence)


def welch_difference(
    a: Sequence[SupportsFloat], b: Sequence[SupportsFloat], confidence: float = 0.95
) -> Estimate:
    """``mean(a) - mean(b)`` for independent samples, with Welch's t interval.

    Args:
        a: Values of the first arm (at least two).
        b: Values of the second arm (at least two), not paired with ``a``.
        confidence: The confidence level.

    Returns:
        An :class:`Estimate` of the difference of means; ``n`` is ``len(a) + len(b)``
        and ``samples`` is empty (there are no per-pair values).
    """
    xs = _as_floats(a, "a")
    ys = _as_floats(b, "b")
    _check_confidence(confidence)
    if len(xs) < 2 or len(ys) < 2:
        raise ValueError(
            f"welch_difference needs at least 2 values per arm, got {len(xs)} and {len(ys)}"
        )
    mx, my = math.fsum(xs) / len(xs), math.fsum(ys) / len(ys)
    vx = math.fsum((x - mx) ** 2 for x in xs) / (len(xs) - 1) / len(xs)
    vy = math.fsum((y - my) ** 2 for y in ys) / (len(ys) - 1) / len(ys)
    se2 = vx + vy
    diff = mx - my
    if se2 == 0:
        return Estimate(diff, diff, diff, len(xs) + len(ys), confidence=confidence)
    dof = se2**2 / (vx**2 / (len(xs) - 1) + vy**2 / (len(ys) - 1))
    half = _t_quantile(confidence, dof) * math.sqrt(se2)
    return Estimate(diff, diff - half, diff + half, len(xs) + len(ys), confidence=confidence)


def ratio_of_means(
    a: Sequence[SupportsFloat],
    b: Sequence[SupportsFloat],
    confidence: float = 0.95,
    *,
    paired: bool = True,
) -> Estimate:
    """``mean(a) / mean(b)`` with a delta-method t interval.

    For example the ratio of steps-to-target of two arms run on the same seeds.
    The variance of the ratio ``R = ma / mb`` is approximated to first order:
    ``Var(R) ≈ R² (Var(ma)/ma² + Var(mb)/mb² - 2 Cov(ma, mb)/(ma mb))``, with the
    covariance term only when the arms are paired. The interval is
    ``R ± t · sqrt(Var(R))`` with ``n - 1`` degrees of freedom (paired) or
    ``min(len(a), len(b)) - 1`` (unpaired), which is accurate when ``mean(b)`` is
    well away from zero relative to its standard error.

    Args:
        a: Per-seed values of the numerator arm.
        b: Per-seed values of the denominator arm.
        confidence: The confidence level.
        paired: Whether ``a[i]`` and ``b[i]`` come from the same seed (then the
            lengths must match and their covariance is used).

    Returns:
        An :class:`Estimate` of the ratio; ``samples`` holds the per-seed ratios
        ``a[i] / b[i]`` for a paired estimate (for display), else nothing.

    Raises:
        ValueError: Too few values, unequal lengths when paired, or ``mean(b) == 0``.
    """
    xs = _as_floats(a, "a")
    ys = _as_floats(b, "b")
    _check_confidence(confidence)
    if paired and len(xs) != len(ys):
        raise ValueError(
            f"a paired ratio needs one value per seed in both arms; got {len(xs)} and "
            f"{len(ys)} values (pass paired=False for independent arms)"
        )
    if len(xs) < 2 or len(ys) < 2:
        raise ValueError(
            f"ratio_of_means needs at least 2 values per arm, got {len(xs)} and {len(ys)}"
        )
    mx, my = math.fsum(xs) / len(xs), math.fsum(ys) / len(ys)
    if my == 0:
        raise ValueError("ratio_of_means: the mean of the denominator arm b is 0")
    ratio = mx / my
    var_mx = math.fsum((x - mx) ** 2 for x in xs) / (len(xs) - 1) / len(xs)
    var_my = math.fsum((y - my) ** 2 for y in ys) / (len(ys) - 1) / len(ys)
    cov = 0.0
    if paired:
        n = len(xs)
        cov = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (n - 1) / n
        dof = n - 1
    else:
        dof = min(len(xs), len(ys)) - 1
    if mx == 0:
        # The relative form divides by mx; use the absolute form instead.
        var_r = var_mx / my**2
    else:
        var_r = ratio**2 * (var_mx / mx**2 + var_my / my**2 - 2 * cov / (mx * my))
    half = _t_quantile(confidence, dof) * math.sqrt(max(var_r, 0.0))
    per_seed: tuple[float, ...] = ()
    if paired and all(y != 0 for y in ys):
        per_seed = tuple(x / y for x, y in zip(xs, ys, strict=True))
    n_est = len(xs) if paired else len(xs) + len(ys)
    return Estimate(
        ratio, ratio - half, ratio + half, n_est, samples=per_seed, confidence=confidence
    )


class _Decided(str):
    """A verdict of :func:`decide`: the plain string, plus the estimate it was decided on.

    It compares, hashes and serialises as the string it is (``== "supported"``,
    ``json.dumps``); only :func:`decided_on` looks at ``estimate``.
    """

    estimate: Estimate

    def __new__(cls, verdict: str, estimate: Estimate) -> _Decided:
        self = super().__new__(cls, verdict)
        self.estimate = estimate
        return self

    def __reduce__(self) -> tuple[object, ...]:
        return (_Decided, (str(self), self.estimate))


def decided_on(verdict: str) -> Estimate | None:
    """The estimate a verdict returned by :func:`decide` was decided on.

    Args:
        verdict: A verdict, e.g. ``decide(gap, above=0.0)``.

    Returns:
        The ``estimate`` given to :func:`decide`; None for a verdict written as a
        plain string (``"supported"``) or built from strings.
    """
    return verdict.estimate if isinstance(verdict, _Decided) else None


def decide(
    estimate: Estimate,
    *,
    above: float | None = None,
    below: float | None = None,
    between: tuple[float, float] | None = None,
) -> Decision:
    """Decide a claim about where an effect lies from its confidence interval.

    Give exactly one of ``above``, ``below`` or ``between``: what the claim says
    about the effect. The interval lying entirely on the claim's side is
    ``"supported"``, entirely on the other side ``"refuted"``, and an interval
    that straddles a bound is ``"inconclusive"``.

    For ``between=(lo, hi)``: the interval inside ``[lo, hi]`` supports, an interval
    with no overlap with ``[lo, hi]`` refutes, anything else is inconclusive.

    Args:
        estimate: The measured effect with its interval.
        above: The claim says the effect is greater than this.
        below: The claim says the effect is less than this.
        between: The claim says the effect lies in this closed range.

    Returns:
        ``"supported"``, ``"refuted"`` or ``"inconclusive"``: a string that also
        remembers ``estimate`` (see :func:`decided_on`), so that
        ``measure.verdict`` can record which metric decided it.

    Raises:
        ValueError: Not exactly one bound given, or ``between`` not ``(lo, hi)`` with lo <= hi.
    """
    return cast(Decision, _Decided(_decide(estimate, above, below, between), estimate))


def _decide(
    estimate: Estimate,
    above: float | None,
    below: float | None,
    between: tuple[float, float] | None,
) -> Decision:
    given = [
        name
        for name, v in (("above", above), ("below", below), ("between", between))
        if v is not None
    ]
    if len(given) != 1:
        raise ValueError(
            "decide() needs exactly one of above=, below= or between=; "
            f"got {', '.join(given) if given else 'none'}"
        )
    lo, hi = estimate.ci_low, estimate.ci_high
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"decide(): the estimate's interval is not finite: [{lo}, {hi}]")
    if above is not None:
        if lo > above:
            return "supported"
        return "refuted" if hi < above else "inconclusive"
    if below is not None:
        if hi < below:
            return "supported"
        return "refuted" if lo > below else "inconclusive"
    assert between is not None
    if len(between) != 2 or between[0] > between[1]:
        raise ValueError(f"decide(between=...) needs (low, high) with low <= high, got {between!r}")
    b_lo, b_hi = between
    if b_lo <= lo and hi <= b_hi:
        return "supported"
    if hi < b_lo or lo > b_hi:
        return "refuted"
    return "inconclusive"
