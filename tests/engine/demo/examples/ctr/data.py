"""Synthetic per-seed scores for the demo experiments."""

import random


def scores(seeds, shift):
    """One noisy score per seed, centred on ``shift``."""
    out = []
    for s in seeds:
        rng = random.Random(f"{s}-{shift}")
        out.append(shift + rng.gauss(0.0, 0.002))
    return out
