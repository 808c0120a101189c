"""Typed page properties: page-name lists, dates, URLs and claim ids.

Logseq stores every property value as raw text; these functions read the forms
real graphs use. They return values, never raise: callers turn ``None`` or
rejected pieces into diagnostics.
"""

from __future__ import annotations

import datetime as dt
import re

from notegen.parse.inline import page_list

__all__ = [
    "CLAIM_ID",
    "DATE_FORMS",
    "parse_date",
    "parse_page_list",
    "parse_url",
    "split_claim_ids",
    "suggest_claim_id",
]

CLAIM_ID = re.compile(r"[a-z0-9-]+")
"""What a claim id may consist of (matched in full)."""

# Dates: SimpRead writes `2022年05月19日 07:14:11`; ISO forms with `-` or `/`.
_CJK_DATE = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"(?:\s*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
_ISO_DATE = re.compile(
    r"(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)
# Logseq's default journal title, e.g. `May 19th, 2022`.
_JOURNAL_TITLE = re.compile(
    r"(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,\s*(?P<y>\d{4})"
)
_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

DATE_FORMS = "'2022年05月19日 07:14:11', '2022-05-19', '2022-05-19T07:14:11' or 'May 19th, 2022'"
"""The date forms :func:`parse_date` accepts, for messages."""

_MD_LINK = re.compile(r"^\[[^\]]*\]\((?P<url>.+)\)$")


def parse_page_list(value: str) -> tuple[str, ...]:
    """Page names from a ``tags::`` or ``alias::`` value, as Logseq reads them.

    The links and tags in the value and the plain text between ``,``, ``|``
    or the full-width comma (:func:`notegen.parse.inline.page_list`, the same reading the
    parser's references use): ``[[a]] [[b c]]``, ``#a,#b``, ``a, b c`` and
    mixtures. Names keep their case; duplicates (compared case-insensitively,
    as Logseq compares page names) are dropped.

    Args:
        value: The raw property value.

    Returns:
        The page names in the order written.
    """
    seen: set[str] = set()
    unique: list[str] = []
    for name in page_list(value):
        if name.lower() not in seen:
            seen.add(name.lower())
            unique.append(name)
    return tuple(unique)


def parse_date(value: str) -> dt.date | dt.datetime | None:
    """A ``date::`` value as a date (or a date and time when one is given).

    Args:
        value: The raw property value; ``[[...]]`` around it (a journal link) is allowed.

    Returns:
        The date, or ``None`` when the value is in none of :data:`DATE_FORMS`
        or names a day that does not exist.
    """
    text = value.strip()
    if text.startswith("[[") and text.endswith("]]"):
        text = text[2:-2].strip()
    for pattern in (_CJK_DATE, _ISO_DATE):
        m = pattern.fullmatch(text)
        if m:
            return _make_date(m)
    m = _JOURNAL_TITLE.fullmatch(text)
    if m:
        month = _MONTHS.get(m.group("mon").lower())
        if month is None:
            return None
        try:
            return dt.date(int(m.group("y")), month, int(m.group("d")))
        except ValueError:
            return None
    return None


def _make_date(m: re.Match[str]) -> dt.date | dt.datetime | None:
    try:
        year, month, day = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        if m.group("H") is None:
            return dt.date(year, month, day)
        return dt.datetime(
            year, month, day, int(m.group("H")), int(m.group("M")), int(m.group("S") or 0)
        )
    except ValueError:
        return None


def parse_url(value: str) -> str | None:
    """The URL of a ``source::`` value: a bare URL or a Markdown link ``[x](url)``.

    Returns:
        The URL, or ``None`` for an empty value.
    """
    text = value.strip()
    m = _MD_LINK.match(text)
    if m:
        text = m.group("url").strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    return text or None


def split_claim_ids(value: str) -> list[str]:
    """The ids in a ``claim::`` value, separated by commas and/or spaces."""
    return [piece for piece in re.split(r"[,\s]+", value.strip()) if piece]


def suggest_claim_id(bad: str) -> str:
    """A valid claim id close to ``bad``, for error messages (may be empty)."""
    text = bad.lower().strip("[]#")
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]+", "-", text)).strip("-")
