"""References inside a block's text: ``[[page]]``, ``#tag``, ``#[[tag]]``, ``((uuid))``.

Logseq takes a block's references from mldoc's inline AST (``Link`` nodes to
pages and blocks, ``Nested_link``, ``Tag``, ``{{embed}}`` macros). This module
finds the same references with a small scanner over the text, skipping what
mldoc does not read as a reference: code (fenced or inline), ``$$`` math,
URLs and other macros. Rules found by experiment with mldoc 1.5.7 are noted
where they are applied.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from notegen.parse.types import Ref, RefKind

_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S*")
_UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# A tag ends at white space and at these characters (mldoc 1.5.7, by experiment).
_TAG_STOP = frozenset(",!:'\"?#")
# ... and at these when they end the tag's text.
_TAG_TRAILING = ".;"
_FENCE_RE = re.compile(r"[ \t]*(```|~~~)")


@dataclass(frozen=True, slots=True)
class UnclosedLink:
    """A ``[[`` that no ``]]`` closes on its line."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class _Found:
    line: int
    column: int
    ref: Ref


def _is_uuid(s: str) -> bool:
    if _UUID_RE.fullmatch(s) is None:
        return False
    try:
        uuid.UUID(s)
    except ValueError:  # pragma: no cover - the pattern already ensures the form
        return False
    return True


def _match_brackets(s: str, i: int) -> int:
    """mldoc's ``match_brackets`` from the ``[[`` at ``i``: the end of the link, or -1.

    mldoc searches for ``]]``, counts the ``[[`` it passed over, and keeps
    going until the counts balance.
    """
    level = 1
    p = i + 2
    while True:
        close = s.find("]]", p)
        if close < 0:
            return -1
        level += s.count("[[", p, close) - 1
        p = close + 2
        if level <= 0:
            return p


def _nested_targets(inner: str) -> list[tuple[int, str]]:
    """Page names of ``[[...]]`` links nested inside a link's inner text."""
    found: list[tuple[int, str]] = []
    i = 0
    while True:
        j = inner.find("[[", i)
        if j < 0:
            return found
        end = _match_brackets(inner, j)
        if end < 0:
            return found
        found.append((j, inner[j + 2 : end - 2]))
        found.extend((j + 2 + k, t) for k, t in _nested_targets(inner[j + 2 : end - 2]))
        i = end


class _LineScanner:
    def __init__(self, line_no: int, text: str, out: list[_Found], unclosed: list[UnclosedLink]):
        self.line_no = line_no
        self.s = text
        self.out = out
        self.unclosed = unclosed

    def add(self, column: int, kind: RefKind, target: str) -> None:
        if target.strip():
            self.out.append(_Found(self.line_no, column, Ref(kind, target, self.line_no)))

    def page_link(self, i: int, kind: RefKind) -> int:
        """The ``[[...]]`` at ``i``; returns the offset after it."""
        s = self.s
        end = _match_brackets(s, i)
        if end < 0:
            self.unclosed.append(UnclosedLink(self.line_no, i))
            return i + 2
        inner = s[i + 2 : end - 2]
        self.add(i, kind, inner)
        for k, target in _nested_targets(inner):
            self.add(i + 2 + k, "page", target)
        return end

    def scan(self) -> None:
        """One pass over the line, trying mldoc's inline rules in order."""
        s = self.s
        n = len(s)
        i = 0
        while i < n:
            c = s[i]
            if c == "`":
                run = i
                while run < n and s[run] == "`":
                    run += 1
                ticks = s[i:run]
                close = s.find(ticks, run)
                while close >= 0 and close + len(ticks) < n and s[close + len(ticks)] == "`":
                    close = s.find(ticks, close + len(ticks) + 1)
                i = close + len(ticks) if close >= 0 else run
                continue
            if c == "$" and s.startswith("$$", i):
                close = s.find("$$", i + 2)
                i = close + 2 if close >= 0 else i + 2
                continue
            if c == "{" and s.startswith("{{", i):
                close = s.find("}}", i + 2)
                if close >= 0:
                    body = s[i + 2 : close].strip()
                    name, _, args = body.partition(" ")
                    if name == "embed":
                        args = args.strip()
                        if args.startswith("[[") and args.endswith("]]"):
                            self.add(i, "page", args[2:-2])
                        elif args.startswith("((") and args.endswith("))") and _is_uuid(args[2:-2]):
                            self.add(i, "block", args[2:-2])
                    i = close + 2
                    continue
            if c == "[" and s.startswith("[[", i):
                i = self.page_link(i, "page")
                continue
            if c == "(" and s.startswith("((", i):
                close = s.find("))", i + 2)
                if close >= 0 and _is_uuid(s[i + 2 : close]):
                    self.add(i, "block", s[i + 2 : close])
                    i = close + 2
                    continue
            if c in "[!" and self.markdown_link(i):
                i = self.link_end
                continue
            if c == "#" and (i == 0 or s[i - 1] not in "*_~^="):
                if s.startswith("#[[", i):
                    i = self.page_link(i + 1, "tag")
                    continue
                j = i + 1
                while j < n and not s[j].isspace() and s[j] not in _TAG_STOP:
                    j += 1
                tag = s[i + 1 : j].rstrip(_TAG_TRAILING)
                if tag:
                    self.add(i, "tag", tag)
                    i = i + 1 + len(tag)
                    continue
            if c.isalpha():
                m = _SCHEME_RE.match(s, i)
                if m is not None and (i == 0 or not s[i - 1].isalnum()):
                    i = m.end()
                    continue
            i += 1

    link_end = 0

    def markdown_link(self, i: int) -> bool:
        """``[label](target)`` or ``![alt](target)``: refs in the label and a
        ``[[page]]``/``((uuid))`` target; a URL target is skipped."""
        s = self.s
        start = i + 1 if s[i] == "!" else i
        if start >= len(s) or s[start] != "[" or s.startswith("[[", start):
            return False
        close = s.find("](", start + 1)
        if close < 0 or "\n" in s[start:close]:
            return False
        depth = 0
        j = close + 2
        while j < len(s):
            if s[j] == "(":
                depth += 1
            elif s[j] == ")":
                if depth == 0:
                    break
                depth -= 1
            j += 1
        if j >= len(s):
            return False
        target = s[close + 2 : j]
        label = s[start + 1 : close]
        if label:
            sub: list[_Found] = []
            _LineScanner(self.line_no, label, sub, []).scan()
            self.out.extend(_Found(f.line, start + 1 + f.column, f.ref) for f in sub)
        if target.startswith("[[") and target.endswith("]]"):
            self.add(close + 2, "page", target[2:-2])
        elif target.startswith("((") and target.endswith("))") and _is_uuid(target[2:-2]):
            self.add(close + 2, "block", target[2:-2])
        self.link_end = j + 1
        return True


