"""Typed page properties: tags and aliases, dates, source URLs."""

from __future__ import annotations

import datetime as dt

import pytest

from notegen.diagnostics import Code
from notegen.model import build_note, parse_date, parse_page_list, parse_url
from notegen.parse.types import Page, Property


@pytest.mark.parametrize(
    ("value", "names"),
    [
        (
            "[[简悦]] [[特征工程]]  [[embedding]]   [[reading_highlights]]",
            ("简悦", "特征工程", "embedding", "reading_highlights"),
        ),
        ("a, b c, d", ("a", "b c", "d")),
        ("[[a b]], c", ("a b", "c")),
        ("#a #[[b c]] d", ("a", "b c", "d")),
        ("[[A]] [[a]]", ("A",)),
        ("", ()),
        ("[[ns/page]]", ("ns/page",)),
        # As Logseq reads them: tags end at ',', pieces split at ',', '|' or U+FF0C,
        # in the order written; an unclosed [[ names no page.
        ("#ml,#nlp", ("ml", "nlp")),
        ("机器学习\uff0c推荐系统", ("机器学习", "推荐系统")),
        ("x, [[y]], z", ("x", "y", "z")),
        ("a|b", ("a", "b")),
        ("[[a]], [[b", ("a",)),
        ("`code`, **bold**, c", ("c",)),
        # A YAML flow list is no list to Logseq (front matter lists are joined by the parser).
        ("[a, b]", ("[a", "b]")),
    ],
)
def test_page_lists(value: str, names: tuple[str, ...]) -> None:
    assert parse_page_list(value) == names


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("2022年05月19日 07:14:11", dt.datetime(2022, 5, 19, 7, 14, 11)),
        ("2022年5月9日", dt.date(2022, 5, 9)),
        ("2022-05-19", dt.date(2022, 5, 19)),
        ("2022-05-19T07:14:11", dt.datetime(2022, 5, 19, 7, 14, 11)),
        ("2022-05-19 07:14", dt.datetime(2022, 5, 19, 7, 14)),
        ("2022/05/19", dt.date(2022, 5, 19)),
        ("[[2022-05-19]]", dt.date(2022, 5, 19)),
        ("May 19th, 2022", dt.date(2022, 5, 19)),
        ("  2022-05-19  ", dt.date(2022, 5, 19)),
    ],
)
def test_dates(value: str, date: dt.date) -> None:
    assert parse_date(value) == date


@pytest.mark.parametrize(
    "value", ["yesterday", "2022-13-01", "2022年02月30日", "19/05/2022", "Foo 1st, 2022"]
)
def test_dates_in_no_known_form(value: str) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("value", "url"),
    [
        (
            "https://www.zhihu.com/question/333087916/answer/743912318",
            "https://www.zhihu.com/question/333087916/answer/743912318",
        ),
        ("[知乎](https://e.example/a(b))", "https://e.example/a(b)"),
        ("<https://e.example/>", "https://e.example/"),
        ("", None),
    ],
)
def test_source_urls(value: str, url: str | None) -> None:
    assert parse_url(value) == url


def note_with(*props: tuple[str, str]) -> Page:
    plist = tuple(Property(k, v, i + 1) for i, (k, v) in enumerate(props))
    return Page(
        path="notes/pages/x.md",
        properties={p.key: p.value for p in plist},
        property_list=plist,
        blocks=(),
    )


def test_typed_page_properties() -> None:
    note = build_note(
        note_with(
            ("title", "My title"),
            ("source", "https://e.example/"),
            ("tags", "[[a]], b"),
            ("alias", "x, y"),
            ("date", "2022年05月19日 07:14:11"),
        ),
        file_title="from file",
    )
    assert (note.title, note.source, note.tags, note.aliases, note.date) == (
        "My title",
        "https://e.example/",
        ("a", "b"),
        ("x", "y"),
        dt.datetime(2022, 5, 19, 7, 14, 11),
    )
    assert note.diagnostics == ()


def test_title_falls_back_to_the_file_name_and_url_to_source() -> None:
    note = build_note(note_with(("url", "https://e.example/")), file_title="from file")
    assert (note.title, note.source, note.tags, note.date) == (
        "from file",
        "https://e.example/",
        (),
        None,
    )


def test_a_date_in_no_known_form_is_a_warning_naming_the_forms() -> None:
    note = build_note(note_with(("title", "t"), ("date", "last week")), file_title="x")
    (diagnostic,) = note.diagnostics
    assert diagnostic.code is Code.BAD_DATE
    assert diagnostic.severity == "warning"
    assert diagnostic.span.line_start == 2
    assert "'last week'" in diagnostic.message and "2022年05月19日" in diagnostic.message
