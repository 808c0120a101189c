"""Fast checks of the synthetic CTR world and its helpers (ordinary tests, not experiments)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ctrsim.models import CTRModel, QRTable, Table, dlrm_parameter_count, hash_ids
from ctrsim.pretrain import pretrain_items
from ctrsim.train import Curve, ctr_batches, predict, train
from ctrsim.world import (
    HEAD,
    TAIL,
    TORSO,
    WorldConfig,
    auc,
    choice,
    generate_world,
    make_world,
)

SMALL = WorldConfig(
    n_users=2_000,
    n_items=500,
    n_categories=8,
    n_brands=40,
    n_sessions=5_000,
    n_train=40_000,
    n_test=40_000,
)


def test_same_seed_gives_the_same_world_bit_for_bit():
    a = generate_world(3, SMALL)
    b = generate_world(3, SMALL)
    for name in ("item_factor", "item_similarity", "history", "sessions"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.train.label, b.train.label)
    np.testing.assert_array_equal(a.test.item, b.test.item)


def test_make_world_shares_one_world_for_none_and_the_default_config():
    assert make_world(5, SMALL) is make_world(5, SMALL)
    assert make_world(0) is make_world(0, WorldConfig())


@pytest.mark.parametrize(
    ("n", "power", "zeros", "size"),
    [
        (1, 1.0, False, (5,)),
        (3000, 0.9, False, (400, 32)),
        (500, 25.0, True, (1000,)),
        (7, 3.0, True, (3, 4)),
    ],
)
def test_choice_draws_exactly_what_numpy_choice_draws(n, power, zeros, size):
    rng = np.random.default_rng(n)
    p = rng.random(n) ** power
    if zeros:
        p[rng.random(n) < 0.3] = 0.0
        p[0] = max(p[0], 1e-3)
    p /= p.sum()
    ours, numpys = np.random.default_rng(11), np.random.default_rng(11)
    np.testing.assert_array_equal(choice(ours, p, size), numpys.choice(n, size=size, p=p))
    assert ours.random() == numpys.random()  # the same state afterwards


def test_other_seed_gives_another_world():
    a, b = make_world(3, SMALL), make_world(4, SMALL)
    assert not np.array_equal(a.item_factor, b.item_factor)
    assert not np.array_equal(a.train.item, b.train.item)


def test_world_arrays_are_read_only():
    world = make_world(3, SMALL)
    with pytest.raises(ValueError):
        world.train.label[0] = 1.0


def test_default_world_has_the_documented_shape():
    world = make_world(0)
    assert 0.1 <= world.test.label.mean() <= 0.2
    share = np.bincount(world.item_segment[world.test.item], minlength=3) / len(world.test)
    np.testing.assert_allclose(share[[HEAD, TORSO, TAIL]], [0.5, 0.3, 0.2], atol=0.02)
    # Head items are few, tail items many: Zipf popularity.
    counts = np.bincount(world.item_segment, minlength=3)
    assert counts[HEAD] < counts[TORSO] < counts[TAIL]
    # New items are rare in training and common enough in the test set.
    shown = np.bincount(world.train.item, minlength=world.config.n_items)
    assert np.median(shown[world.item_new]) < 0.1 * np.median(shown[~world.item_new])
    assert 0.75 <= world.oracle_test_auc <= 0.85


def test_oracle_auc_beats_a_trained_model():
    world = make_world(1, SMALL)
    gen = torch.Generator().manual_seed(0)
    model = CTRModel(
        Table(SMALL.n_items, 16, gen), world.history, world.item_category, world.item_brand, 16, gen
    )
    train(model, ctr_batches(world.train, "cpu"), seed=0)
    learned = auc(predict(model, ctr_batches(world.test, "cpu")), world.test.label)
    assert 0.55 < learned < world.oracle_test_auc


@pytest.mark.parametrize("levels", [None, 2, 5, 40])
def test_auc_counts_ties_half_and_matches_pairs(levels):
    rng = np.random.default_rng(levels or 0)
    score = rng.random(300) if levels is None else rng.integers(0, levels, 300).astype(float)
    label = (rng.random(300) < 0.3).astype(np.float32)
    pos, neg = score[label == 1], score[label == 0]
    expected = ((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])).mean()
    assert auc(score, label) == pytest.approx(expected, abs=1e-12)


def test_steps_to_interpolates_the_first_crossing():
    curve = Curve(steps=[0, 20, 40, 60], auc=[0.5, 0.6, 0.7, 0.65])
    assert curve.steps_to(0.65) == pytest.approx(30.0)
    assert curve.steps_to(0.7) == 40.0
    assert curve.steps_to(0.45) == 0.0  # starts above the target
    assert curve.steps_to(0.8) == 80.0  # never reached: one interval past the end


def test_hash_collides_like_a_uniform_hash():
    n = 20_000
    for ratio in (4.0, 1.0):
        bucket = hash_ids(np.arange(n), int(ratio * n), salt=7)
        assert bucket.min() >= 0 and bucket.max() < ratio * n
        collide = (np.bincount(bucket)[bucket] > 1).mean()
        assert collide == pytest.approx(1 - np.exp(-1 / ratio), abs=0.02)
    np.testing.assert_array_equal(hash_ids(np.arange(10), 5, 1), hash_ids(np.arange(10), 5, 1))
    assert not np.array_equal(hash_ids(np.arange(100), 50, 1), hash_ids(np.arange(100), 50, 2))


def test_quotient_remainder_gives_every_id_its_own_pair_of_rows():
    n, m = 1000, 250
    qr = QRTable(n, m, 4, torch.Generator().manual_seed(0))
    ids = torch.arange(n)
    pairs = set(zip((ids // m).tolist(), (ids % m).tolist(), strict=True))
    assert len(pairs) == n
    assert sum(p.numel() for p in qr.parameters()) == (n // m + m) * 4


def test_pretrained_vectors_know_session_similarity_and_side_info_fills_cold_items():
    world = make_world(2, SMALL)
    plain = pretrain_items(world, seed=0)
    side = pretrain_items(world, seed=0, side_info=True)
    seen = np.bincount(world.sessions.ravel(), minlength=SMALL.n_items) >= 20
    x = np.c_[plain[seen], np.ones(seen.sum())]
    coef, *_ = np.linalg.lstsq(x, world.item_similarity[seen], rcond=None)
    resid = world.item_similarity[seen] - x @ coef
    assert 1 - resid.var() / world.item_similarity[seen].var() > 0.3
    # Items seen in few sessions: side information (brand, category) makes them better.
    rare = np.bincount(world.sessions.ravel(), minlength=SMALL.n_items) <= 3
    assert rare.sum() >= 20

    def r2(emb: np.ndarray) -> float:
        x = np.c_[emb[rare], np.ones(rare.sum())]
        c, *_ = np.linalg.lstsq(x, world.item_factor[rare], rcond=None)
        return float(1 - (world.item_factor[rare] - x @ c).var() / world.item_factor[rare].var())

    assert r2(side) > r2(plain) + 0.05


def test_parameter_count_matches_a_hand_count():
    counts = dlrm_parameter_count((10, 20), (3, 4, 2), (5,))
    # Tables 30 x 2; bottom 3->4->2; top input 2 + 3 dot products = 5 -> 5 -> 1.
    assert counts == {
        "embedding": 60,
        "bottom_mlp": 3 * 4 + 4 + 4 * 2 + 2,
        "top_mlp": 5 * 5 + 5 + 5 + 1,
    }
