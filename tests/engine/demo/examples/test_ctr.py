"""Demo experiments that use the ctr helpers."""

import pytest
from ctr.data import scores

from notegen.stats import decide, paired_difference


@pytest.mark.claim("end-to-end-better")
def test_end_to_end_is_better(measure):
    """End-to-end embeddings score higher than pretrained ones, seed for seed."""
    seeds = measure.seeds([0, 1, 2, 3, 4])
    gap = measure.metric(
        "delta", paired_difference(scores(seeds, 0.30), scores(seeds, 0.28)), unit="AUC"
    )
    measure.summary(f"end-to-end minus pretrained: {gap.mean:+.4f}")
    measure.verdict(decide(gap, above=0.0))


@pytest.mark.claim("pretrained-better", expect="refuted")
def test_pretrained_is_better(measure):
    """The opposite claim, declared refuted."""
    seeds = measure.seeds([0, 1, 2, 3, 4])
    gap = measure.metric("delta", paired_difference(scores(seeds, 0.28), scores(seeds, 0.30)))
    measure.verdict(decide(gap, above=0.0))
