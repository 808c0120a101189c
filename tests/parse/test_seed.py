"""The user's seed note, parsed exactly (4 page properties, 6 highlights, 9 annotations)."""

# The expected texts quote the seed verbatim: Chinese punctuation, long lines.
# ruff: noqa: RUF001, E501

from __future__ import annotations

import difflib

from notegen.parse import Ref, read_page

from .support import SEED, SEED_IN_NOTES

TITLE = "【Reading Highlights】深度 ctr 预估中 id 到 embedding 目前工业界主流是端到端直接学习还是预训练?"

HASH_TRICK = (
    "> hash trick 有两种常见的策略：\n"
    "\n"
    "1.  hash 后的维度跟之前接近，主要是省掉一个映射表同步的工程成本，加速计算。\n"
    "2.  hash 后的维度显著小于原始维度，相当于把大量实体当作同一类看待，作为一种降维方式。\n"
    "\n"
    "一般来说，1 基本上没有太多负面作用，如果工程成本下降很多那么就应该用，冲突率要自己控制一下。\n"
    "\n"
    "2 的话就又回到之前的玄学问题上，我们也不知道这种方式到底破坏了多少信息，"
    "又能降低多少给模型增加的容量。  ([🌐 摘要链接](https://www.zhihu.com/question/333087916/"
    "answer/743912318#js_content:~:text="
)

# (first line, last line, annotations) of each highlight; (first, last) of each annotation.
HIGHLIGHTS = [
    ((7, 7), [(8, 9)]),
    ((10, 10), [(11, 12)]),
    ((13, 13), [(14, 15)]),
    ((16, 23), [(24, 25)]),
    ((26, 26), [(27, 27), (28, 28), (29, 30)]),
    ((31, 31), [(32, 32), (33, 34)]),
]

ANNOTATIONS = [
    "📝 即使是使用了 2022 年的大模型，带 embedding 的模型，embedding 还会占参数的大头。",
    "📝 王喆的实验，（注意时效性，该回答比较久了），端到端的方式比与预训练 embedding，离线 auc 特别显著的提升。",
    "📝 这是预训练 embedding 很重要的一点：加入 side information，理论上可以追加无限的信息量。",
    "📝 实践中用过此处的 trick2，但是没有对比过不用 hash 降维的效果。个人担心会引入不明的噪声，慎用。",
    "📝 认可的点：预训练和端到端的 embedding 肯定是有差异的",
    "📝 不认可的点：embedding 通常不会拿来就预估，后面的层是能够处理预训练 embedding 的，不然要后续的深度神经网络干嘛呢？",
    "📝 预训练的目标之一正是：将部分学习工作前置，尽可能地学习在任务训练时难以习得的特征。18 年以来，预训练在 NLP 领域的野火燎原之势，是最好的佐证。",
    "📝 同意。",
    "📝 +[[DIN]]",
]


def test_seed_page_properties() -> None:
    page = read_page(SEED)
    assert page.properties == {
        "title": TITLE,
        "source": "https://www.zhihu.com/question/333087916/answer/743912318",
        "tags": "[[简悦]] [[特征工程]]  [[embedding]]   [[reading_highlights]]",
        "date": "2022年05月19日 07:14:11",
    }
    assert [p.line for p in page.property_list] == [1, 2, 3, 4]
    assert [(r.kind, r.target) for r in page.refs] == [
        ("tag", "简悦"),
        ("tag", "特征工程"),
        ("tag", "embedding"),
        ("tag", "reading_highlights"),
    ]


def test_seed_tree() -> None:
    page = read_page(SEED)
    assert page.diagnostics == ()
    assert len(page.blocks) == 6
    shape = [
        (
            (b.span.line_start, b.span.line_end),
            [(c.span.line_start, c.span.line_end) for c in b.children],
        )
        for b in page.blocks
    ]
    assert shape == HIGHLIGHTS
    for highlight in page.blocks:
        assert highlight.kind == "bullet"
        assert highlight.level == 0
        assert highlight.properties == {}
        assert highlight.content.startswith("> ")
        assert highlight.content.endswith("))")
        for annotation in highlight.children:
            assert annotation.level == 2
            assert annotation.children == ()
    annotations = [c.content for b in page.blocks for c in b.children]
    assert annotations == ANNOTATIONS


def test_seed_hash_trick_highlight_keeps_its_column_0_lines() -> None:
    block = read_page(SEED).blocks[3]
    assert block.content.startswith(HASH_TRICK)
    assert block.content.count("\n") == 7


def test_seed_refs() -> None:
    page = read_page(SEED)
    refs = [(b.span.line_start, b.refs) for b in page.walk() if b.refs]
    assert refs == [
        (26, (Ref("page", "预训练模型", 26),)),
        (33, (Ref("page", "DIN", 33),)),
    ]


def test_seed_round_trips() -> None:
    assert read_page(SEED).serialize() == SEED.read_bytes()


# The claim ids the knowledge base adds to the seed note, by block (issue 4's table).
CLAIMS = {
    (0,): "embedding-params-dominate, e2e-converges-slower",
    (1,): "e2e-auc-gap-small",
    (2,): "pretrain-side-info",
    (3,): "hash-same-size, hash-compress",
    (4,): "mismatched-init-slows",
    (4, 0): "pretrained-vs-e2e-differ",
    (4, 1): "later-layers-adapt",
    (4, 2): "pretrain-helps-low-data",
    (5,): "din-inner-product",
}


def test_the_note_in_the_graph_is_the_seed_plus_whole_claim_lines() -> None:
    """notes/ holds the user's note unchanged but for inserted ``claim::`` lines
    (and the empty lines Logseq needs between a quote and its property)."""
    original = SEED.read_bytes().splitlines(keepends=True)
    ours = SEED_IN_NOTES.read_bytes().splitlines(keepends=True)
    ops = difflib.SequenceMatcher(a=original, b=ours, autojunk=False).get_opcodes()
    assert {op for op, *_ in ops} == {"equal", "insert"}
    inserted = [line for op, _, _, j1, j2 in ops if op == "insert" for line in ours[j1:j2]]
    assert sum(line.lstrip().startswith(b"claim:: ") for line in inserted) == len(CLAIMS)
    assert all(line.strip() == b"" or line.lstrip().startswith(b"claim:: ") for line in inserted)


def test_the_note_in_the_graph_has_the_seed_blocks_and_their_claims() -> None:
    seed, ours = read_page(SEED), read_page(SEED_IN_NOTES)
    assert ours.properties == seed.properties
    assert [b.content for b in ours.walk()] == [b.content for b in seed.walk()]
    found = {}
    for i, block in enumerate(ours.blocks):
        for path, b in [((i,), block), *(((i, j), c) for j, c in enumerate(block.children))]:
            if b.properties:
                found[path] = b.properties.get("claim")
    assert found == CLAIMS
    assert not [d for d in ours.diagnostics if d.severity == "error"]
