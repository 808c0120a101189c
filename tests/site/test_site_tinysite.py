"""Build tests/tinysite/ once with ``mkdocs build --strict`` and read its HTML."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from sitebuild import mkdocs_build, pages_found_by

TINYSITE = Path(__file__).resolve().parent.parent / "tinysite"
NOTE = "notes/reading-embeddings/index.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    site_dir = tmp_path_factory.mktemp("tinysite") / "site"
    done = mkdocs_build(TINYSITE / "mkdocs.yml", site_dir, "--strict")
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stderr}"
    yield site_dir


def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")


def article(site: Path, page: str) -> Tag:
    found = soup(site, page).find("article")
    assert isinstance(found, Tag), f"{page} has no <article>"
    return found


def one(node: Tag, selector: str) -> Tag:
    found = node.select(selector)
    assert len(found) == 1, f"{len(found)} elements match {selector!r}"
    return found[0]


def text(node: Tag) -> str:
    return " ".join(node.get_text().split())


def test_a_highlight_is_a_quote_with_its_source_link(site: Path) -> None:
    highlight = one(article(site, NOTE), "div.ng-highlight")
    quote = one(highlight, ":scope > blockquote")
    assert [text(s) for s in quote.select("strong")] == ["converge faster"]
    assert [text(li) for li in quote.select("ol > li")] == ["first point", "second point"]
    assert "<script>alert(1)</script>" in text(quote)
    assert "预训练 helps cold items." in text(quote)
    source = one(highlight, ":scope > div.ng-source a")
    assert text(source) == "🌐 摘要链接"
    # Unbalanced parentheses and !*'~ kept: the whole URL, with its text fragment.
    assert (
        source["href"] == "https://example.com/post/1#:~:text=converge%20faster(really)!*'~)%20end"
    )
    # Its claim's result card (tests/site/test_site_results.py reads the cards).
    assert "Claim pretrain-converges" in text(one(highlight, ":scope > details.ng-card"))


def test_an_annotation_is_beneath_its_highlight_in_the_readers_words(site: Path) -> None:
    first, second = article(site, NOTE).select("div.ng-highlight div.ng-annotation")
    assert text(first).startswith("📝 I doubt the 10x figure; see Area/Sub and A plain block")
    assert [text(s) for s in first.select(":scope > p strong")] == ["10x"]
    page_ref = one(first, "a.ng-page-ref")
    assert (text(page_ref), page_ref["href"]) == ("Area/Sub", "../area/sub/")
    block_ref = one(first, "a.ng-block-ref")
    assert block_ref["href"] == "./#b17"
    tag = one(second, "a.ng-tag")
    assert (text(tag), tag["href"]) == ("#ml", "../../pages/ml/")


def test_no_script_from_a_note_reaches_the_page(site: Path) -> None:
    for script in article(site, NOTE).find_all("script"):
        pytest.fail(f"a <script> in the note's article: {script}")


def test_the_note_page_has_its_facts_and_front_matter_tags(site: Path) -> None:
    page = article(site, NOTE)
    assert text(one(page, "h1")) == "Reading? Embeddings"
    facts = text(one(page, ".ng-facts"))
    assert "Source: example.com/post/1" in facts
    assert "Date: 2022-05-19 07:14" in facts
    assert "Contents: 1 highlight · 2 annotations" in facts
    # Material's tags plugin got a list of tags from the front matter.
    assert [text(a) for a in page.select("nav.md-tags a.md-tag")] == ["ml", "预训练"]
    assert "title::" not in page.get_text()


def test_backlinks_by_title_alias_and_case(site: Path) -> None:
    page = article(site, NOTE)
    sources = [text(li.find("a")) for li in page.select(".ng-backlinks > ul > li")]  # type: ignore[union-attr]
    assert sources == ["Area/Sub", "aliased", "2024-01-02"]
    jump = page.select(".ng-backlinks a.ng-jump")[0]
    assert jump["href"] == "../area/sub/#b1"


def test_a_missing_page_lists_what_links_to_it(site: Path) -> None:
    page = article(site, "pages/missing-topic/index.html")
    assert text(one(page, "h1")) == "Missing Topic"
    (link,) = page.select(".ng-backlinks > ul > li > a")
    assert (text(link), link["href"]) == ("Reading? Embeddings", "../../notes/reading-embeddings/")
    tagged = article(site, "pages/ml/index.html")
    assert "Pages tagged with ml" in text(tagged)


def test_home_lists_the_notes(site: Path) -> None:
    rows = article(site, "index.html").select("table tbody tr")
    cells = {text(row.find_all("td")[0]): [text(td) for td in row.find_all("td")] for row in rows}
    assert cells["Reading? Embeddings"] == [
        "Reading? Embeddings",
        "example.com/post/1",
        "2022-05-19 07:14",
        "ml, 预训练",
        "1",
        "2",
    ]
    assert set(cells) == {"Reading? Embeddings", "Area/Sub", "aliased"}


def test_tags_index_lists_each_tag_with_its_pages(site: Path) -> None:
    page = article(site, "tags/index.html")
    headings = [text(h) for h in page.select("h2")]
    assert "ml" in " ".join(headings) and "预训练" in " ".join(headings)
    assert any(a["href"] == "../notes/reading-embeddings/" for a in page.select("a"))


def test_graph_assets_and_docs_pages_are_in_the_site(site: Path) -> None:
    image = one(article(site, NOTE), "div.ng-plain img")
    assert image["src"] == "../../assets/graph/square.svg"
    assert (site / "assets" / "graph" / "square.svg").is_file()
    assert (site / "extra" / "index.html").is_file()
    assert (site / "assets" / "notegen" / "notegen.css").is_file()


def test_a_chinese_word_finds_the_note(site: Path) -> None:
    assert "notes/reading-embeddings/" in pages_found_by(site, "预训练")


REQUESTING = {"script": "src", "img": "src", "iframe": "src", "source": "src", "link": "href"}


def test_the_site_requests_nothing_from_other_hosts(site: Path) -> None:
    for page in site.rglob("*.html"):
        for tag, attribute in REQUESTING.items():
            for element in soup(site, str(page.relative_to(site))).find_all(tag):
                url = element.get(attribute)
                if not isinstance(url, str) or (
                    tag == "link" and element.get("rel") == ["canonical"]
                ):
                    continue
                assert not urlsplit(url).netloc, f"{page}: <{tag} {attribute}={url!r}>"
    for css in site.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css
        assert "@import" not in css.read_text(encoding="utf-8"), css
