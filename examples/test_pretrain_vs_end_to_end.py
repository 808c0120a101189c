"""Pretrained item embeddings versus embeddings learned end to end (highlights 1-3, 5).

Every experiment runs on the synthetic CTR world of ``ctrsim.world`` (3,000 items with
Zipf popularity, 20,000 users represented by their behaviour sequences, 600k training
and 250k test impressions, CTR about 0.13, a known click probability whose AUC, the
oracle, is about 0.80). Item vectors are pretrained on browsing sessions for item
similarity (item2vec's objective, ``ctrsim.pretrain``), a different objective from
CTR: half of what makes items co-occur in sessions is the users' taste, half is not
(``alignment = 0.5``). Arms are paired by data seed: seed ``s`` fixes the world, the
pretraining and the models' initialisation.
"""

from __future__ import annotations

import numpy as np
import pytest
from ctrsim import plots
from ctrsim.arms import CURVE_EVERY, Arm, run_arm
from ctrsim.compare import logloss_text, minus, paired_auc_logloss
from ctrsim.train import Quality
from ctrsim.world import SEGMENT_NAMES, make_world

from notegen.stats import Estimate, decide, ratio_of_means

SEEDS = [0, 1, 2, 3, 4]
RANDOM = Arm("random")
FROZEN = Arm("frozen")
PRETRAINED = Arm("pretrained")
COLD_MAX_IMPRESSIONS = 20
"""Items with at most this many training impressions count as cold."""
SIDE_INFO_SEEDS = 17
"""Data seeds of the side-information experiment (its docstring says why)."""
PLAIN_SEEDS = 10
"""Of those, the seeds that also run pretraining without side information."""


