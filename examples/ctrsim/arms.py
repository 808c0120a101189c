"""The arms the experiments compare: how item ids become vectors, trained and scored once.

An :class:`Arm` names one way to embed items (learned from random init, pretrained
and frozen, pretrained and fine-tuned, hashed, ...). :func:`run_arm` builds the
world for a data seed, trains a :class:`~ctrsim.models.CTRModel` with that arm and
scores it. Results are cached per process, so experiments that share an arm (the
end-to-end baseline, say) train it once; a cached result is the same numbers a
fresh run gives, since everything is seeded explicitly.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .models import HashedTable, Projected, QRTable, Table
from .pretrain import pretrain_items, session_factors, standardize
from .train import DIM, Fitted, fit
from .world import World, WorldConfig, make_world

PRETRAINED_INIT_RMS = 0.3
"""Scale pretrained vectors are set to before fine-tuning: the best of {0.03, 0.1, 0.3, 1}
on a validation split of seeds 0 and 1 (random init uses std 0.1, also chosen there)."""

CURVE_ROWS = 25_000
"""Validation curves are measured on the first this-many test rows."""
CURVE_EVERY = 20
"""Steps between validation curve points (a step is one batch of 2,048 impressions).
Steps to a target AUC are interpolated between points (``Curve.steps_to``), not rounded
up to the next point; evaluating every 10 steps cost a third of a curve-recording fit."""


@dataclass(frozen=True, slots=True)
class Arm:
    """One way of turning item ids into vectors.

    ``items`` is one of:

    - ``"random"``: a table learned end to end from random init;
    - ``"frozen"``: pretrained vectors (unit scale), not trained;
    - ``"pretrained"``: pretrained vectors as the initial table, fine-tuned;
    - ``"hash"``: the hashing trick into ``ratio * n_items`` buckets, learned end to end;
    - ``"qr"``: the quotient-remainder trick with ``ratio * n_items`` remainder rows;
    - ``"small"``: a full table of dimension ``ratio * DIM`` projected up to ``DIM``
      (as many parameters as hashing at ``ratio``).
    """

    items: str = "random"
    side_info: bool = False
    """Pretrain with category and brand (EGES-like)."""
    transform: str = "none"
    """Damage to pretrained vectors before use: ``rotate``, ``drop``, ``noise``, ``scale10``."""
    ratio: float = 1.0
    """Buckets per id (``hash``, ``qr``) or the dimension share (``small``)."""
    hidden: tuple[int, ...] = (64, 32)
    """Top MLP hidden widths."""
    pooling: str = "mean"
    model_seed: int = 0
    """Added to the data seed to seed the model's initialisation."""


def pretrained(seed: int, side_info: bool, config: WorldConfig | None = None) -> np.ndarray:
    """Pretrained item vectors of the world for ``seed`` (cached), unit scale."""
    return _cached_pretrained(seed, side_info, config or WorldConfig())


@functools.lru_cache(maxsize=32)
def _cached_pretrained(seed: int, side_info: bool, config: WorldConfig) -> np.ndarray:
    world = make_world(seed, config)
    emb = pretrain_items(
        world, seed=seed, side_info=side_info, factors=_cached_factors(seed, config)
    )
    emb.flags.writeable = False
    return emb


@functools.lru_cache(maxsize=16)
def _cached_factors(seed: int, config: WorldConfig) -> np.ndarray:
    factors = session_factors(make_world(seed, config), seed=seed)
    factors.flags.writeable = False
    return factors


