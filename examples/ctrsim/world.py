"""A synthetic CTR world whose click probability is known.

Items have latent taste factors ``v`` (dimension ``dim``) built hierarchically from
category and brand centroids, so category and brand are *side information*
correlated with the factors. Users have taste factors ``u``. An impression of item
``i`` to user ``j`` is clicked with probability

    p = sigmoid(base + user_bias[j] + item_bias[i] + interaction * <u_j, v_i> / sqrt(dim))

(or, with ``history_weight > 0``, partly through an attention over the user's
recent behaviour, for DIN). Item popularity is Zipf; item ids are a random
permutation of popularity ranks, so an id says nothing about its frequency. A
random tenth of the items are *new*: shown and browsed 20x less before the test
period than in it, so the test set has genuinely cold items.

Besides the impression logs the world emits *browsing sessions* for pretraining:
a session has an intent ``s`` and picks items with weight ``pop * exp(T <s, w_i>)``
where ``w = sqrt(alignment) * v + sqrt(1 - alignment) * z`` mixes the CTR taste
factors with a nuisance similarity axis ``z`` (built like ``v``, from independent
centroids). ``alignment`` is the knob for how well the pretraining objective
agrees with CTR. Everything is drawn from ``numpy.random.default_rng`` streams
derived from one seed, so a seed reproduces the world bit for bit.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

# Segment codes of items by popularity (share of impressions).
HEAD, TORSO, TAIL = 0, 1, 2
SEGMENT_NAMES = ("head", "torso", "tail")


@dataclass(frozen=True, slots=True)
class WorldConfig:
    """Knobs of the synthetic world; the defaults are the world every experiment uses.

    They resemble a public CTR log: CTR 0.1-0.2, Zipf item popularity with a long
    tail and new items, a click model whose best possible AUC is near 0.8 (Criteo's
    best models reach about 0.81). Sizes were set from pilots of the oracle AUC, the
    CTR, and whether a model learning its table end to end gets near its ceiling in
    one epoch (with a larger vocabulary it did not, and every comparison would have
    measured an unconverged model); ``alignment`` was fixed at 0.5 before any
    experiment ran. No knob was changed to move a claim's verdict.
    """

    n_users: int = 20_000
    """Users, each represented by a behaviour sequence."""
    n_items: int = 3_000
    """Items (the id vocabulary that gets embedded, hashed, pretrained)."""
    n_categories: int = 20
    """Item categories (side information)."""
    n_brands: int = 150
    """Item brands, each inside one category (side information)."""
    dim: int = 4
    """Dimension of the true taste factors."""
    zipf_alpha: float = 0.9
    """Exponent of item popularity: P(rank r) ~ r^-alpha."""
    category_share: float = 0.35
    """Share of an item factor's variance explained by its category."""
    brand_share: float = 0.25
    """Share explained by its brand (the rest, 0.40, is item-specific)."""
    base_logit: float = -2.4
    """Intercept; sets the CTR near 0.13."""
    interaction: float = 1.1
    """Weight of the user-item taste match in the logit."""
    user_bias_sd: float = 0.5
    """Spread of per-user click propensity."""
    item_bias_sd: float = 0.5
    """Spread of per-item attractiveness (half of its variance from category and brand)."""
    new_item_share: float = 0.1
    """Share of items that are new: rarely shown (and browsed) before the test period."""
    new_item_exposure: float = 0.05
    """Factor on a new item's popularity in training impressions and sessions."""
    alignment: float = 0.5
    """Share of the session-similarity factor that is the CTR taste factor."""
    n_sessions: int = 60_000
    """Browsing sessions available for pretraining."""
    session_len: int = 8
    """Items per session."""
    session_candidates: int = 32
    """Popularity-sampled candidates a session picks its items from."""
    session_temperature: float = 2.0
    """How strongly a session's items follow its intent."""
    history_len: int = 10
    """Length of each user's behaviour sequence (most recent first)."""
    history_weight: float = 0.0
    """0: clicks follow static taste; 1: clicks follow attention over the behaviour sequence."""
    recency_decay: float = 0.15
    """Attention logit lost per step back in the behaviour sequence."""
    category_match: float = 1.5
    """Attention logit gained when a behaviour item shares the target's category."""
    n_train: int = 600_000
    """Training impressions."""
    n_test: int = 250_000
    """Test impressions, shared by every arm of an experiment."""

    def replace(self, **changes: float | int | bool) -> WorldConfig:
        """Return a copy with some knobs changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True, eq=False)
class Impressions:
    """One split of the impression log."""

    user: np.ndarray
    """User id per row (int64)."""
    item: np.ndarray
    """Item id per row (int64)."""
    label: np.ndarray
    """Click (float32 0/1)."""
    p_true: np.ndarray
    """The true click probability (float64)."""

    def __len__(self) -> int:
        return int(self.user.shape[0])

    def take(self, rows: np.ndarray | slice) -> Impressions:
        """Rows of this split."""
        return Impressions(self.user[rows], self.item[rows], self.label[rows], self.p_true[rows])


@dataclass(frozen=True, slots=True, eq=False)
class World:
    """A generated world: latent truth, side information, logs and sessions."""

    config: WorldConfig
    seed: int
    item_category: np.ndarray
    """Category id per item."""
    item_brand: np.ndarray
    """Brand id per item."""
    item_factor: np.ndarray
    """True taste factors ``v`` (n_items x dim)."""
    item_similarity: np.ndarray
    """Session-similarity factors ``w`` (n_items x dim)."""
    item_bias: np.ndarray
    """True per-item logit offset."""
    item_popularity: np.ndarray
    """Probability that a test impression shows each item (sums to 1)."""
    item_new: np.ndarray
    """New items: their popularity is ``new_item_exposure`` times lower before the test period."""
    item_segment: np.ndarray
    """HEAD / TORSO / TAIL by popularity: top 50 % of impressions, next 30 %, last 20 %."""
    user_factor: np.ndarray
    """True user taste ``u`` (n_users x dim)."""
    user_bias: np.ndarray
    """True per-user logit offset."""
    history: np.ndarray
    """Behaviour sequence per user (n_users x history_len), most recent first."""
    sessions: np.ndarray
    """Browsing sessions for pretraining (n_sessions x session_len item ids)."""
    train: Impressions
    test: Impressions

    @property
    def oracle_test_auc(self) -> float:
        """AUC of the true click probability on the test labels: no model can beat it on average."""
        return auc(self.test.p_true, self.test.label)


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties counted half).

    Computed from average ranks, as ``scipy.stats.rankdata`` would give them, in
    numpy alone: importing ``scipy.stats`` costs half a second per process.
    """
    label = np.asarray(label) > 0.5
    n = label.shape[0]
    n_pos = int(label.sum())
    n_neg = n - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUC needs both clicks and non-clicks")
    score = np.asarray(score, dtype=np.float64)
    order = np.argsort(score)  # any order within a run of ties gives the same ranks
    ranked = score[order]
    # Runs of equal scores share the mean of the 1-based ranks they span.
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    ends = np.r_[starts[1:], n]
    mean_rank = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    rank_sum = float(mean_rank[label[order]].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def logloss(p: np.ndarray, label: np.ndarray) -> float:
    """Mean binary cross-entropy of probabilities ``p``."""
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-7, 1 - 1e-7)
    y = np.asarray(label, dtype=np.float64)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log1p(-p)))