@pytest.mark.claim("e2e-converges-slower", expect="refuted")
def test_end_to_end_converges_an_order_of_magnitude_slower(measure, device):
    """Learning the embeddings end to end converges about ten times slower than pretrained ones.

    Claim (highlight 1): with the embedding layer trained end to end, convergence is
    an order of magnitude slower than with pretrained embeddings.

    Simulated: three arms on the same data, one epoch of Adagrad/Adam: pretrained
    item vectors frozen with only the layers above them trained; the same vectors
    as the initial table, fine-tuned; a table learned from random init. AUC is
    tracked every 20 steps (of 2,048 impressions) on 25k test rows.

    Why this tests it: convergence speed is read as the number of steps an arm
    needs to reach a common quality, the lowest final AUC of the three arms minus
    0.001, so every arm reaches it. The claim is decided on the ratio of steps,
    random init over frozen pretrained, with a paired delta-method CI. "An order of
    magnitude" is read on a log scale: a ratio above sqrt(10) = 3.2 is closer to
    10x than to 1x. Reported beside: each arm's steps to its *own* final AUC minus
    0.001 (how soon it settles), which is the other reading of "converges".

    Anchor: the claim is the answer author's production experience, with no
    published measurement behind it. Zhang et al. (2022, "Towards understanding
    the overfitting phenomenon of deep click-through rate models") find that CTR
    models with learned id embeddings peak within one epoch on public data, which
    points against an order-of-magnitude slower convergence. Our direction agrees
    with that and not with the claim: see the summary.
    """
    seeds = measure.seeds(SEEDS)
    arms = {
        "frozen pretrained + MLP": FROZEN,
        "pretrained init, fine-tuned": PRETRAINED,
        "random init, end to end": RANDOM,
    }
    fits = {
        name: [run_arm(s, arm, str(device), curve=True) for s in seeds]
        for name, arm in arms.items()
    }
    steps: dict[str, list[int]] = {name: [] for name in arms}
    targets = []
    for i in range(len(seeds)):
        target = min(f[i].curve.auc[-1] for f in fits.values()) - 0.001
        targets.append(target)
        for name in arms:
            steps[name].append(fits[name][i].curve.steps_to(target))

    # The other reading: steps until each arm is within 0.001 of its own final AUC.
    settle = {
        name: [f.curve.steps_to(f.curve.auc[-1] - 0.001) for f in fits[name]] for name in arms
    }

    frozen, fine, random = (steps[name] for name in arms)
    ratio = measure.metric("steps_ratio_random_vs_frozen", ratio_of_means(random, frozen), unit="x")
    measure.metric("steps_ratio_finetuned_vs_frozen", ratio_of_means(fine, frozen), unit="x")
    frozen_own, _, random_own = (settle[name] for name in arms)
    own = measure.metric(
        "steps_to_own_final_ratio_random_vs_frozen",
        ratio_of_means(random_own, frozen_own),
        unit="x",
    )
    for key, name in zip(("frozen", "finetuned", "random"), arms, strict=True):
        measure.metric(f"steps_to_target_{key}", steps[name], unit="steps of 2048")
        measure.metric(f"steps_to_own_final_{key}", settle[name], unit="steps of 2048")
        measure.metric(f"final_auc_{key}", [f.curve.auc[-1] for f in fits[name]], unit="AUC")
    measure.metric("target_auc", targets, unit="AUC")

    fig, (ax,) = plots.figure(width=6.4, height=3.8)
    for name, color in zip(arms, plots.COLORS, strict=False):
        curves = [f.curve for f in fits[name]]
        plots.band(ax, curves[0].steps, [c.auc for c in curves], name, color)
    ax.axhline(
        float(np.mean(targets)),
        color="black",
        linestyle=":",
        linewidth=1,
        label="common target (lowest final AUC - 0.001)",
    )
    ax.set_xlabel(f"training step (2,048 impressions; AUC every {CURVE_EVERY} steps)")
    ax.set_ylabel("AUC on 25k test impressions")
    ax.set_ylim(0.6, None)
    ax.legend(loc="lower right", fontsize=8)
    measure.figure(
        plots.finish(fig),
        name="curves",
        caption="AUC on the first 25k test impressions during one epoch, mean and 95% CI over "
        f"{len(seeds)} seeds",
    )
    plots.close(fig)

    measure.summary(
        f"Random-init end-to-end needs {ratio.mean:.1f}x the steps of frozen pretrained "
        f"embeddings to reach the same AUC (95% CI {ratio.ci_low:.1f}…{ratio.ci_high:.1f}x, "
        f"{ratio.n} seeds; claim: about 10x, read as above 3.2x); to settle within 0.001 "
        f"of its own final AUC, {own.mean:.1f}x (95% CI {own.ci_low:.1f}…{own.ci_high:.1f}x)"
    )
    measure.verdict(decide(ratio, above=10**0.5))


