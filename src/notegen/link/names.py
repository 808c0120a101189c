"""Page names the way Logseq derives and compares them.

A page's name is its ``title::`` property, else the name stored in its file
name: with ``:file/name-format :triple-lowbar`` a namespace ``a/b`` is stored
as ``a___b``, older graphs store it as ``a%2Fb``, and other characters a file
system cannot hold are percent-encoded (``?`` as ``%3F``). Journal files are
named by ``:journal/file-name-format`` and titled by
``:journal/page-title-format`` from ``logseq/config.edn``. Names compare
case-insensitively.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

__all__ = [
    "GraphConfig",
    "format_journal_title",
    "name_from_file",
    "page_key",
    "parse_journal_file_name",
    "read_graph_config",
    "slugify",
]


@dataclass(frozen=True, slots=True)
class GraphConfig:
    """The few ``logseq/config.edn`` settings that decide how files are named."""

    journal_title_format: str = "MMM do, yyyy"
    """``:journal/page-title-format`` (Logseq's default shown)."""
    journal_file_format: str = "yyyy_MM_dd"
    """``:journal/file-name-format``."""
    pages_dir: str = "pages"
    """``:pages-directory``."""
    journals_dir: str = "journals"
    """``:journals-directory``."""


_EDN_STRING = r'\s+"(?P<value>(?:[^"\\]|\\.)*)"'
_EDN_KEYS = {
    "journal_title_format": ":journal/page-title-format",
    "journal_file_format": ":journal/file-name-format",
    "pages_dir": ":pages-directory",
    "journals_dir": ":journals-directory",
}


def read_graph_config(notes_dir: Path) -> GraphConfig:
    """The naming settings of the graph at ``notes_dir`` (defaults when absent).

    Only string settings are read, with a pattern rather than a full EDN
    reader; commented-out lines (``;``) are ignored.
    """
    path = notes_dir / "logseq" / "config.edn"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return GraphConfig()
    text = "\n".join(line.split(";", 1)[0] for line in text.splitlines())
    values: dict[str, str] = {}
    for field, key in _EDN_KEYS.items():
        m = re.search(re.escape(key) + _EDN_STRING, text)
        if m and m.group("value"):
            values[field] = m.group("value")
    return GraphConfig(**values)


def page_key(name: str) -> str:
    """The form in which Logseq compares page names: NFC, trimmed, lower-cased."""
    return unicodedata.normalize("NFC", name).strip().lower()


def name_from_file(stem: str) -> str:
    """The page name stored in a page file's name (without ``.md``).

    ``a___b`` and ``a%2Fb`` are the namespace ``a/b``; other percent-escapes are
    decoded (``%3F`` is ``?``); a malformed escape is kept as written.
    """
    return unquote(stem.replace("___", "/"))


_TOKENS = re.compile(r"yyyy|yy|MMMM|MMM|MM|M|do|dd|d|EEEE|EEE|E|'[^']*'")
_MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
_DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return f"{day}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def format_journal_title(date: dt.date, fmt: str) -> str:
    """A journal page's title for ``date`` in Logseq's date format ``fmt``
    (tokens ``yyyy yy MMMM MMM MM M do dd d EEEE EEE E``)."""

    def token(m: re.Match[str]) -> str:
        t = m.group(0)
        return {
            "yyyy": f"{date.year:04d}",
            "yy": f"{date.year % 100:02d}",
            "MMMM": _MONTH_NAMES[date.month - 1],
            "MMM": _MONTH_NAMES[date.month - 1][:3],
            "MM": f"{date.month:02d}",
            "M": str(date.month),
            "do": _ordinal(date.day),
            "dd": f"{date.day:02d}",
            "d": str(date.day),
            "EEEE": _DAY_NAMES[date.weekday()],
            "EEE": _DAY_NAMES[date.weekday()][:3],
            "E": _DAY_NAMES[date.weekday()][:3],
        }.get(t, t[1:-1])

    return _TOKENS.sub(token, fmt)


def parse_journal_file_name(stem: str, fmt: str) -> dt.date | None:
    """The date of a journal file named in format ``fmt`` (e.g. ``2022_05_19``)."""
    pattern = ""
    last = 0
    for m in _TOKENS.finditer(fmt):
        pattern += re.escape(fmt[last : m.start()])
        pattern += {
            "yyyy": r"(?P<y>\d{4})",
            "MM": r"(?P<m>\d{2})",
            "M": r"(?P<m>\d{1,2})",
            "dd": r"(?P<d>\d{2})",
            "d": r"(?P<d>\d{1,2})",
        }.get(m.group(0), re.escape(m.group(0)))
        last = m.end()
    pattern += re.escape(fmt[last:])
    try:
        found = re.fullmatch(pattern, stem)
    except re.error:
        return None
    if found is None or not {"y", "m", "d"} <= set(found.groupdict()):
        return None
    try:
        return dt.date(int(found.group("y")), int(found.group("m")), int(found.group("d")))
    except ValueError:
        return None


def slugify(name: str) -> str:
    """A URL path segment for a page name: letters and digits of any script kept,
    lower-cased, everything else collapsed to ``-``; namespaces keep their ``/``."""
    parts = []
    for part in unicodedata.normalize("NFKC", name).split("/"):
        slug = re.sub(r"[\W_]+", "-", part.lower()).strip("-")
        parts.append(slug or "page")
    return "/".join(parts)