def choice(rng: np.random.Generator, p: np.ndarray, size: int | tuple[int, ...]) -> np.ndarray:
    """``rng.choice(len(p), size, p=p)``, bit for bit, several times faster.

    numpy draws ``rng.random(size)`` and binary-searches the cumulative
    probabilities; the same draws are looked up here through a table that maps
    each 1/65536 of [0, 1) to its first candidate, then stepped forward, so the
    answers (and the generator's state afterwards) are exactly numpy's.
    """
    cdf = np.cumsum(p)
    cdf /= cdf[-1]
    u = rng.random(size)
    grid = 1 << 16
    guide = cdf.searchsorted(np.arange(grid) / grid, side="right")
    idx = guide[(u * grid).astype(np.int64)]
    n = cdf.shape[0]
    active = np.flatnonzero((idx < n) & (cdf[np.minimum(idx, n - 1)] <= u))
    while active.size:
        idx.flat[active] += 1
        i = idx.flat[active]
        active = active[(i < n) & (cdf[np.minimum(i, n - 1)] <= u.flat[active])]
    return idx  # type: ignore[no-any-return]


def _hierarchical_factors(
    rng: np.random.Generator, cfg: WorldConfig, item_brand: np.ndarray, brand_category: np.ndarray
) -> np.ndarray:
    """Item vectors = category centroid + brand offset + item offset, unit variance per dim."""
    item_share = 1.0 - cfg.category_share - cfg.brand_share
    cat = rng.normal(0.0, np.sqrt(cfg.category_share), (cfg.n_categories, cfg.dim))
    brand = cat[brand_category] + rng.normal(0.0, np.sqrt(cfg.brand_share), (cfg.n_brands, cfg.dim))
    return brand[item_brand] + rng.normal(0.0, np.sqrt(item_share), (cfg.n_items, cfg.dim))  # type: ignore[no-any-return]


