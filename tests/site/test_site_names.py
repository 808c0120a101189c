"""HTML in a note's title, a tag or a linked page's name shows as text everywhere
Material puts it: ``<title>``, header, navigation, tag chips, the tags index
and the search index (tests/fixtures/html_names/)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from sitebuild import mkdocs_build

PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "html_names"
TITLE = "Test <script>alert('x')</script> note"
CJK_TITLE = '深度学习 & "引号"'
LINKED = "<img src=x onerror=alert(2)>"
TAGS = ["<b>bold-tag</b>", "A&B", "中文标签"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    site_dir = tmp_path_factory.mktemp("names") / "site"
    done = mkdocs_build(PROJECT / "mkdocs.yml", site_dir)
    assert done.returncode == 0, f"mkdocs build failed:\n{done.stderr}"
    yield site_dir


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def text(node: Tag) -> str:
    return " ".join(node.get_text().split())


def page_of(site: Path, title: str) -> BeautifulSoup:
    """The built page whose ``<title>`` starts with ``title``."""
    found = []
    for path in site.rglob("*.html"):
        page = soup(path)
        if page.title is not None and page.title.get_text().startswith(title + " - "):
            found.append(page)
    assert len(found) == 1, f"{len(found)} pages are titled {title!r}"
    return found[0]


def test_no_element_from_a_name_reaches_any_page(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 5
    for path in pages:
        page = soup(path)
        where = path.relative_to(site)
        assert not [s for s in page.find_all("script") if "alert" in s.get_text()], where
        assert not page.find_all(attrs={"onerror": True}), where
        assert not [b for b in page.find_all("b") if "bold-tag" in b.get_text()], where


@pytest.mark.parametrize("title", [TITLE, CJK_TITLE, LINKED])
def test_a_title_shows_as_written_in_title_header_heading_and_navigation(
    site: Path, title: str
) -> None:
    page = page_of(site, title)
    topics = page.select(".md-header__topic .md-ellipsis")
    assert title in [text(t) for t in topics]
    heading = page.find("h1")
    assert isinstance(heading, Tag) and text(heading) == title
    assert title in [text(a) for a in page.select("nav.md-nav--primary a.md-nav__link")]


def test_tags_show_as_written_on_chips_and_in_the_tags_index(site: Path) -> None:
    chips = page_of(site, TITLE).select("nav.md-tags .md-tag")
    assert [text(c) for c in chips] == ["<b>bold-tag</b>"]
    cjk_chips = page_of(site, CJK_TITLE).select("nav.md-tags .md-tag")
    assert [text(c) for c in cjk_chips] == ["A&B", "中文标签"]
    index = soup(site / "tags" / "index.html")
    listed = [text(c) for c in index.select("article .md-tag")]
    assert sorted(listed) == sorted(TAGS)
    # Each chip links to its tag's listing.
    anchors = {str(h.get("id")) for h in index.select("article [id]")}
    for chip in [*chips, *cjk_chips]:
        href = str(chip.get("href"))
        assert href.split("#")[1] in anchors, href
    titles = [text(a) for a in index.select("article li a")]
    assert TITLE in titles and CJK_TITLE in titles


def test_the_search_index_holds_each_name_escaped_once(site: Path) -> None:
    # Material's search shows titles and tags as HTML (innerHTML): escaped once.
    docs = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["docs"]
    titles = {d["title"].replace("\u200b", "") for d in docs}
    assert "Test &lt;script&gt;alert('x')&lt;/script&gt; note" in titles
    assert '深度学习 &amp; "引号"' in titles
    assert "&lt;img src=x onerror=alert(2)&gt;" in titles
    tags = {t for d in docs for t in d.get("tags", [])}
    assert tags == {"&lt;b&gt;bold-tag&lt;/b&gt;", "A&amp;B", "中文标签"}
    assert not [t for t in titles | tags if "&amp;lt;" in t or "&amp;amp;" in t]
