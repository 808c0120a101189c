"""Page names from file names, as Logseq derives and compares them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from notegen.link.names import (
    GraphConfig,
    format_journal_title,
    name_from_file,
    page_key,
    parse_journal_file_name,
    read_graph_config,
    slugify,
)

SEED_STEM = (
    "【Reading Highlights】深度 ctr 预估中 id 到 embedding "
    "目前工业界主流是端到端直接学习还是预训练%3F"
)


@pytest.mark.parametrize(
    ("stem", "name"),
    [
        ("plain", "plain"),
        ("a___b", "a/b"),
        ("a%2Fb", "a/b"),
        ("a___b___c", "a/b/c"),
        (SEED_STEM, SEED_STEM.replace("%3F", "?")),
        ("100%25 sure", "100% sure"),
        ("50%", "50%"),  # a stray % is kept
        ("a%3A b%22", 'a: b"'),
    ],
)
def test_name_from_file(stem: str, name: str) -> None:
    assert name_from_file(stem) == name


def test_page_keys_compare_case_insensitively_and_normalised() -> None:
    assert page_key(" DIN ") == page_key("din")
    assert page_key("Cafe\u0301") == page_key("café")


@pytest.mark.parametrize(
    ("fmt", "title"),
    [
        ("yyyy-MM-dd", "2022-05-03"),
        ("MMM do, yyyy", "May 3rd, 2022"),
        ("MMMM do, yyyy", "May 3rd, 2022"),
        ("EEE, MM/dd/yyyy", "Tue, 05/03/2022"),
        ("yyyy年MM月dd日", "2022年05月03日"),
    ],
)
def test_journal_titles(fmt: str, title: str) -> None:
    assert format_journal_title(dt.date(2022, 5, 3), fmt) == title


@pytest.mark.parametrize(
    ("day", "suffix"), [(1, "st"), (2, "nd"), (11, "th"), (12, "th"), (22, "nd"), (23, "rd")]
)
def test_ordinal_days(day: int, suffix: str) -> None:
    assert format_journal_title(dt.date(2022, 5, day), "do") == f"{day}{suffix}"


def test_journal_file_names() -> None:
    assert parse_journal_file_name("2022_05_19", "yyyy_MM_dd") == dt.date(2022, 5, 19)
    assert parse_journal_file_name("2022-05-19", "yyyy_MM_dd") is None
    assert parse_journal_file_name("2022_02_30", "yyyy_MM_dd") is None


def test_graph_config_reads_string_settings_and_skips_comments(tmp_path: Path) -> None:
    (tmp_path / "logseq").mkdir()
    (tmp_path / "logseq" / "config.edn").write_text(
        '{;; :journal/page-title-format "nope"\n'
        ' :journal/page-title-format "yyyy-MM-dd"\n'
        ' :pages-directory "p"}\n',
        encoding="utf-8",
    )
    assert read_graph_config(tmp_path) == GraphConfig(
        journal_title_format="yyyy-MM-dd", pages_dir="p"
    )
    assert read_graph_config(tmp_path / "missing") == GraphConfig()


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("DIN", "din"),
        ("reading_highlights", "reading-highlights"),
        ("预训练模型", "预训练模型"),
        ("Reading? Embeddings", "reading-embeddings"),
        ("Area/Sub Page", "area/sub-page"),
        ("???", "page"),
    ],
)
def test_slugs(name: str, slug: str) -> None:
    assert slugify(name) == slug