def _pick_by_intent(
    rng: np.random.Generator,
    intent: np.ndarray,
    factors: np.ndarray,
    popularity: np.ndarray,
    n_candidates: int,
    n_pick: int,
    temperature: float,
) -> np.ndarray:
    """For each intent row, ``n_pick`` distinct candidates drawn ~ pop * exp(T <intent, f>).

    Candidates are drawn by popularity, then picked without replacement by Gumbel
    top-k on the intent score (sampling-importance-resampling), vectorised.
    """
    rows = intent.shape[0]
    out = np.empty((rows, n_pick), dtype=np.int64)
    scale = temperature / np.sqrt(factors.shape[1])
    for start in range(0, rows, 20_000):
        stop = min(rows, start + 20_000)
        cand = choice(rng, popularity, (stop - start, n_candidates))
        score = np.einsum("rkd,rd->rk", factors[cand], intent[start:stop]) * scale
        score += rng.gumbel(size=score.shape)
        # Duplicated candidates would be picked twice; push duplicates to the end.
        order = np.argsort(cand, axis=1, kind="stable")
        sorted_c = np.take_along_axis(cand, order, axis=1)
        dup = np.zeros_like(sorted_c, dtype=bool)
        dup[:, 1:] = sorted_c[:, 1:] == sorted_c[:, :-1]
        kept = np.where(dup, -np.inf, np.take_along_axis(score, order, 1))
        np.put_along_axis(score, order, kept, 1)
        top = np.argsort(-score, axis=1, kind="stable")[:, :n_pick]
        out[start:stop] = np.take_along_axis(cand, top, axis=1)
    return out


def history_interest(
    history_factors: np.ndarray,
    history_category: np.ndarray,
    target_factor: np.ndarray,
    target_category: np.ndarray,
    cfg: WorldConfig,
) -> np.ndarray:
    """True attention-pooled interest of each row's behaviour sequence in its target.

    Relevance of behaviour item ``h`` to target ``t`` is
    ``<v_h, v_t>/sqrt(dim) + category_match * [cat_h == cat_t] - recency_decay * position``;
    the interest is the softmax-weighted mean of ``v_h``. This is the ground truth
    the DIN experiment's attention arms try to recover: neither a dot product in a
    pretrained space nor sum pooling is it.
    """
    rel = np.einsum("rld,rd->rl", history_factors, target_factor) / np.sqrt(cfg.dim)
    rel += cfg.category_match * (history_category == target_category[:, None])
    rel -= cfg.recency_decay * np.arange(history_factors.shape[1])[None, :]
    rel -= rel.max(axis=1, keepdims=True)
    weight = np.exp(rel)
    weight /= weight.sum(axis=1, keepdims=True)
    return np.einsum("rl,rld->rd", weight, history_factors)  # type: ignore[no-any-return]


def _impressions(
    rng: np.random.Generator,
    n: int,
    cfg: WorldConfig,
    parts: dict[str, np.ndarray],
    popularity: np.ndarray,
) -> Impressions:
    user = rng.integers(0, cfg.n_users, size=n)
    item = choice(rng, popularity, n)
    v = parts["item_factor"][item]
    static = np.einsum("rd,rd->r", parts["user_factor"][user], v)
    logit = cfg.base_logit + parts["user_bias"][user] + parts["item_bias"][item]
    if cfg.history_weight > 0:
        dynamic = np.empty(n)
        for start in range(0, n, 100_000):
            rows = slice(start, min(n, start + 100_000))
            hist = parts["history"][user[rows]]
            interest = history_interest(
                parts["item_factor"][hist],
                parts["item_category"][hist],
                v[rows],
                parts["item_category"][item[rows]],
                cfg,
            )
            # Standardise the match to the mean and spread of the static one.
            match = np.einsum("rd,rd->r", interest, v[rows])
            dynamic[rows] = (match - parts["interest_mean"]) / parts["interest_sd"]
        static = (1 - cfg.history_weight) * static + cfg.history_weight * dynamic
    logit = logit + cfg.interaction * static / np.sqrt(cfg.dim)
    p_true = 1.0 / (1.0 + np.exp(-logit))
    label = (rng.random(n) < p_true).astype(np.float32)
    return Impressions(user.astype(np.int64), item.astype(np.int64), label, p_true)


def make_world(seed: int, config: WorldConfig | None = None) -> World:
    """The world for ``seed``, generated once per process and shared.

    Worlds are cached (experiments in one process share them) and their arrays are
    read-only, so no experiment can change another's data. ``config=None`` and
    ``WorldConfig()`` are the same cache entry.

    Args:
        seed: The data seed; experiments pair their arms by it.
        config: World knobs; ``WorldConfig()`` when omitted.

    Returns:
        The world, with train and test impressions and pretraining sessions.
    """
    return _cached_world(seed, config or WorldConfig())


