"""One plotting style for every experiment: white background, labelled axes, 95 % CI bands.

A white background (not transparent) keeps the plots readable on the site's
light and dark themes alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from notegen.stats import Estimate, mean_ci

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f")
"""Mid-tone colours that read on white."""


def figure(ncols: int = 1, width: float = 5.2, height: float = 3.4) -> tuple[Figure, list[Axes]]:
    """A white figure with ``ncols`` side-by-side axes."""
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False)
    fig.patch.set_facecolor("white")
    for ax in axes[0]:
        ax.set_facecolor("white")
        ax.grid(True, color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
    return fig, list(axes[0])


def finish(fig: Figure) -> Figure:
    """Tight layout; return the figure for ``measure.figure``."""
    fig.tight_layout()
    return fig


def band(
    ax: Axes,
    x: Sequence[float],
    per_seed: Sequence[Sequence[float]],
    label: str,
    color: str,
    linestyle: str = "-",
    marker: str | None = None,
) -> None:
    """Mean over seeds with its 95 % t interval as a band (rows of ``per_seed`` are seeds)."""
    values = np.asarray(per_seed, dtype=np.float64)
    ests = [mean_ci(values[:, j]) for j in range(values.shape[1])]
    ax.plot(
        x,
        [e.mean for e in ests],
        color=color,
        linestyle=linestyle,
        marker=marker,
        label=label,
        linewidth=1.6,
    )
    ax.fill_between(
        x, [e.ci_low for e in ests], [e.ci_high for e in ests], color=color, alpha=0.2, linewidth=0
    )


def bars(
    ax: Axes,
    labels: Sequence[str],
    estimates: Sequence[Estimate],
    colors: Sequence[str] | None = None,
) -> None:
    """Bars at each estimate's mean with its 95 % CI as error bars."""
    x = np.arange(len(labels))
    means = np.array([e.mean for e in estimates])
    err = np.array(
        [[e.mean - e.ci_low for e in estimates], [e.ci_high - e.mean for e in estimates]]
    )
    ax.bar(x, means, yerr=err, capsize=4, color=list(colors or COLORS[: len(labels)]), alpha=0.85)
    ax.set_xticks(x, labels)
    ax.axhline(0.0, color="black", linewidth=0.8)


def close(fig: Figure) -> None:
    """Free the figure once it has been recorded."""
    plt.close(fig)