def damage(emb: np.ndarray, world: World, how: str, seed: int) -> np.ndarray:
    """Make pretrained vectors less suited to CTR, in one of four ways.

    - ``rotate``: a random orthogonal rotation (dot products between items unchanged);
    - ``drop``: project out the directions that linearly predict the true taste factors;
    - ``noise``: add Gaussian noise as large as the vectors (signal-to-noise 1);
    - ``scale10``: ten times the norm (far from the usual init scale).
    """
    rng = np.random.default_rng([seed, 99])
    if how == "none":
        return emb
    if how == "rotate":
        q, _ = np.linalg.qr(rng.normal(size=(emb.shape[1], emb.shape[1])))
        return (emb @ q).astype(np.float32)  # type: ignore[no-any-return]
    if how == "drop":
        x = emb - emb.mean(axis=0)
        coef, *_ = np.linalg.lstsq(x, world.item_factor, rcond=None)  # dim x taste
        basis, _ = np.linalg.qr(coef)
        return (x - x @ basis @ basis.T).astype(np.float32)  # type: ignore[no-any-return]
    if how == "noise":
        scale = np.sqrt(np.mean(emb**2))
        return (emb + rng.normal(0.0, scale, emb.shape)).astype(np.float32)
    if how == "scale10":
        return emb * 10.0
    raise ValueError(f"unknown damage {how!r}; use rotate, drop, noise or scale10")


def item_module(arm: Arm, world: World, seed: int, gen: torch.Generator) -> nn.Module:
    """The item-embedding module of ``arm`` for the world of data seed ``seed``."""
    n = world.config.n_items
    if arm.items == "random":
        return Table(n, DIM, gen)
    if arm.items in ("frozen", "pretrained"):
        emb = pretrained(seed, arm.side_info, world.config)
        if arm.items == "frozen":
            return Table(n, DIM, gen, init=damage(emb, world, arm.transform, seed), frozen=True)
        start = damage(standardize(emb, PRETRAINED_INIT_RMS), world, arm.transform, seed)
        if arm.transform in ("drop", "noise"):
            start = standardize(start, PRETRAINED_INIT_RMS)
        return Table(n, DIM, gen, init=start)
    if arm.items == "hash":
        return HashedTable(n, max(1, round(arm.ratio * n)), DIM, gen, salt=seed)
    if arm.items == "qr":
        return QRTable(n, max(1, round(arm.ratio * n)), DIM, gen)
    if arm.items == "small":
        small = max(1, round(arm.ratio * DIM))
        return Projected(Table(n, small, gen), small, DIM, gen)
    raise ValueError(f"unknown arm items {arm.items!r}")


_FITS: dict[tuple[object, ...], Fitted] = {}


def run_arm(
    seed: int,
    arm: Arm,
    device: str = "cpu",
    train_rows: int | None = None,
    config: WorldConfig | None = None,
    curve: bool = False,
    epochs: int = 1,
) -> Fitted:
    """Train and score ``arm`` on the world of data seed ``seed`` (cached per process).

    Args:
        seed: Data seed: the world, the pretraining and (plus ``arm.model_seed``) the model.
        arm: The arm.
        device: ``"cpu"`` or ``"cuda"``.
        train_rows: Train on the first this-many training impressions only.
        config: World knobs (default world when None).
        epochs: Passes over the training rows.
        curve: Also record a validation AUC curve (every ``CURVE_EVERY`` steps on
            ``CURVE_ROWS`` test rows). Recording it does not change the model, so a
            cached fit with a curve serves requests without one.
    """
    config = config or WorldConfig()
    world = make_world(seed, config)
    if train_rows is not None and train_rows >= len(world.train):
        train_rows = None  # all of it: the same fit, the same cache entry
    key = (seed, arm, device, train_rows, config, epochs)
    cached = _FITS.get(key)
    if cached is not None and (cached.curve.steps or not curve):
        return cached
    model_seed = seed * 1000 + arm.model_seed
    # The item table gets its own stream, so it does not repeat the other tables' init.
    items = item_module(arm, world, seed, torch.Generator().manual_seed(model_seed + 10**6))
    fitted = fit(
        world,
        items,
        seed=model_seed,
        device=device,
        hidden=arm.hidden,
        pooling=arm.pooling,
        train_rows=train_rows,
        epochs=epochs,
        curve_rows=CURVE_ROWS if curve else 0,
        curve_every=CURVE_EVERY if curve else 0,
    )
    _FITS[key] = fitted
    return fitted