@functools.lru_cache(maxsize=16)
def _cached_world(seed: int, config: WorldConfig) -> World:
    return generate_world(seed, config)


def generate_world(seed: int, config: WorldConfig | None = None) -> World:
    """Generate the world for ``seed`` (uncached): same seed and config, same arrays, bit for bit.

    Args:
        seed: The data seed.
        config: World knobs; ``WorldConfig()`` when omitted.
    """
    cfg = config or WorldConfig()
    streams = np.random.SeedSequence([seed, 20220519]).spawn(6)
    r_items, r_users, r_sessions, r_history, r_train, r_test = (
        np.random.default_rng(s) for s in streams
    )

    brand_category = r_items.integers(0, cfg.n_categories, size=cfg.n_brands)
    item_brand = r_items.integers(0, cfg.n_brands, size=cfg.n_items)
    item_category = brand_category[item_brand]
    v = _hierarchical_factors(r_items, cfg, item_brand, brand_category)
    z = _hierarchical_factors(r_items, cfg, item_brand, brand_category)
    w = np.sqrt(cfg.alignment) * v + np.sqrt(1.0 - cfg.alignment) * z
    # Half of the item-bias variance comes from category and brand, half is item-specific.
    bias_sd = cfg.item_bias_sd / np.sqrt(2.0)
    item_bias = (
        r_items.normal(0, bias_sd / np.sqrt(2), cfg.n_categories)[item_category]
        + r_items.normal(0, bias_sd / np.sqrt(2), cfg.n_brands)[item_brand]
        + r_items.normal(0, bias_sd, cfg.n_items)
    )
    rank = r_items.permutation(cfg.n_items)  # item id -> popularity rank (0 = most popular)
    pop = (rank + 1.0) ** -cfg.zipf_alpha
    pop /= pop.sum()
    by_rank = np.argsort(rank)
    cum = np.cumsum(pop[by_rank])
    segment = np.empty(cfg.n_items, dtype=np.int64)
    segment[by_rank] = np.where(cum <= 0.5, HEAD, np.where(cum <= 0.8, TORSO, TAIL))
    # New items: a random subset, hardly shown or browsed before the test period.
    new = r_items.random(cfg.n_items) < cfg.new_item_share
    pop_before = np.where(new, pop * cfg.new_item_exposure, pop)
    pop_before /= pop_before.sum()

    u = r_users.normal(0.0, 1.0, (cfg.n_users, cfg.dim))
    user_bias = r_users.normal(0.0, cfg.user_bias_sd, cfg.n_users)

    intent = r_sessions.normal(0.0, 1.0, (cfg.n_sessions, cfg.dim))
    sessions = _pick_by_intent(
        r_sessions,
        intent,
        w,
        pop_before,
        cfg.session_candidates,
        cfg.session_len,
        cfg.session_temperature,
    )
    history = _pick_by_intent(
        r_history,
        u,
        v,
        pop_before,
        cfg.session_candidates,
        cfg.history_len,
        cfg.session_temperature,
    )

    parts = {
        "item_factor": v,
        "item_category": item_category,
        "item_bias": item_bias,
        "user_factor": u,
        "user_bias": user_bias,
        "history": history,
        "interest_mean": np.zeros(()),
        "interest_sd": np.ones(()),
    }
    if cfg.history_weight > 0:
        # Standardise the pooled interest once, on a sample, so the logit scale matches.
        probe_user = r_history.integers(0, cfg.n_users, 20_000)
        probe_item = choice(r_history, pop_before, 20_000)
        hist = history[probe_user]
        interest = history_interest(
            v[hist], item_category[hist], v[probe_item], item_category[probe_item], cfg
        )
        match = np.einsum("rd,rd->r", interest, v[probe_item])
        static_sd = np.einsum("rd,rd->r", u[probe_user], v[probe_item]).std()
        parts["interest_mean"] = np.asarray(match.mean())
        parts["interest_sd"] = np.asarray(match.std() / static_sd)
    world = World(
        config=cfg,
        seed=seed,
        item_category=item_category,
        item_brand=item_brand,
        item_factor=v,
        item_similarity=w,
        item_bias=item_bias,
        item_popularity=pop,
        item_new=new,
        item_segment=segment,
        user_factor=u,
        user_bias=user_bias,
        history=history,
        sessions=sessions,
        train=_impressions(r_train, cfg.n_train, cfg, parts, pop_before),
        test=_impressions(r_test, cfg.n_test, cfg, parts, pop),
    )
    for obj in (world, world.train, world.test):
        for name in obj.__slots__:
            value = getattr(obj, name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False
    return world
