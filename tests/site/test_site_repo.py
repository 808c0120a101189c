"""The repository's own site: ``mkdocs build --strict`` on mkdocs.yml and the seed note."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sitebuild import pages_found_by

REPO = Path(__file__).resolve().parents[2]
SEED_PAGE = (
    "notes/reading-highlights-深度-ctr-预估中-id-到-embedding-"
    "目前工业界主流是端到端直接学习还是预训练"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site_dir = tmp_path_factory.mktemp("repo") / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stderr}"
    return site_dir


def test_the_seed_note_page(site: Path) -> None:
    html = (site / SEED_PAGE / "index.html").read_text(encoding="utf-8")
    page = BeautifulSoup(html, "html.parser").find("article")
    assert page is not None
    assert len(page.select("div.ng-highlight")) == 6
    assert len(page.select("div.ng-highlight div.ng-annotation")) == 9
    sources = [a["href"] for a in page.select("div.ng-source a")]
    assert len(sources) == 6
    assert all(
        str(s).startswith(
            "https://www.zhihu.com/question/333087916/answer/743912318#js_content:~:text="
        )
        for s in sources
    )
    # The hash-trick highlight keeps its numbered list; highlight 5 its bold text.
    assert len(page.select("div.ng-highlight blockquote ol > li")) == 2
    assert page.select("div.ng-highlight blockquote strong")
    for name in ("din", "预训练模型"):
        assert (site / "pages" / name / "index.html").is_file(), name


def test_search_finds_a_chinese_word_of_the_seed(site: Path) -> None:
    assert SEED_PAGE + "/" in pages_found_by(site, "预训练")


def test_the_word_list_is_not_published(site: Path) -> None:
    assert not list(site.rglob("search-words.txt"))