@pytest.mark.claim("e2e-auc-gap-small", expect="refuted")
def test_end_to_end_beats_pretrained_by_a_small_margin(measure, device):
    """End-to-end embeddings beat pretrained ones by only 0.1%-0.3% AUC.

    Claim (highlight 2): offline, the end-to-end model's AUC is about 0.1%-0.3% better
    than the pretrained-embedding model's. We read 0.1%-0.3% as absolute AUC points
    (+0.001 to +0.003), the way CTR papers report gains; relative to an AUC near 0.7
    that is almost the same range (0.0007-0.0021), and the summary reports both.

    Simulated: the same CTR model with (a) item vectors pretrained for session
    similarity and frozen, the "pretrained embedding" approach, and (b) the item
    table learned end to end; one epoch, 5 data seeds, 250k shared test rows; the
    difference is paired by seed, and broken down by head / torso / tail items
    (the top 50 %, next 30 %, last 20 % of impressions). Reported beside: the same
    pretrained vectors as the initial table, fine-tuned, and the paired logloss
    difference of every pair compared by AUC.

    Why this tests it: it is the answer's comparison. The size of the gap depends
    on how far the pretraining objective is from CTR; our world fixes it at
    ``alignment = 0.5`` before measuring, and the docstring of ``ctrsim.world``
    says why.

    Anchors: DeepFM (Guo et al. 2017, Table 2): FNN, whose embeddings are pretrained
    by an FM, trails end-to-end DeepFM by 0.003-0.004 AUC (Company*, Criteo); Wide &
    Deep, DCN and AutoInt treat 0.001 AUC on Criteo as significant. Our direction
    agrees (end to end wins), our size does not: see the summary.
    """
    seeds = measure.seeds(SEEDS)
    e2e = [run_arm(s, RANDOM, str(device)) for s in seeds]
    pre = [run_arm(s, FROZEN, str(device)) for s in seeds]
    fine = [run_arm(s, PRETRAINED, str(device)) for s in seeds]
    gap, gap_logloss = paired_auc_logloss(
        measure, "delta_auc", [f.scores for f in e2e], [f.scores for f in pre]
    )
    relative = measure.metric(
        "delta_auc_relative",
        [(a.scores.auc - b.scores.auc) / b.scores.auc for a, b in zip(e2e, pre, strict=True)],
        unit="share of pretrained AUC",
    )
    segment_gaps = [
        paired_auc_logloss(
            measure,
            f"delta_auc_{name}",
            [f.scores.segment(k) for f in e2e],
            [f.scores.segment(k) for f in pre],
        )[0]
        for k, name in enumerate(SEGMENT_NAMES)
    ]
    gap_fine, _ = paired_auc_logloss(
        measure,
        "delta_auc_vs_pretrained_finetuned",
        [f.scores for f in e2e],
        [f.scores for f in fine],
    )
    e2e_auc = measure.metric("auc_end_to_end", [f.scores.auc for f in e2e], unit="AUC")
    pre_auc = measure.metric("auc_pretrained", [f.scores.auc for f in pre], unit="AUC")
    fine_auc = measure.metric("auc_pretrained_finetuned", [f.scores.auc for f in fine], unit="AUC")
    oracle = measure.metric(
        "auc_oracle", [make_world(s).oracle_test_auc for s in seeds], unit="AUC"
    )

    fig, (ax_gap, ax_auc) = plots.figure(ncols=2, width=4.6)
    plots.bars(ax_gap, ["all", *SEGMENT_NAMES], [gap, *segment_gaps])
    ax_gap.axhspan(0.001, 0.003, color="#999999", alpha=0.3, label="claimed 0.1%-0.3%")
    ax_gap.set_ylabel("AUC end-to-end - AUC pretrained")
    ax_gap.set_xlabel("test impressions of items by popularity")
    ax_gap.legend(fontsize=8)
    plots.bars(
        ax_auc,
        ["pretrained\n(frozen)", "end to end", "pretrained\n(fine-tuned)", "oracle"],
        [pre_auc, e2e_auc, fine_auc, oracle],
    )
    ax_auc.set_ylim(0.6, 0.82)
    ax_auc.set_ylabel("test AUC")
    ax_auc.tick_params(axis="x", labelsize=8)
    measure.figure(
        plots.finish(fig),
        name="gap",
        caption=f"AUC gap by item popularity (95% CI over {len(seeds)} seeds) and absolute AUCs",
    )
    plots.close(fig)

    head, torso, tail = segment_gaps
    measure.summary(
        f"End-to-end beats frozen pretrained embeddings by {gap.mean:+.4f} AUC (95% CI "
        f"{gap.ci_low:+.4f}…{gap.ci_high:+.4f}), {logloss_text(gap_logloss)}, {gap.n} seeds: "
        f"{_against(gap, 0.001, 0.003)} "
        f"the claimed 0.1%-0.3% read as AUC points; read as relative, "
        f"{100 * relative.mean:+.1f}% (95% CI {100 * relative.ci_low:+.1f}…"
        f"{100 * relative.ci_high:+.1f}%) is {_against(relative, 0.001, 0.003)} it too. "
        f"Head / torso / tail {head.mean:+.4f} / {torso.mean:+.4f} / {tail.mean:+.4f}; "
        f"pretrained init fine-tuned: {-gap_fine.mean:+.4f} vs end to end"
    )
    measure.verdict(decide(gap, between=(0.001, 0.003)))


