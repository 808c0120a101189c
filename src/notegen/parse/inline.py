"""References inside a block's text: ``[[page]]``, ``#tag``, ``#[[tag]]``, ``((uuid))``.

Logseq takes a block's references from mldoc's inline AST (``Link`` nodes to
pages and blocks, ``Nested_link``, ``Tag``, ``{{embed}}`` macros). This module
finds the same references with a small scanner, skipping what mldoc does not
read as a reference: inline code, ``$$`` math, URLs and macros other than
``embed``. (Code blocks, drawers and the like are blanked out by the caller.)
mldoc parses a paragraph's lines together, so double-backtick code may run
across lines (links may not); the scanner reads a stretch of text as one string.
Rules found by experiment with mldoc 1.5.7 are noted where they are applied.
"""

from __future__ import annotations

import bisect
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from notegen.parse.types import Ref, RefKind

_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S*")
_UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# A tag ends at white space and at these characters (mldoc 1.5.7, by experiment) ...
_TAG_STOP = frozenset(",!:'\"?#")
# ... and these are dropped from its end.
_TAG_TRAILING = ".;"
# Page links inside a tag's text: ``[label]([[x]])`` or ``[[x]]`` (up to the first ``]]``).
# Where a rule may apply: code, math, macros, links, block refs, tags, URLs.
_CANDIDATE_RE = re.compile(r"[`${\[(!#]|(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9+.-]*://")
_TAG_LINK_RE = re.compile(r"\[[^\[\]]*\]\(\[\[(.*?)\]\]\)|\[\[(.*?)\]\]")


@dataclass(frozen=True, slots=True)
class UnclosedLink:
    """A ``[[`` that no ``]]`` closes."""

    line: int


def is_uuid(s: str) -> bool:
    """Whether ``s`` is a block uuid as Logseq writes them."""
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


