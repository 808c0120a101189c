"""The parser against Logseq's own parser, mldoc (``npm ci --prefix tests/mldoc``).

For every case file, the seed note, a few hundred random pages, and (with
``NOTEGEN_MLDOC_GRAPHS=dir[:dir...]``) every page of real Logseq graphs, the
blocks must start on the same lines, nest the same way, and hold the same
properties and references as Logseq makes of mldoc's output. A case that
deliberately differs says why in its title (``[mldoc-differs: why]``) and must
really differ.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from notegen.parse import parse_page

from .generate import random_pages
from .support import (
    SEED,
    Case,
    all_cases,
    compare,
    graph_files,
    mldoc_available,
    run_mldoc,
    text_of,
)

CASES = all_cases()
RANDOM_SEED = 20240601
RANDOM_COUNT = 400


@pytest.fixture(scope="module")
def mldoc() -> None:
    why = mldoc_available()
    if why is not None:
        pytest.fail(f"cannot compare with Logseq's parser: {why}")


@pytest.fixture(scope="module")
def reference(mldoc: None) -> dict[str, Any]:
    docs = [text_of(c.data) for c in CASES] + [text_of(SEED.read_bytes())]
    out = run_mldoc(docs)
    return dict(zip([c.id for c in CASES] + ["seed"], out, strict=True))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_agrees_with_mldoc(case: Case, reference: dict[str, Any]) -> None:
    page = parse_page(case.data, "page.md")
    problems = compare(text_of(case.data), page, reference[case.id])
    if case.mldoc_differs:
        assert problems, (
            f"marked as differing from mldoc ({case.mldoc_differs}) but agrees: remove the mark"
        )
    else:
        assert not problems, "\n".join(problems)


def test_seed_agrees_with_mldoc(reference: dict[str, Any]) -> None:
    data = SEED.read_bytes()
    problems = compare(text_of(data), parse_page(data, str(SEED)), reference["seed"])
    assert not problems, "\n".join(problems)


def test_random_pages_agree_with_mldoc(mldoc: None) -> None:
    pages = random_pages(RANDOM_SEED, RANDOM_COUNT)
    failures = []
    for text, ref in zip(pages, run_mldoc(pages), strict=True):
        problems = compare(text, parse_page(text.encode("utf-8"), "page.md"), ref)
        if problems:
            failures.append(f"{text!r}:\n  " + "\n  ".join(problems))
    assert not failures, f"{len(failures)}/{len(pages)} pages differ:\n" + "\n".join(failures[:5])


def _graph_roots() -> list[Path]:
    value = os.environ.get("NOTEGEN_MLDOC_GRAPHS", "")
    return [Path(p) for p in value.split(os.pathsep) if p]


@pytest.mark.skipif(
    not _graph_roots(), reason="set NOTEGEN_MLDOC_GRAPHS=dir[:dir...] to compare real graphs"
)
def test_graphs_agree_with_mldoc(mldoc: None) -> None:
    files: list[Path] = []
    for root in _graph_roots():
        assert root.is_dir(), f"NOTEGEN_MLDOC_GRAPHS names {root}, which is not a folder"
        files.extend(graph_files(root))
    assert files, f"no .md files under {_graph_roots()}"
    datas = [f.read_bytes() for f in files]
    texts = [text_of(d) for d in datas]
    failures = []
    for path, data, text, ref in zip(files, datas, texts, run_mldoc(texts), strict=True):
        problems = compare(text, parse_page(data, str(path)), ref)
        if problems:
            failures.append(f"{path}:\n  " + "\n  ".join(problems))
    print(f"compared {len(files)} pages with mldoc; {len(failures)} differ")
    assert not failures, f"{len(failures)}/{len(files)} pages differ:\n" + "\n".join(failures)
