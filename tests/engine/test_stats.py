"""notegen.stats against scipy's reference implementations and hand-worked cases."""

from __future__ import annotations

import json
import math
import pickle

import pytest
from scipy import stats as sps

from notegen.stats import (
    Estimate,
    decide,
    decided_on,
    mean_ci,
    paired_difference,
    ratio_of_means,
    welch_difference,
)


def test_mean_ci_matches_scipy_t_interval() -> None:
    xs = [0.71, 0.74, 0.69, 0.73, 0.75, 0.70]
    est = mean_ci(xs, confidence=0.9)
    lo, hi = sps.t.interval(0.9, len(xs) - 1, loc=sps.tmean(xs), scale=sps.sem(xs))
    assert est.mean == pytest.approx(sum(xs) / len(xs))
    assert (est.ci_low, est.ci_high) == (pytest.approx(lo), pytest.approx(hi))
    assert est.n == 6 and est.samples == tuple(xs) and est.confidence == 0.9


def test_paired_difference_is_interval_of_differences() -> None:
    a, b = [1.0, 2.0, 3.0, 4.0], [0.9, 1.7, 2.95, 3.6]
    est = paired_difference(a, b)
    ref = mean_ci([x - y for x, y in zip(a, b, strict=True)])
    assert (est.mean, est.ci_low, est.ci_high) == (ref.mean, ref.ci_low, ref.ci_high)
    with pytest.raises(ValueError, match="one value per seed"):
        paired_difference([1, 2, 3], [1, 2])


def test_welch_difference_matches_scipy() -> None:
    a, b = [1.0, 2.0, 3.0, 4.5], [2.0, 2.5, 6.0, 7.0, 6.5]
    est = welch_difference(a, b)
    res = sps.ttest_ind(a, b, equal_var=False)
    lo, hi = res.confidence_interval(0.95)
    assert est.mean == pytest.approx(sum(a) / 4 - sum(b) / 5)
    assert (est.ci_low, est.ci_high) == (pytest.approx(lo), pytest.approx(hi))


def test_ratio_of_means_delta_method() -> None:
    steps_e2e = [1000.0, 1100.0, 950.0, 1050.0]
    steps_pre = [110.0, 100.0, 105.0, 98.0]
    est = ratio_of_means(steps_e2e, steps_pre)
    assert est.mean == pytest.approx(4100 / 413)
    assert est.ci_low < est.mean < est.ci_high
    # Perfectly proportional arms: zero variance of the ratio.
    exact = ratio_of_means([2.0, 4.0, 6.0], [1.0, 2.0, 3.0])
    assert (exact.mean, exact.ci_low, exact.ci_high) == (2.0, 2.0, 2.0)
    assert exact.samples == (2.0, 2.0, 2.0)
    unpaired = ratio_of_means(steps_e2e, steps_pre[:3], paired=False)
    assert unpaired.n == 7
    with pytest.raises(ValueError, match="denominator"):
        ratio_of_means([1.0, 2.0], [1.0, -1.0])


@pytest.mark.parametrize(
    ("lo", "hi", "kwargs", "expected"),
    [
        (0.1, 0.3, {"above": 0.0}, "supported"),
        (-0.3, -0.1, {"above": 0.0}, "refuted"),
        (-0.1, 0.3, {"above": 0.0}, "inconclusive"),
        (-0.3, -0.1, {"below": 0.0}, "supported"),
        (0.1, 0.3, {"below": 0.0}, "refuted"),
        (0.1, 0.2, {"between": (0.0, 0.3)}, "supported"),
        (0.4, 0.5, {"between": (0.0, 0.3)}, "refuted"),
        (0.2, 0.5, {"between": (0.0, 0.3)}, "inconclusive"),
    ],
)
def test_decide(lo: float, hi: float, kwargs: dict[str, object], expected: str) -> None:
    est = Estimate((lo + hi) / 2, lo, hi, 5)
    assert decide(est, **kwargs) == expected  # type: ignore[arg-type]


def test_a_decision_is_its_verdict_string_and_knows_its_estimate() -> None:
    est = Estimate(0.2, 0.1, 0.3, 5)
    verdict = decide(est, above=0.0)
    assert verdict == "supported" and verdict in ("supported", "refuted")
    assert hash(verdict) == hash("supported") and repr(verdict) == "'supported'"
    assert json.dumps({"verdict": verdict}) == '{"verdict": "supported"}'
    assert decided_on(verdict) is est
    assert decided_on(pickle.loads(pickle.dumps(verdict))) == est
    assert type(str(verdict)) is str and decided_on(str(verdict)) is None
    assert decided_on("supported") is None


def test_decide_needs_exactly_one_bound() -> None:
    est = Estimate(0.0, -1.0, 1.0, 3)
    with pytest.raises(ValueError, match="exactly one of"):
        decide(est)
    with pytest.raises(ValueError, match="exactly one of"):
        decide(est, above=0.0, below=1.0)
    with pytest.raises(ValueError, match="low <= high"):
        decide(est, between=(1.0, 0.0))


def test_bad_samples_are_named() -> None:
    with pytest.raises(ValueError, match="at least 2 samples"):
        mean_ci([1.0])
    with pytest.raises(ValueError, match=r"samples\[1\] is nan"):
        mean_ci([1.0, math.nan])
    with pytest.raises(ValueError, match="confidence"):
        mean_ci([1.0, 2.0], confidence=95)
