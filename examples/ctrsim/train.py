"""Training and evaluating CTR models: one pass over the data, large batches, Adagrad on rows.

Embedding tables get Adagrad, the usual optimiser for sparse id features (DLRM,
Wide & Deep): its update is proportional to the gradient, so a row that a batch
does not touch is not changed, and its per-row step sizes shrink as evidence
accumulates. The gradient is computed densely (a 10^4-row table is small), which
gives exactly the numbers of ``sparse=True`` embeddings with sparse Adagrad,
several times faster on a CPU. The dense layers get Adam. One epoch is the
default: CTR models are usually trained for one pass, and more passes over-fit
the id embeddings (Zhang et al. 2022, "Towards understanding the overfitting
phenomenon of deep click-through rate models").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .models import CTRModel, Table
from .world import SEGMENT_NAMES, Impressions, World, auc, logloss

BATCH_SIZE = 2048
"""Impressions per step: of 512-4096, 1024 and 2048 reached the best validation AUC in
one epoch (fewer, larger steps left the model short of its plateau); 2048 is cheaper."""
DIM = 16
"""Embedding dimension of every model (the Criteo Kaggle DLRM's)."""
LR_EMBEDDING = 0.3
"""Adagrad learning rate of embedding tables: the best of 0.1, 0.3, 1 on a validation split."""
LR_DENSE = 0.005
"""Adam learning rate of the dense layers: of 0.002-0.03, the best on a validation split."""


@dataclass(frozen=True, slots=True)
class Batches:
    """Tensors of one split, on the training device."""

    inputs: tuple[torch.Tensor, ...]
    """Model inputs, one tensor per positional argument, rows aligned."""
    label: torch.Tensor

    def __len__(self) -> int:
        return int(self.label.shape[0])


def ctr_batches(split: Impressions, device: torch.device | str, rows: int | None = None) -> Batches:
    """(user, item) inputs and labels of the first ``rows`` impressions of ``split``."""
    n = len(split) if rows is None else rows
    return Batches(
        (
            torch.tensor(split.user[:n], device=device),
            torch.tensor(split.item[:n], device=device),
        ),
        torch.tensor(split.label[:n], device=device),
    )


@dataclass(slots=True)
class Curve:
    """Validation AUC recorded during training."""

    steps: list[int] = field(default_factory=list)
    auc: list[float] = field(default_factory=list)

    def steps_to(self, target: float) -> float:
        """Step at which the AUC first reaches ``target``.

        Interpolated linearly between the last point below ``target`` and the first
        at or above it, so the answer is not rounded to the curve's interval; the
        first step when the curve starts above it; the last step plus one interval
        when it never gets there (an underestimate).
        """
        for k, (step, value) in enumerate(zip(self.steps, self.auc, strict=True)):
            if value >= target:
                if k == 0:
                    return float(step)
                before, below = self.steps[k - 1], self.auc[k - 1]
                return before + (step - before) * (target - below) / (value - below)
        return float(
            self.steps[-1] + (self.steps[-1] - self.steps[-2] if len(self.steps) > 1 else 1)
        )


@torch.inference_mode()
def predict(model: nn.Module, data: Batches, batch_size: int = 16_384) -> np.ndarray:
    """Click probabilities for every row of ``data`` (float64 numpy)."""
    model.eval()
    out = []
    for start in range(0, len(data), batch_size):
        rows = slice(start, start + batch_size)
        out.append(torch.sigmoid(model(*(x[rows] for x in data.inputs))).double().cpu().numpy())
    model.train()
    return np.concatenate(out)


def train(
    model: nn.Module,
    data: Batches,
    *,
    seed: int,
    epochs: int = 1,
    batch_size: int = BATCH_SIZE,
    lr_embedding: float = LR_EMBEDDING,
    lr_dense: float = LR_DENSE,
    curve_on: Batches | None = None,
    curve_every: int = 0,
) -> Curve:
    """Fit ``model`` to ``data`` with binary cross-entropy.

    Args:
        model: The model; the weights of its trainable ``Table`` modules get Adagrad.
        data: Training inputs and labels (already in random order; later epochs reshuffle).
        seed: Seeds the reshuffling of epochs after the first.
        epochs: Passes over the data.
        batch_size: Rows per step.
        lr_embedding: Adagrad learning rate of embedding tables.
        lr_dense: Adam learning rate of everything else.
        curve_on: Data for a validation curve (AUC every ``curve_every`` steps, and at step 0).
        curve_every: Interval of the curve in steps (0: no curve).

    Returns:
        The validation curve (empty without ``curve_on``).
    """
    table_ids = {id(m.weight) for m in model.modules() if isinstance(m, Table) and not m.frozen}
    params = [p for p in model.parameters() if p.requires_grad]
    tables = [p for p in params if id(p) in table_ids]
    dense = [p for p in params if id(p) not in table_ids]
    optimizers: list[torch.optim.Optimizer] = []
    # The fused CPU kernels do the same update in one call per step, not a few
    # small ops per tensor; on a GPU torch picks its own fast path.
    fused = True if data.label.device.type == "cpu" else None
    if tables:
        optimizers.append(torch.optim.Adagrad(tables, lr=lr_embedding, fused=fused))
    if dense:
        optimizers.append(torch.optim.Adam(dense, lr=lr_dense, fused=fused))
    loss_fn = nn.BCEWithLogitsLoss()
    gen = torch.Generator().manual_seed(seed)
    curve = Curve()

    def record(step: int) -> None:
        if curve_on is not None and curve_every:
            curve.steps.append(step)
            curve.auc.append(auc(predict(model, curve_on), curve_on.label.cpu().numpy()))

    record(0)
    step = 0
    n = len(data)
    for epoch in range(epochs):
        order = None if epoch == 0 else torch.randperm(n, generator=gen).to(data.label.device)
        for start in range(0, n, batch_size):
            idx: slice | torch.Tensor = slice(start, start + batch_size)
            if order is not None:
                idx = order[start : start + batch_size]
            logits = model(*(x[idx] for x in data.inputs))
            loss = loss_fn(logits, data.label[idx])
            for opt in optimizers:
                opt.zero_grad(set_to_none=True)
            loss.backward()
            for opt in optimizers:
                opt.step()
            step += 1
            if curve_every and step % curve_every == 0:
                record(step)
    if curve_every and step % curve_every:
        record(step)
    return curve


@dataclass(frozen=True, slots=True)
class Quality:
    """AUC and logloss of predictions on some test rows."""

    auc: float
    logloss: float

    @classmethod
    def of(cls, p: np.ndarray, label: np.ndarray) -> Quality:
        """AUC and logloss of probabilities ``p`` against ``label``."""
        return cls(auc(p, label), logloss(p, label))


@dataclass(frozen=True, slots=True)
class Scores:
    """Test metrics of one trained model."""

    auc: float
    logloss: float
    segment_auc: tuple[float, ...]
    """AUC on test rows of head, torso and tail items."""
    segment_logloss: tuple[float, ...]
    """Logloss on test rows of head, torso and tail items."""

    def segment(self, k: int) -> Quality:
        """AUC and logloss on test rows of segment ``k`` (``HEAD``, ``TORSO``, ``TAIL``)."""
        return Quality(self.segment_auc[k], self.segment_logloss[k])


def score(world: World, p: np.ndarray, split: Impressions | None = None) -> Scores:
    """AUC and logloss of predictions ``p`` on ``split`` (test), overall and by popularity."""
    split = world.test if split is None else split
    seg = world.item_segment[split.item[: p.shape[0]]]
    label = split.label[: p.shape[0]]
    segments = [seg == s for s in range(len(SEGMENT_NAMES))]
    return Scores(
        auc=auc(p, label),
        logloss=logloss(p, label),
        segment_auc=tuple(auc(p[rows], label[rows]) for rows in segments),
        segment_logloss=tuple(logloss(p[rows], label[rows]) for rows in segments),
    )


@dataclass(frozen=True, slots=True)
class Fitted:
    """A trained model with its test scores and validation curve."""

    model: CTRModel
    scores: Scores
    curve: Curve
    p_test: np.ndarray
    """Predicted click probabilities on the test split."""


def fit(
    world: World,
    items: nn.Module,
    *,
    seed: int,
    device: torch.device | str,
    hidden: tuple[int, ...] = (64, 32),
    pooling: str = "mean",
    epochs: int = 1,
    lr_embedding: float = LR_EMBEDDING,
    lr_dense: float = LR_DENSE,
    train_rows: int | None = None,
    curve_rows: int = 0,
    curve_every: int = 0,
) -> Fitted:
    """Build a :class:`CTRModel` over ``items``, train it on the world's training split, score it.

    Args:
        world: The data.
        items: How item ids become vectors (a ``Table``, ``HashedTable``...).
        seed: Seeds the model's initialisation (arms of one data seed share it).
        device: Where to train.
        hidden: Top MLP hidden widths.
        pooling: Behaviour-sequence pooling (``"mean"``, ``"din"``, ``"dot"``).
        epochs: Passes over the training split.
        lr_embedding: Adagrad learning rate of the tables.
        lr_dense: Adam learning rate of the rest.
        train_rows: Train on the first this-many impressions only (a learning curve).
        curve_rows: Record a validation AUC curve on the first this-many test rows.
        curve_every: Steps between curve points.
    """
    gen = torch.Generator().manual_seed(seed)
    model = CTRModel(
        items,
        world.history,
        world.item_category,
        world.item_brand,
        DIM,
        gen,
        hidden=hidden,
        pooling=pooling,
    ).to(device)
    data = ctr_batches(world.train, device, train_rows)
    curve_on = ctr_batches(world.test, device, curve_rows) if curve_rows else None
    curve = train(
        model,
        data,
        seed=seed,
        epochs=epochs,
        lr_embedding=lr_embedding,
        lr_dense=lr_dense,
        curve_on=curve_on,
        curve_every=curve_every,
    )
    p = predict(model, ctr_batches(world.test, device))
    return Fitted(model, score(world, p), curve, p)
