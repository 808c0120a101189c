"""Pretraining item embeddings for item similarity on browsing sessions.

The objective is item2vec's (Barkan & Koenigstein 2016: skip-gram with negative
sampling over items that co-occur in a session), solved in closed form: SGNS
factorises the shifted PMI matrix of co-occurrences (Levy & Goldberg 2014), so we
take the positive PMI matrix (context counts smoothed with power 0.75, as word2vec
does) and keep its top ``dim`` singular directions, scaled by sqrt(singular value).
That is deterministic and takes well under a second on a CPU, where SGD would
take several.

With ``side_info=True`` an item's vector is pulled toward vectors of its brand and
category, each the session-count-weighted mean of its items' vectors, with weights
``n_i : kappa : kappa`` (``n_i`` = the item's session count). That is what EGES
(Wang et al. 2018) achieves by averaging id and side-information vectors: items
seen in few sessions get a vector from their category and brand. Only the
browsing sessions are used: they are drawn before the test period (with the
training period's popularity), and no impression, training or test, is read.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .world import World


def session_pairs(sessions: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """(center, context) pairs of items at most ``window`` apart in a session, both ways."""
    centers, contexts = [], []
    for offset in range(1, min(window, sessions.shape[1] - 1) + 1):
        a, b = sessions[:, :-offset].ravel(), sessions[:, offset:].ravel()
        centers += [a, b]
        contexts += [b, a]
    return np.concatenate(centers), np.concatenate(contexts)


def ppmi_matrix(sessions: np.ndarray, n_items: int, window: int) -> sp.csr_matrix:
    """Positive pointwise mutual information of session co-occurrences (context power 0.75)."""
    center, context = session_pairs(sessions, window)
    # Count pairs by sorting their (center, context) cell numbers: the distinct cells
    # in order are the matrix in canonical (row-major, sorted) CSR form.
    key = np.sort(center * n_items + context)
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    value = np.diff(np.r_[first, key.shape[0]]).astype(np.float64)
    row, col = np.divmod(key[first], n_items)
    row_sum = np.bincount(row, weights=value, minlength=n_items)
    col_sum = np.bincount(col, weights=value, minlength=n_items) ** 0.75
    pmi = np.log(value * col_sum.sum() / (row_sum[row] * col_sum[col]))
    keep = pmi > 0
    indptr = np.r_[0, np.cumsum(np.bincount(row[keep], minlength=n_items))]
    return sp.csr_matrix((pmi[keep], col[keep], indptr), shape=(n_items, n_items))


def randomized_svd(
    matrix: sp.csr_matrix,
    rank: int,
    rng: np.random.Generator,
    n_iter: int = 6,
    oversample: int = 10,
) -> tuple[np.ndarray, np.ndarray]:
    """Top ``rank`` left singular vectors and values (Halko, Martinsson & Tropp 2011)."""
    y = matrix @ rng.normal(size=(matrix.shape[1], rank + oversample))
    for _ in range(n_iter):
        y, _ = np.linalg.qr(y)
        y = matrix @ (matrix.T @ y)
    q, _ = np.linalg.qr(y)
    u_small, s, _ = np.linalg.svd((matrix.T @ q).T, full_matrices=False)
    return (q @ u_small)[:, :rank], s[:rank]


def _group_mean(
    vectors: np.ndarray, group: np.ndarray, n_groups: int, weight: np.ndarray
) -> np.ndarray:
    sums = np.zeros((n_groups, vectors.shape[1]))
    np.add.at(sums, group, vectors * weight[:, None])
    total = np.bincount(group, weights=weight, minlength=n_groups)
    return sums / np.maximum(total, 1e-12)[:, None]


def session_factors(world: World, *, seed: int, dim: int = 16, window: int = 3) -> np.ndarray:
    """Item2vec's factors of the world's sessions: the top ``dim`` PPMI directions, unscaled.

    Args:
        world: Its ``sessions`` are the corpus.
        seed: Seeds the randomized SVD.
        dim: Embedding dimension (the CTR models' dimension).
        window: Co-occurrence window inside a session.

    Returns:
        ``n_items x dim`` float64, ``U sqrt(S)``; items in no session get zeros.
    """
    ppmi = ppmi_matrix(world.sessions, world.config.n_items, window)
    u, s = randomized_svd(ppmi, dim, np.random.default_rng([seed, 7]))
    return u * np.sqrt(s)  # type: ignore[no-any-return]


def pretrain_items(
    world: World,
    *,
    seed: int,
    dim: int = 16,
    side_info: bool = False,
    window: int = 3,
    kappa: float = 5.0,
    factors: np.ndarray | None = None,
) -> np.ndarray:
    """Item vectors pretrained for session similarity, standardised to unit scale.

    Args:
        world: Its ``sessions`` are the corpus (and category/brand the side information).
        seed: Seeds the randomized SVD.
        dim: Embedding dimension (the CTR models' dimension).
        side_info: Shrink each vector toward its brand and category vectors (EGES-like).
        window: Co-occurrence window inside a session.
        kappa: Pseudo-count of the brand and of the category vector with ``side_info``.
        factors: :func:`session_factors` of the same world, seed, dim and window, when
            already computed (the vectors with and without side information share them).

    Returns:
        ``n_items x dim`` float32, each coordinate centred, root-mean-square 1.
        Items in no session get zeros (or their brand/category vector with ``side_info``).
    """
    cfg = world.config
    if factors is None:
        factors = session_factors(world, seed=seed, dim=dim, window=window)
    emb = factors
    if side_info:
        n = np.bincount(world.sessions.ravel(), minlength=cfg.n_items).astype(np.float64)
        brand = _group_mean(emb, world.item_brand, cfg.n_brands, n)[world.item_brand]
        category = _group_mean(emb, world.item_category, cfg.n_categories, n)[world.item_category]
        emb = (n[:, None] * emb + kappa * brand + kappa * category) / (n[:, None] + 2 * kappa)
    return standardize(emb)


def standardize(emb: np.ndarray, rms: float = 1.0) -> np.ndarray:
    """Centre each coordinate and scale the table to root-mean-square ``rms`` per entry."""
    centred = emb - emb.mean(axis=0, keepdims=True)
    return (centred * (rms / np.sqrt(np.mean(centred**2)))).astype(np.float32)  # type: ignore[no-any-return]


def user_vectors(world: World, item_emb: np.ndarray) -> np.ndarray:
    """Each user's vector: the mean pretrained vector of the items in their behaviour sequence.

    The usual way to represent a user without learning a user id embedding (as
    YouTube DNN averages watched items). The behaviour sequence precedes the
    impression logs, so no label of a training or test row leaks into it.
    """
    return item_emb[world.history].mean(axis=1).astype(np.float32)  # type: ignore[no-any-return]
