"""Arms compared seed by seed: every AUC difference recorded with its logloss difference.

Experiments decide on AUC; the paired logloss difference of the same two arms over
the same seeds is recorded beside it, from the scores the fitted arms already hold
(nothing is trained again). Both are ``a - b``: a better ``a`` has a positive AUC
difference and a negative logloss difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from notegen.stats import Estimate, paired_difference

from .train import Quality


class Scored(Protocol):
    """What an arm scored on some test rows: :class:`~ctrsim.train.Scores`, ``Quality``."""

    @property
    def auc(self) -> float: ...

    @property
    def logloss(self) -> float: ...


class Recorder(Protocol):
    """The part of the ``measure`` fixture used here."""

    def metric(self, name: str, value: Estimate, *, unit: str | None = None) -> Estimate: ...


def logloss_name(name: str) -> str:
    """The logloss twin of an AUC metric's name: ``auc`` replaced, else ``logloss_`` prefixed."""
    return name.replace("auc", "logloss", 1) if "auc" in name else f"logloss_{name}"


def paired_auc_logloss(
    measure: Recorder, name: str, a: Sequence[Scored], b: Sequence[Scored]
) -> tuple[Estimate, Estimate]:
    """Record the paired AUC difference ``a - b`` as ``name`` and its logloss twin.

    Args:
        measure: The experiment's ``measure`` fixture.
        name: The AUC metric's name; the logloss one is :func:`logloss_name` of it.
        a: Per-seed scores of the first arm.
        b: Per-seed scores of the second arm, seed ``i`` matching ``a[i]``.

    Returns:
        The AUC and the logloss estimates, as recorded.
    """
    auc = paired_difference([x.auc for x in a], [x.auc for x in b])
    logloss = paired_difference([x.logloss for x in a], [x.logloss for x in b])
    return (
        measure.metric(name, auc, unit="AUC"),
        measure.metric(logloss_name(name), logloss, unit="logloss"),
    )


def minus(a: Scored, b: Scored) -> Quality:
    """``a - b`` in AUC and in logloss, for a difference of differences across seeds."""
    return Quality(a.auc - b.auc, a.logloss - b.logloss)


def logloss_text(est: Estimate) -> str:
    """A logloss difference for a summary line: ``logloss -0.0058 (95% CI -0.0094…-0.0022)``."""
    return f"logloss {est.mean:+.4f} (95% CI {est.ci_low:+.4f}…{est.ci_high:+.4f})"
