"""Every case of tests/fixtures/parse/*.md: the expected tree, diagnostics and round trip."""

from __future__ import annotations

import pytest

from notegen.parse import parse_page

from .support import Case, all_cases, normalize_expected, page_json

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case) -> None:
    page = parse_page(case.data, "page.md")
    expected = normalize_expected(case.expected)
    assert page_json(page, expected) == expected


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_round_trips(case: Case) -> None:
    assert parse_page(case.data, "page.md").serialize() == case.data


def test_every_case_file_has_cases() -> None:
    files = {c.file for c in CASES}
    assert files, "no case files found in tests/fixtures/parse"
    assert len(CASES) >= 40
