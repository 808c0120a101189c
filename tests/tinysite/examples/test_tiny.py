"""Tiny, fast experiments for the tinysite's claims (numpy only, well under a second)."""

import numpy as np
import pytest

from notegen.stats import decide, mean_ci, paired_difference


def steps_to_fit(seed: int, lr: float, warm: bool, tol: float = 0.05) -> int:
    """Gradient steps a linear model needs to fit a random target within ``tol``.

    A warm start begins near the solution (as a pretrained embedding would), a
    cold one at random.
    """
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(64, 8))
    w_true = rng.normal(size=8)
    y = x @ w_true
    w = w_true + 0.3 * rng.normal(size=8) if warm else rng.normal(size=8)
    for step in range(1, 10_000):
        grad = x.T @ (x @ w - y) / len(y)
        w -= lr * grad
        if np.linalg.norm(w - w_true) < tol:
            return step
    return 10_000


@pytest.mark.parametrize("lr", [0.1, 0.3])
@pytest.mark.claim("pretrain-converges")
def test_warm_start_needs_fewer_steps(measure, lr):
    """A warm start reaches the fit in fewer steps than a random start.

    Simulated: a linear model fitted by gradient descent, started near the
    solution or at random, over 5 seeds. Why this tests the claim: a
    pretrained embedding is a start near a good solution.
    """
    seeds = measure.seeds(range(5))
    cold = [steps_to_fit(s, lr, warm=False) for s in seeds]
    warm = [steps_to_fit(s, lr, warm=True) for s in seeds]
    saved = measure.metric("steps_saved", paired_difference(cold, warm), unit="steps")
    measure.metric("cold_steps", mean_ci(cold), unit="steps")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.plot(seeds, cold, "o-", label="random start")
    ax.plot(seeds, warm, "s-", label="warm start")
    ax.set_xlabel("seed")
    ax.set_ylabel("steps to fit")
    ax.legend()
    measure.figure(fig, name="steps", caption=f"Steps to fit per seed, lr={lr}")
    plt.close(fig)
    measure.summary(
        f"warm start saves {saved.mean:.1f} steps "
        f"(95% CI {saved.ci_low:.1f}…{saved.ci_high:.1f}, n={saved.n}) at lr={lr}"
    )
    measure.verdict(decide(saved, above=0.0))


@pytest.mark.claim("ten-x-faster", expect="refuted")
def test_warm_start_is_ten_times_faster(measure):
    """A warm start is not ten times faster: the speed-up is far smaller.

    Simulated: the ratio of steps (random start / warm start) over 5 seeds at
    lr=0.3. Why this tests the claim: "10x faster" means a ratio of at least 10.
    """
    seeds = measure.seeds(range(5))
    ratio = measure.metric(
        "speedup",
        [steps_to_fit(s, 0.3, warm=False) / steps_to_fit(s, 0.3, warm=True) for s in seeds],
        unit="x",
    )
    measure.summary(f"speed-up {ratio.mean:.2f}x (95% CI {ratio.ci_low:.2f}…{ratio.ci_high:.2f})")
    measure.verdict(decide(ratio, above=10.0))