def find_refs(lines: Sequence[tuple[int, str]]) -> tuple[list[Ref], list[UnclosedLink]]:
    """References in a block's text, given as ``(file line, text)`` pairs.

    Lines inside a closed code fence are skipped.

    Returns:
        The references in text order, and the ``[[`` left unclosed on their line.
    """
    found: list[_Found] = []
    unclosed: list[UnclosedLink] = []
    skip = _code_lines(lines)
    for index, (line_no, text) in enumerate(lines):
        if index in skip:
            continue
        _LineScanner(line_no, text, found, unclosed).scan()
    found.sort(key=lambda f: (f.line, f.column))
    return [f.ref for f in found], unclosed


def _code_lines(lines: Sequence[tuple[int, str]]) -> set[int]:
    """Indices of the lines of closed code fences (opening and closing lines included)."""
    skip: set[int] = set()
    i = 0
    while i < len(lines):
        if _FENCE_RE.match(lines[i][1]):
            for j in range(i + 1, len(lines)):
                if lines[j][1].strip().startswith(("```", "~~~")):
                    skip.update(range(i, j + 1))
                    i = j
                    break
        i += 1
    return skip


def code_lines(lines: Sequence[tuple[int, str]]) -> set[int]:
    """Indices of the given lines that lie inside closed code fences."""
    return _code_lines(lines)


def property_refs(key: str, value: str, line: int) -> list[Ref]:
    """References in one property value, as Logseq reads them.

    Like mldoc, a value wrapped in double quotes holds no references. The
    values of ``tags`` and ``alias`` are also comma-separated page names, as
    Logseq treats them (``tags:: [[a]], b`` refers to ``a`` and ``b``); their
    items are references of kind ``tag`` for ``tags``.
    """
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return []
    found: list[_Found] = []
    _LineScanner(line, value, found, []).scan()
    found.sort(key=lambda f: f.column)
    refs = [f.ref for f in found]
    if key in ("tags", "alias"):
        kind: RefKind = "tag" if key == "tags" else "page"
        refs = [Ref(kind, r.target, r.line) if r.kind == "page" else r for r in refs]
        seen = {r.target for r in refs}
        for item in _split_plain_items(value):
            if item not in seen:
                refs.append(Ref(kind, item, line))
                seen.add(item)
    return refs


def _split_plain_items(value: str) -> Iterable[str]:
    """Comma-separated items of a value that are not ``[[links]]`` or ``#tags``."""
    rest = re.sub(r"#?\[\[.*?\]\]", ",", value)
    for item in re.split("[,\uff0c]", rest):  # ASCII or full-width comma
        item = item.strip()
        if item and not item.startswith("#") and not item.startswith('"'):
            yield item