def _against(est: Estimate, low: float, high: float) -> str:
    """Where a 95% CI lies relative to a claimed range, in words."""
    if est.ci_low > high:
        return "above"
    if est.ci_high < low:
        return "below"
    if low <= est.ci_low and est.ci_high <= high:
        return "inside"
    return "not resolved against"


@pytest.mark.claim("pretrain-side-info", expect="inconclusive")
def test_pretraining_with_side_information_helps_cold_items(measure, device):
    """Side information added in pretraining helps where end-to-end training cannot.

    Claim (highlight 3): pretraining can bring in side information (and richer
    structure between items) that end-to-end training with the main model cannot.

    Simulated: new items are shown and browsed 20x less before the test period, so
    the test set has cold items (at most 20 training impressions, about 4 % of test
    rows). Category and brand are side information correlated with the items' true
    taste factors. All arms get category and brand as model features, one epoch: a
    table learned end to end; pretrained vectors without side information, frozen;
    pretrained vectors with side information (each item's vector pulled toward its
    brand's and category's, weighted by evidence, as EGES's averaging does), frozen.
    17 data seeds: a 10-seed first run put the spread of the cold-item difference at
    0.015 AUC, and n = ((1.96 + 0.84) * 0.015 / 0.01)^2 = 17 seeds detect an effect of
    0.01 with 80 % power (10 left its CI touching zero). The arm without side
    information, which only says where a gain comes from, runs on the first 10.

    Why this tests it: the end-to-end arm receives the same attributes, so the
    comparison asks whether *pretraining* with side information adds something, not
    whether side information does. Decided on cold items, where the claim matters:
    pretrained-with-side-info (frozen, the pretrained-embedding approach of highlight
    2) minus end to end, above +0.001 AUC. Head items are reported beside, and the
    paired logloss difference of every pair compared by AUC.

    Anchors: EGES (Wang et al. 2018) reports side information helps most for
    cold-start items; Airbnb's listing embeddings (Grbovic & Cheng, KDD 2018) build
    cold listings' vectors from similar listings nearby. Our direction agrees in part:
    pretraining with side information clearly beats pretraining without it on cold
    items, but its edge over end-to-end learning with the same attributes is small.
    """
    seeds = measure.seeds(range(SIDE_INFO_SEEDS))
    arms = {
        "end to end\n+ attributes": RANDOM,
        "pretrained,\nfrozen": FROZEN,
        "pretrained + side,\nfrozen": Arm("frozen", side_info=True),
    }
    keys = ("end_to_end", "pretrained_frozen", "side_info_frozen")
    cold_scores: dict[str, list[Quality]] = {name: [] for name in arms}
    head_scores: dict[str, list[Quality]] = {name: [] for name in arms}
    cold_share = []
    for s in seeds:
        world = make_world(s)
        counts = np.bincount(world.train.item, minlength=world.config.n_items)
        cold = counts[world.test.item] <= COLD_MAX_IMPRESSIONS
        cold_share.append(float(cold.mean()))
        for name, arm in arms.items():
            if arm is FROZEN and s >= PLAIN_SEEDS:
                continue
            f = run_arm(s, arm, str(device))
            cold_scores[name].append(Quality.of(f.p_test[cold], world.test.label[cold]))
            head_scores[name].append(f.scores.segment(0))
    e2e, plain, side = arms
    n_plain = len(cold_scores[plain])  # the first n_plain seeds have all three arms
    gain, gain_logloss = paired_auc_logloss(
        measure, "delta_auc_cold_side_info_vs_end_to_end", cold_scores[side], cold_scores[e2e]
    )
    gain_plain, _ = paired_auc_logloss(
        measure,
        "delta_auc_cold_side_info_vs_plain_pretrained",
        cold_scores[side][:n_plain],
        cold_scores[plain],
    )
    head, _ = paired_auc_logloss(
        measure, "delta_auc_head_side_info_vs_end_to_end", head_scores[side], head_scores[e2e]
    )
    measure.metric("cold_share_of_test_rows", cold_share, unit="share")
    cold_ests = [
        measure.metric(f"auc_cold_{k}", [x.auc for x in cold_scores[n]], unit="AUC")
        for k, n in zip(keys, arms, strict=True)
    ]
    for k, n in zip(keys, arms, strict=True):
        measure.metric(f"auc_head_{k}", [x.auc for x in head_scores[n]], unit="AUC")

    head_plain, _ = paired_auc_logloss(
        measure,
        "delta_auc_head_plain_pretrained_vs_end_to_end",
        head_scores[plain],
        head_scores[e2e][:n_plain],
    )
    cold_plain, _ = paired_auc_logloss(
        measure,
        "delta_auc_cold_plain_pretrained_vs_end_to_end",
        cold_scores[plain],
        cold_scores[e2e][:n_plain],
    )

    fig, (ax_delta, ax_auc) = plots.figure(ncols=2, width=5.0)
    x = np.arange(2)
    for k, (label, ests) in enumerate(
        (
            ("pretrained, frozen", (cold_plain, head_plain)),
            ("pretrained + side info, frozen", (gain, head)),
        )
    ):
        ax_delta.errorbar(
            x + (k - 0.5) * 0.25,
            [e.mean for e in ests],
            yerr=[[e.mean - e.ci_low for e in ests], [e.ci_high - e.mean for e in ests]],
            marker="o",
            linestyle="none",
            capsize=4,
            color=plots.COLORS[k + 1],
            label=label,
        )
    ax_delta.axhline(0.0, color="black", linewidth=0.8)
    ax_delta.axhline(0.001, color="black", linestyle=":", linewidth=1, label="+0.001 AUC")
    ax_delta.set_xticks(
        x,
        [
            f"cold items\n(<= {COLD_MAX_IMPRESSIONS} impressions)",
            "head items\n(top 50% of impressions)",
        ],
    )
    ax_delta.set_xlim(-0.5, 1.5)
    ax_delta.set_ylabel("AUC - AUC end to end (+ attributes)")
    ax_delta.legend(fontsize=8)
    plots.bars(ax_auc, [n.replace("\n", " ").replace(", ", ",\n") for n in arms], cold_ests)
    ax_auc.set_ylim(0.55, 0.7)
    ax_auc.set_ylabel("test AUC on cold items")
    ax_auc.tick_params(axis="x", labelsize=8)
    measure.figure(
        plots.finish(fig),
        name="cold-vs-head",
        caption="Paired AUC differences to end-to-end on cold and head items, and cold-item AUC "
        f"(mean and 95% CI over {len(seeds)} seeds; without side information {n_plain})",
    )
    plots.close(fig)

    measure.summary(
        f"On cold items, frozen vectors pretrained with side information beat end-to-end with "
        f"the same attributes by {gain.mean:+.4f} AUC (95% CI {gain.ci_low:+.4f}…"
        f"{gain.ci_high:+.4f}), {logloss_text(gain_logloss)}, {gain.n} seeds"
        + (", not resolved" if gain.ci_low <= 0.001 < gain.ci_high else "")
        + f"; they beat pretraining without side information by {gain_plain.mean:+.4f} (95% CI "
        f"{gain_plain.ci_low:+.4f}…{gain_plain.ci_high:+.4f}, {gain_plain.n} seeds); on head "
        f"items they are {head.mean:+.4f} from end to end"
    )
    measure.verdict(decide(gain, above=0.001))


