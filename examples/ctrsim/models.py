"""Small CTR models: id embeddings, behaviour-sequence pooling (mean, DIN, dot), dot interactions.

Every parameter is initialised from an explicit ``torch.Generator``, so a model is
a function of its seed alone, whatever ran before it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

INIT_STD = 0.1
"""Std of a randomly initialised embedding entry: of 0.01 (DeepCTR's default), 0.1 and 1,
0.1 did as well as 0.01 on a validation split and broke the symmetry of the dot
products sooner, so training curves vary less between seeds."""


def _randn_(t: torch.Tensor, std: float, gen: torch.Generator, mean: float = 0.0) -> None:
    with torch.no_grad():
        nn.init.normal_(t, mean, std, generator=gen)


def mlp(sizes: Sequence[int], gen: torch.Generator) -> nn.Sequential:
    """Linear-ReLU stack ending in a linear layer; ``sizes`` = input, hidden..., output."""
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        lin = nn.Linear(fan_in, fan_out)
        bound = 1.0 / np.sqrt(fan_in)
        with torch.no_grad():
            nn.init.uniform_(lin.weight, -np.sqrt(3.0) * bound, np.sqrt(3.0) * bound, generator=gen)
            nn.init.zeros_(lin.bias)
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


# --- id -> vector -------------------------------------------------------------------------


class Table(nn.Module):
    """An id embedding table: random init, initialised from pretrained vectors, or frozen.

    Args:
        n: Number of ids.
        dim: Vector size.
        gen: Generator for random initialisation.
        init: Pretrained ``n x dim`` vectors to start from (random ``N(0, INIT_STD)`` when None).
        frozen: Keep ``init`` fixed (a buffer, not a parameter).
    """

    weight: torch.Tensor

    def __init__(
        self,
        n: int,
        dim: int,
        gen: torch.Generator,
        init: np.ndarray | None = None,
        frozen: bool = False,
    ) -> None:
        super().__init__()
        self.dim = dim
        self.frozen = frozen
        weight = torch.empty(n, dim)
        if init is None:
            _randn_(weight, INIT_STD, gen)
        else:
            weight.copy_(torch.tensor(np.asarray(init, dtype=np.float32)))
        if frozen:
            self.register_buffer("weight", weight)
        else:
            self.weight = nn.Parameter(weight)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        # index_select: the same numbers as nn.Embedding or plain indexing, with the
        # fastest forward and (deterministic) backward of the three on a CPU.
        return self.weight.index_select(0, ids.reshape(-1)).view(*ids.shape, self.dim)

    @property
    def vectors(self) -> torch.Tensor:
        """The current ``n x dim`` table."""
        return self.weight


_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def hash_ids(ids: np.ndarray, buckets: int, salt: int = 0) -> np.ndarray:
    """Bucket of each id under MurmurHash3's 64-bit finaliser (fmix64) of ``id ^ salt``.

    A real, well-mixing hash: buckets are independent of how ids were assigned.
    """
    with np.errstate(over="ignore"):
        salted = np.uint64(salt * 0x9E3779B97F4A7C15 & 0xFFFFFFFFFFFFFFFF)
        h = np.asarray(ids, dtype=np.uint64) ^ salted
        h ^= h >> np.uint64(33)
        h = (h * np.uint64(0xFF51AFD7ED558CCD)) & _MASK64
        h ^= h >> np.uint64(33)
        h = (h * np.uint64(0xC4CEB9FE1A85EC53)) & _MASK64
        h ^= h >> np.uint64(33)
    return (h % np.uint64(buckets)).astype(np.int64)


class HashedTable(nn.Module):
    """The hashing trick: ``n_ids`` ids share ``buckets`` rows through :func:`hash_ids`."""

    bucket: torch.Tensor

    def __init__(
        self, n_ids: int, buckets: int, dim: int, gen: torch.Generator, salt: int = 0
    ) -> None:
        super().__init__()
        self.dim = dim
        self.register_buffer("bucket", torch.tensor(hash_ids(np.arange(n_ids), buckets, salt)))
        self.table = Table(buckets, dim, gen)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.table(self.bucket.index_select(0, ids.reshape(-1)).view(ids.shape))  # type: ignore[no-any-return]


class QRTable(nn.Module):
    """The quotient-remainder trick (Shi et al. 2020): ``Q[id // m] * R[id % m]``.

    Two ids share a row in at most one of the two tables, so every id keeps a unique
    vector with ``ceil(n_ids / m) + m`` rows in all.
    """

    def __init__(self, n_ids: int, m: int, dim: int, gen: torch.Generator) -> None:
        super().__init__()
        self.dim, self.m = dim, m
        n_quotient = -(-n_ids // m)
        # Each factor's std is sqrt(INIT_STD) so that the product starts at the usual scale.
        self.quotient = Table(n_quotient, dim, gen, init=_normal(n_quotient, dim, gen))
        self.remainder = Table(m, dim, gen, init=_normal(m, dim, gen))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.quotient(ids // self.m) * self.remainder(ids % self.m)  # type: ignore[no-any-return]


def _normal(n: int, dim: int, gen: torch.Generator) -> np.ndarray:
    t = torch.empty(n, dim)
    _randn_(t, float(np.sqrt(INIT_STD)), gen)
    return t.numpy()


class Projected(nn.Module):
    """A table of smaller dimension followed by a linear map up to the model's dimension."""

    def __init__(self, table: nn.Module, dim_in: int, dim: int, gen: torch.Generator) -> None:
        super().__init__()
        self.table, self.dim = table, dim
        self.proj = mlp([dim_in, dim], gen)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.proj(self.table(ids))  # type: ignore[no-any-return]


# --- the CTR model -------------------------------------------------------------------------

POOLINGS = ("mean", "din", "dot")


class CTRModel(nn.Module):
    """A CTR model over the target item and the user's behaviour sequence.

    A user is represented by their behaviour sequence, as in YouTube DNN and DIN:
    the vectors of the items they interacted with, pooled into one interest vector
    (``pooling``). The target item, its category and brand (side information, always
    learned end to end) and the interest vector are four fields; the fields and
    their six pairwise dot products (DLRM's interaction) go into a top MLP. How ids
    become vectors (learned, pretrained, frozen, hashed...) is up to ``items``.

    Poolings: ``"mean"`` (DIN's base model: sum pooling, normalised), ``"din"``
    (DIN's activation unit, an MLP with 36 hidden units on
    ``[e_h, e_t, e_h - e_t, e_h * e_t, position]``)
    or ``"dot"`` (``<e_h, e_t>`` plus a learned per-position bias). Attention weights
    are softmax-normalised and both attentions see the position, so both can learn
    recency; neither is handed the world's relevance function.

    Args:
        items: Module mapping item ids to vectors of size ``dim``.
        history: Behaviour sequence per user (``n_users x L`` item ids).
        item_category: Category of each item id.
        item_brand: Brand of each item id.
        dim: Vector size of every field.
        gen: Generator for initialisation.
        hidden: Hidden widths of the top MLP (``()``: logistic regression on the fields and dots).
        pooling: ``"mean"``, ``"din"`` or ``"dot"``.
    """

    history: torch.Tensor
    item_category: torch.Tensor
    item_brand: torch.Tensor
    user_interest: torch.Tensor | None

    def __init__(
        self,
        items: nn.Module,
        history: np.ndarray,
        item_category: np.ndarray,
        item_brand: np.ndarray,
        dim: int,
        gen: torch.Generator,
        hidden: Sequence[int] = (64, 32),
        pooling: str = "mean",
    ) -> None:
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        self.items, self.pooling = items, pooling
        self.category = Table(int(item_category.max()) + 1, dim, gen)
        self.brand = Table(int(item_brand.max()) + 1, dim, gen)
        self.register_buffer("history", torch.tensor(history))
        self.register_buffer("item_category", torch.tensor(item_category))
        self.register_buffer("item_brand", torch.tensor(item_brand))
        length = history.shape[1]
        if pooling == "din":
            # DIN's activation unit, Linear(36) -> ReLU -> Linear(1) on
            # [e_h, e_t, e_h - e_t, e_h * e_t, position]. Its first layer is linear in
            # the concatenation, so it is computed as A [e_h, e_h * e_t] + B e_t + C[pos]
            # (the e_h - e_t block folds into A and B): the same functions, fewer FLOPs.
            self.attention_h = mlp([2 * dim, 36], gen)
            self.attention_t = mlp([dim, 36], gen)
            # The per-position term is a dense parameter of the attention unit, so it
            # is trained with the rest of the unit (Adam), not as an id table (Adagrad).
            self.attention_pos = nn.Parameter(torch.empty(length, 36))
            _randn_(self.attention_pos, INIT_STD, gen)
            self.attention_out = mlp([36, 1], gen)
        elif pooling == "dot":
            self.position_bias = nn.Parameter(torch.zeros(length))
        interest = None
        if pooling == "mean" and isinstance(items, Table) and items.frozen:
            # Frozen vectors, mean pooling: a user's interest never changes, so it is
            # pooled once here (the same numbers as pooling in every batch).
            with torch.no_grad():
                interest = items(torch.tensor(history)).mean(dim=1)
        self.register_buffer("user_interest", interest)
        n_fields = 4
        self.top = mlp([n_fields * dim + n_fields * (n_fields - 1) // 2, *hidden, 1], gen)
        self.pairs = [(i, j) for i in range(n_fields) for j in range(i + 1, n_fields)]

    def interest(self, h: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """Pool behaviour vectors ``h`` (batch x L x dim) given target vectors ``t``."""
        if self.pooling == "mean":
            return h.mean(dim=1)
        if self.pooling == "din":
            te = t.unsqueeze(1)
            hidden = (
                self.attention_h(torch.cat([h, h * te], dim=2))
                + self.attention_t(t).unsqueeze(1)
                + self.attention_pos
            )
            score = self.attention_out(torch.relu(hidden)).squeeze(2)
        else:
            # Broadcast products, not einsum: einsum becomes a batched matmul with
            # inner size 1 whose backward is several times slower on a CPU.
            score = (h * t.unsqueeze(1)).sum(dim=2) + self.position_bias
        return (torch.softmax(score, dim=1).unsqueeze(2) * h).sum(dim=1)

    def forward(self, user: torch.Tensor, item: torch.Tensor) -> torch.Tensor:
        # Separate lookups for the behaviour sequence and the target: slicing one
        # joint lookup apart costs two full-size zero-filled gradients in backward.
        t = self.items(item)
        if self.user_interest is not None:
            interest = self.user_interest.index_select(0, user)
        else:
            interest = self.interest(self.items(self.history.index_select(0, user)), t)
        fields = [
            interest,
            t,
            self.category(self.item_category.index_select(0, item)),
            self.brand(self.item_brand.index_select(0, item)),
        ]
        dots = [(fields[i] * fields[j]).sum(dim=1, keepdim=True) for i, j in self.pairs]
        return self.top(torch.cat([*fields, *dots], dim=1)).squeeze(1)  # type: ignore[no-any-return]


# --- parameter counting --------------------------------------------------------------------


def dlrm_parameter_count(
    cardinalities: Sequence[int], bottom: Sequence[int], top_hidden: Sequence[int]
) -> dict[str, int]:
    """Exact parameter counts of a DLRM built on the meta device (no memory is allocated).

    Args:
        cardinalities: Rows of each categorical feature's embedding table.
        bottom: Bottom MLP sizes from the dense input to the embedding dimension,
            e.g. ``(13, 512, 256, 64, 16)``; the last size is the embedding dimension.
        top_hidden: Top MLP hidden widths; its input is the embedding dimension plus
            the pairwise dot products of the ``len(cardinalities) + 1`` vectors, its
            output 1 (DLRM's "dot" interaction).

    Returns:
        ``{"embedding": ..., "bottom_mlp": ..., "top_mlp": ...}``.
    """
    dim = bottom[-1]
    n_vectors = len(cardinalities) + 1
    with torch.device("meta"):
        tables = nn.ModuleList(nn.EmbeddingBag(n, dim, mode="sum") for n in cardinalities)
        bottom_mlp = _meta_mlp(bottom)
        top_mlp = _meta_mlp([dim + n_vectors * (n_vectors - 1) // 2, *top_hidden, 1])

    def count(m: nn.Module) -> int:
        return sum(p.numel() for p in m.parameters())

    return {"embedding": count(tables), "bottom_mlp": count(bottom_mlp), "top_mlp": count(top_mlp)}


def _meta_mlp(sizes: Sequence[int]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])