class _Scanner:
    """One pass over a text, trying mldoc's inline rules in order at each position."""

    def __init__(self, s: str) -> None:
        self.s = s
        self.found: list[tuple[int, Ref]] = []
        self.unclosed: list[int] = []

    def add(self, offset: int, kind: RefKind, target: str) -> None:
        if target.strip():
            self.found.append((offset, Ref(kind, target, 0)))

    def scan(self, i: int = 0, stop: int | None = None) -> None:
        s = self.s
        n = len(s) if stop is None else stop
        search = _CANDIDATE_RE.search
        while i < n:
            m = search(s, i, n)  # skip plain text in one step
            if m is None:
                return
            i = m.start()
            c = s[i]
            if c == "`":
                i = self.code(i, n)
            elif c == "$" and s.startswith("$$", i):
                # Inline $$ math closes on its line (found by experiment).
                eol = s.find("\n", i, n)
                close = s.find("$$", i + 2, n if eol < 0 else eol)
                i = close + 2 if close >= 0 else i + 2
            elif c == "{" and s.startswith("{{", i):
                i = self.macro(i, n)
            elif c == "[" and s.startswith("[[", i):
                i = self.page_link(i, n, "page")
            elif c == "(" and s.startswith("((", i):
                close = s.find("))", i + 2, n)
                if close >= 0 and is_uuid(s[i + 2 : close]):
                    self.add(i, "block", s[i + 2 : close])
                    i = close + 2
                else:
                    i += 1
            elif c in "[!#" and (end := self.link_or_tag(i, n)) > i:
                i = end
            elif c.isalpha() and (i == 0 or not s[i - 1].isalnum()):
                m = _SCHEME_RE.match(s, i, n)
                i = m.end() if m is not None else i + 1
            else:
                i += 1

    def link_or_tag(self, i: int, n: int) -> int:
        """A Markdown link or a tag at ``i``: the offset after it, or ``i``."""
        if self.s[i] == "#":
            # A '#' right after an emphasis marker is no tag (mldoc reads the emphasis).
            if i > 0 and self.s[i - 1] in "*_~^=":
                return i
            return self.tag(i, n)
        return self.markdown_link(i, n)

    def code(self, i: int, n: int) -> int:
        """Inline code, as mldoc 1.5.7 reads it (by experiment): ``` ``x`` ```
        closes at the next double backtick, even on a later line; `` `x` ``
        closes at the next backtick on its line."""
        s = self.s
        if s.startswith("``", i):
            close = s.find("``", i + 2, n)
            return close + 2 if close >= 0 else i + 2
        eol = s.find("\n", i, n)
        close = s.find("`", i + 1, n if eol < 0 else eol)
        return close + 1 if close >= 0 else i + 1

    def macro(self, i: int, n: int) -> int:
        """``{{embed [[page]]}}`` and ``{{embed ((uuid))}}`` refer; other macros do not."""
        s = self.s
        close = s.find("}}", i + 2, n)
        if close < 0:
            return i + 2
        name, _, args = s[i + 2 : close].strip().partition(" ")
        args = args.strip()
        if name == "embed":
            if args.startswith("[[") and args.endswith("]]"):
                self.add(i, "page", args[2:-2])
            elif args.startswith("((") and args.endswith("))") and is_uuid(args[2:-2]):
                self.add(i, "block", args[2:-2])
        return close + 2

    def page_link(self, i: int, n: int, kind: RefKind) -> int:
        """The ``[[...]]`` at ``i``, with any links nested in it."""
        s = self.s
        eol = s.find("\n", i, n)  # a link closes on its own line (found by experiment)
        end = _match_brackets(s[: n if eol < 0 else eol], i)
        if end < 0:
            self.unclosed.append(i)
            return i + 2
        inner = s[i + 2 : end - 2]
        self.add(i, kind, inner)
        for k, target in _nested_targets(inner):
            self.add(i + 2 + k, "page", target)
        return end

    def markdown_link(self, i: int, n: int) -> int:
        """``[label](target)`` or ``![alt](target)``: refs in the label and a
        ``[[page]]``/``((uuid))`` target; a URL target is skipped."""
        s = self.s
        start = i + 1 if s[i] == "!" else i
        if start >= n or s[start] != "[" or s.startswith("[[", start):
            return i
        close = s.find("](", start + 1, n)
        if close < 0 or "\n" in s[start:close]:
            return i
        depth = 0
        j = close + 2
        while j < n and s[j] != "\n":
            if s[j] == "(":
                depth += 1
            elif s[j] == ")":
                if depth == 0:
                    break
                depth -= 1
            j += 1
        if j >= n or s[j] != ")":
            return i
        target = s[close + 2 : j]
        self.scan(start + 1, close)  # the label
        if target.startswith("[[") and target.endswith("]]"):
            self.add(close + 2, "page", target[2:-2])
        elif target.startswith("((") and target.endswith("))") and is_uuid(target[2:-2]):
            self.add(close + 2, "block", target[2:-2])
        return j + 1

    def tag(self, i: int, n: int) -> int:
        """The ``#tag`` at ``i``; returns the offset after it, or ``i`` if none.

        As mldoc 1.5.7 reads tags (by experiment): the tag runs to white space
        or one of ``, ! : ' " ? #``, a ``[[...]]`` inside it (up to the first
        ``]]``, spaces allowed) is part of it, and ``.`` or ``;`` at its end
        are not. ``#[[x y]]`` is the tag ``x y``; page links inside a tag are
        references too.
        """
        s = self.s
        j = i + 1
        while j < n:
            if s.startswith("[[", j):
                eol = s.find("\n", j, n)
                close = s.find("]]", j + 2, n if eol < 0 else eol)
                if close >= 0:
                    j = close + 2
                    continue
            if s[j].isspace() or s[j] in _TAG_STOP:
                break
            j += 1
        body = s[i + 1 : j].rstrip(_TAG_TRAILING)
        if not body:
            return i
        if body.startswith("[[") and body.endswith("]]") and body.find("]]") == len(body) - 2:
            self.add(i, "tag", body[2:-2])
        else:
            self.add(i, "tag", body)
            for m in _TAG_LINK_RE.finditer(body):
                self.add(i + 1 + m.start(), "page", m.group(1) or m.group(2))
        return i + 1 + len(body)


def find_refs(lines: Sequence[tuple[int, str]]) -> tuple[list[Ref], list[UnclosedLink]]:
    """References in one stretch of text that mldoc parses as a whole (a
    paragraph, a quote, a heading's title), given as ``(file line, text)`` pairs.

    The caller blanks out what Logseq reads no references from (code blocks,
    math, drawers...).

    Returns:
        The references in text order, and the ``[[`` that nothing closes.
    """
    text = "\n".join(line for _, line in lines)
    starts: list[int] = []
    offset = 0
    for _, line in lines:
        starts.append(offset)
        offset += len(line) + 1

    def line_of(pos: int) -> int:
        return lines[bisect.bisect_right(starts, pos) - 1][0]

    scanner = _Scanner(text)
    scanner.scan()
    scanner.found.sort(key=lambda f: f[0])
    refs = [Ref(r.kind, r.target, line_of(pos)) for pos, r in scanner.found]
    return refs, [UnclosedLink(line_of(pos)) for pos in scanner.unclosed]


def property_refs(key: str, value: str, line: int) -> list[Ref]:
    """References in one property value, as Logseq reads them.

    Like mldoc, a value wrapped in double quotes holds no references. The
    values of ``tags`` and ``alias`` are also comma-separated page names, as
    Logseq treats them (``tags:: [[a]], b`` refers to ``a`` and ``b``); their
    items are references of kind ``tag`` for ``tags``.
    """
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return []
    scanner = _Scanner(value)
    scanner.scan()
    scanner.found.sort(key=lambda f: f[0])
    refs = [Ref(r.kind, r.target, line) for _, r in scanner.found]
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