TRAIN_SIZES = [25_000, 100_000, 600_000]
MIN_ROWS_SEEN = 200_000
"""Small training sets are repeated for ceil(MIN_ROWS_SEEN / size) epochs."""


def _epochs(rows: int) -> int:
    return max(1, -(-MIN_ROWS_SEEN // rows))


@pytest.mark.claim("pretrain-helps-low-data")
def test_pretraining_front_loads_learning(measure, device):
    """Pretraining moves learning ahead of the task: it helps most when task data is scarce.

    Claim (highlight 5, annotation 3): one aim of pretraining is to do part of the
    learning in advance, features that are hard to learn from the task's own data.

    Simulated: a learning curve. The CTR model is trained on the first 25k, 100k
    and 600k training impressions, from random init and from the pretrained vectors
    (fine-tuned; the sessions they come from stay the same). Small sets are repeated
    for 8 and 2 epochs so that every size gets at least 200k rows of updates: with
    one epoch, 25k rows are only 12 steps and the curve would measure the step
    budget, not the data. Over-fitting on repeated small data is part of scarcity.

    Why this tests it: if pretraining front-loads learning, the pretrained start is
    ahead when task data is small. Decided on the paired AUC difference at 25k
    impressions, above +0.001; the lead at 600k is reported beside, and so are the
    paired logloss differences of the same arms. 10 data seeds: a 5-seed pilot put
    the spread of the 25k difference near 0.02 AUC, and
    n = ((1.96 + 0.84) * 0.02 / 0.02)^2 = 8 seeds resolve a lead of that size.

    Anchor: in NLP, pretrained models' advantage is largest with little labelled
    data (Howard & Ruder 2018, ULMFiT: 100 labels match 100x more from scratch).
    Our direction agrees: the pretrained start leads by more with less task data.
    """
    seeds = measure.seeds(range(10))
    random_scores, pre_scores = (
        [
            [
                run_arm(s, arm, str(device), rows, epochs=_epochs(rows)).scores
                for rows in TRAIN_SIZES
            ]
            for s in seeds
        ]
        for arm in (RANDOM, PRETRAINED)
    )
    random = [[x.auc for x in r] for r in random_scores]
    pre = [[x.auc for x in p] for p in pre_scores]
    deltas = [
        paired_auc_logloss(
            measure,
            f"delta_auc_{rows}_rows",
            [p[k] for p in pre_scores],
            [r[k] for r in random_scores],
        )
        for k, rows in enumerate(TRAIN_SIZES)
    ]
    oracle = measure.metric(
        "auc_oracle", [make_world(s).oracle_test_auc for s in seeds], unit="AUC"
    )
    leads = [
        [minus(p[k], r[k]) for p, r in zip(pre_scores, random_scores, strict=True)] for k in (0, -1)
    ]
    shrink, _ = paired_auc_logloss(measure, "lead_shrinks_by", *leads)

    fig, (ax,) = plots.figure(width=6.0, height=3.8)
    plots.band(ax, TRAIN_SIZES, pre, "pretrained init, fine-tuned", plots.COLORS[0], marker="o")
    plots.band(ax, TRAIN_SIZES, random, "random init, end to end", plots.COLORS[1], marker="o")
    ax.axhline(oracle.mean, color="black", linestyle=":", linewidth=1, label="oracle (true CTR)")
    ax.set_xscale("log")
    ax.set_xticks(TRAIN_SIZES, [f"{n // 1000}k" for n in TRAIN_SIZES])
    ax.minorticks_off()
    ax.set_xlabel("training impressions (log; >= 200k rows of updates each)")
    ax.set_ylabel("test AUC")
    ax.legend(fontsize=8, loc="lower right")
    measure.figure(
        plots.finish(fig),
        name="learning-curve",
        caption=f"Test AUC against training-set size, mean and 95% CI over {len(seeds)} seeds",
    )
    plots.close(fig)

    (first, first_logloss), (last, _) = deltas[0], deltas[-1]
    measure.summary(
        f"Pretrained init leads random init by {first.mean:+.4f} AUC with "
        f"{TRAIN_SIZES[0]:,} training impressions (95% CI {first.ci_low:+.4f}…"
        f"{first.ci_high:+.4f}), {logloss_text(first_logloss)}, and by {last.mean:+.4f} with "
        f"{TRAIN_SIZES[-1]:,} "
        f"(lead shrinks by {shrink.mean:+.4f}), {first.n} seeds"
    )
    measure.verdict(decide(first, above=0.001))
