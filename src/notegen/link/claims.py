"""Claims <-> experiments: what ``notegen check`` reports about the links between them.

The experiments are read by :mod:`notegen.link.experiments`; of each, this
module needs only its id, the claim ids it checks and where it is written.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Protocol

from notegen.diagnostics import Code, Diagnostic, SourceSpan
from notegen.link.graph import Graph

__all__ = ["ExperimentRef", "annotation_diagnostics", "claim_link_diagnostics"]


class ExperimentRef(Protocol):
    """What the link checks need of an experiment
    (:class:`notegen.link.experiments.Experiment` is one)."""

    @property
    def experiment_id(self) -> str:
        """The experiment id (its pytest node id)."""
        ...

    @property
    def claims(self) -> tuple[str, ...]:
        """The claims it declares with ``@pytest.mark.claim``."""
        ...

    @property
    def span(self) -> SourceSpan:
        """Where the test is written (``examples/test_x.py:42``)."""
        ...


def claim_link_diagnostics(graph: Graph, experiments: Iterable[ExperimentRef]) -> list[Diagnostic]:
    """Every claim with no experiment and every experiment whose claim is in no note.

    Args:
        graph: The linked notes.
        experiments: The experiments found under ``examples/``.

    Returns:
        The diagnostics (all warnings), unsorted.
    """
    experiments = list(experiments)
    out: list[Diagnostic] = []
    checked = {claim_id for e in experiments for claim_id in e.claims}
    for claim_id, site in graph.claims.items():
        if claim_id not in checked:
            out.append(
                Diagnostic(
                    site.span,
                    Code.CLAIM_WITHOUT_EXPERIMENT,
                    f"claim {claim_id!r} has no experiment; write a test marked "
                    f"@pytest.mark.claim({claim_id!r}) under examples/",
                )
            )
    known = sorted(graph.claims)
    for experiment in experiments:
        for claim_id in experiment.claims:
            if claim_id in graph.claims:
                continue
            close = difflib.get_close_matches(claim_id, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            out.append(
                Diagnostic(
                    experiment.span,
                    Code.EXPERIMENT_WITHOUT_CLAIM,
                    f"experiment {experiment.experiment_id} checks claim {claim_id!r}, "
                    f"which no note names; {hint}add 'claim:: {claim_id}' to the block it "
                    "tests, or fix the id",
                )
            )
    return out


def annotation_diagnostics(graph: Graph) -> list[Diagnostic]:
    """Every annotation with no claim on it or above it (so no result can show under it)."""
    out: list[Diagnostic] = []
    for page, note in graph.note_pages():
        for block in note.walk():
            if block.role == "annotation" and not graph.claims_for(page.key, block):
                out.append(
                    Diagnostic(
                        block.span,
                        Code.ANNOTATION_WITHOUT_CLAIM,
                        "annotation has no claim on it or above it, so no result can be shown "
                        "under it; add 'claim:: <id>' to it or to the block it annotates",
                    )
                )
    return out
