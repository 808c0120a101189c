"""Logseq Markdown -> safe Markdown: cases from tests/fixtures/render_inline.md,
and the HTML that Markdown makes of it, with the site's extensions."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from casefiles import read_cases
from hypothesis import example, given, settings
from hypothesis import strategies as st

from notegen.parse.inline import find_refs
from notegen.render.inline import render_block_text

CASES = Path(__file__).parent.parent / "fixtures" / "render_inline.md"

# The Markdown extensions of the repository's mkdocs.yml (and what the notegen
# plugin and Material's tags plugin add): what a note's text meets on the site.
EXTENSIONS = [
    "attr_list",
    "md_in_html",
    "admonition",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.tabbed",
    "pymdownx.mark",
    "pymdownx.tilde",
]


class Resolver:
    """Pages din, tag and 'multi word'; one block; one asset."""

    def page_url(self, name: str) -> str | None:
        pages = {"din": "pages/din.md", "tag": "pages/tag.md", "multi word": "pages/multi-word.md"}
        return pages.get(name.lower())

    def block_link(self, uuid: str) -> tuple[str, str] | None:
        if uuid == "64a0c0de-0000-4000-8000-000000000001":
            return "notes/a.md#b3", "the target block"
        return None

    def asset_url(self, path: str) -> str | None:
        return "assets/graph/square.svg" if path == "../assets/square.svg" else None


@pytest.mark.parametrize(
    ("line", "name", "source", "expected"),
    read_cases(CASES),
    ids=[f"{c[0]}-{c[1]}" for c in read_cases(CASES)],
)
def test_inline_cases(line: int, name: str, source: str, expected: str) -> None:
    assert render_block_text(source, Resolver()) == expected


class Elements(HTMLParser):
    """Every element and attribute of an HTML fragment, and its visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


SAFE_TAGS = {
    "p", "br", "strong", "em", "del", "mark", "sub", "code", "pre", "a", "img", "ol", "ul", "li",
    "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr",
    "th", "td", "span", "div",
}  # fmt: skip
SAFE_ATTRS = {"href", "src", "alt", "class", "id", "title", "align", "style"}


def to_html(text: str) -> Elements:
    html = markdown.markdown(render_block_text(text, Resolver()), extensions=EXTENSIONS)
    parsed = Elements()
    parsed.feed(html)
    parsed.close()
    return parsed


def assert_safe(parsed: Elements) -> None:
    for tag, attrs in parsed.tags:
        assert tag in SAFE_TAGS, f"<{tag}> from a note's text"
        assert set(attrs) <= SAFE_ATTRS, f"attributes {set(attrs) - SAFE_ATTRS} on <{tag}>"
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), value
        if "style" in attrs:
            # Python-Markdown's tables write `text-align`; nothing else may set style.
            assert tag in ("th", "td") and (attrs["style"] or "").startswith("text-align")


def test_a_script_in_a_highlight_is_visible_text() -> None:
    parsed = to_html("> <script>alert(1)</script> and <img src=x onerror=alert(1)>")
    assert_safe(parsed)
    assert "script" not in [t for t, _ in parsed.tags]
    text = "".join(parsed.text)
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(1)>" in text


@pytest.mark.parametrize(
    "attack",
    [
        'para\n{: onclick="alert(1)" }',
        "[x]\n\n[x]: javascript:alert(1)",
        "[x](javascript:alert(1))",
        "![x](javascript:alert(1))",
        "<javascript:alert(1)>",
        '!!! note "x"\n    <b>y</b>',
        "```{onclick=alert(1)}\ncode\n```",
        "[a](<javascript:alert(1)>)",
        "[a](data:text/html;base64,PHNjcmlwdD4=)",
        "<!-- material/tags -->",
        '`x` <div markdown="1">*y*</div>',
        "&lt;script&gt; &#60;script&#62;",
    ],
)
def test_no_markup_from_a_note_reaches_the_page(attack: str) -> None:
    parsed = to_html(attack)
    assert_safe(parsed)


PIECES = [
    *"<>&{}[]()!#*_`~=^:;/\\|\"' \n.-0123456789abcjsx",
    *("javascript:", "[[", "]]", "((", "))", "{:", "!!!", "???", "===", "```", "http://"),
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_any_text_renders_to_safe_html(text: str) -> None:
    assert_safe(to_html(text))


class Recorder:
    """Knows every page and block; records which ones the renderer links."""

    def __init__(self) -> None:
        self.pages: set[str] = set()
        self.blocks: set[str] = set()

    def page_url(self, name: str) -> str | None:
        self.pages.add(name)
        return "pages/x.md"

    def block_link(self, uuid: str) -> tuple[str, str] | None:
        self.blocks.add(uuid)
        return "notes/a.md#b1", "a block"

    def asset_url(self, path: str) -> str | None:
        return None


UUID = "64a0c0de-0000-4000-8000-000000000001"
REF_PIECES = [
    *("**", "*", "_", "~~", "==", "^^", "`", "\\", "x", "y", ",", ".", ";", ")", "]"),
    *("#t", "#a.", "#b;c", "#c:d", "#d)", "#[[x y]]", "[[p]]", "[[q", "\\#e", "\\[[f]]"),
    *(f"(({UUID}))", f"\\(({UUID}))", f"x(({UUID}))", "`[[c]]`", "[l](https://u)", "[[[o]]]"),
    *("[m]([[n]])", "[#k [[j]]](https://u)", "https://h.x/#f", "https://h.x/a)#g", "\\( [[k]] \\)"),
    *("{{embed [[e]]}}", "{{q [[r]]}}", "$$[[m]]$$", "**#g**", "_#h_", "~~#i~~", "#t\\*u"),
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(REF_PIECES), min_size=1, max_size=12).map(" ".join))
@example("^^ [[q ^^ #[[x y]]")  # a highlight rule of its own once took `^^ [[q ^^` in
def test_the_page_links_exactly_what_the_graph_records(text: str) -> None:
    # A tag or a link on the page is a reference in the graph (and a
    # backlink on the page it names), and the other way round. (Not for
    # nested links, `[[a [[b]]]]`: Markdown nests no links, so `b` is not shown
    # as one; the pieces above make none.)
    refs, _ = find_refs([(1, text)])
    recorder = Recorder()
    render_block_text(text, recorder)
    assert recorder.pages == {r.target for r in refs if r.kind != "block"}
    assert recorder.blocks == {r.target for r in refs if r.kind == "block"}
