"""References inside a block's text: ``[[page]]``, ``#tag``, ``#[[tag]]``, ``((uuid))``.

Logseq takes a block's references from mldoc's inline AST (``Link`` nodes to
pages and blocks, ``Nested_link``, ``Tag``, ``{{embed}}`` macros). This module
finds the same references with a small scanner, skipping what mldoc does not
read as a reference: inline code, ``$$`` math, URLs, macros other than
``embed``, the labels of Markdown links, and tags, block references and macros
inside emphasis (``**bold #tag**`` holds no tag). (Code blocks, drawers and
the like are blanked out by the caller.) mldoc parses a paragraph's lines
together, so double-backtick code and emphasis may run across lines (links may
not); the scanner reads a stretch of text as one string. Rules found by
experiment with mldoc 1.5.7 are noted where they are applied. A backslash
before ASCII punctuation escapes it, as in mldoc: ``\\#x``, ``\\[[x]]`` and
``\\((uuid))`` are no references (``\\(`` ... ``\\)`` and ``\\[`` ...
``\\]`` are math, which holds none either).

:func:`read_tag`, :func:`read_page_link`, :func:`read_macro`,
:func:`emphasis_at`, :func:`url_end` and :func:`at_run_start` are shared with
the renderer (:mod:`notegen.render.inline`), so that a page shows a link
exactly where the graph records a reference.
"""

from __future__ import annotations

import bisect
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from notegen.parse.types import Ref, RefKind

# mldoc tries a bare URL at a letter or digit, but at c, d or s (either case)
# it tries only a timestamp (``CLOSED:``, ``DEADLINE:``, ``SCHEDULED:``), so
# ``sftp://x`` is text (found by experiment).
URL_SCHEME = re.compile(r"(?![cdsCDS])[A-Za-z0-9]+://")
"""The start of a bare URL (see :func:`url_end`)."""
_URL_HOST_STOP = frozenset("[]<>{}()/?#")
_UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# A tag ends at white space and at these characters (mldoc 1.5.7, by experiment) ...
_TAG_STOP = frozenset(",!:'\"?#")
# ... and these are dropped from its end.
_TAG_TRAILING = ".;"
# Where a rule may apply: code, math, macros, links, block refs, tags, emphasis, URLs.
_CANDIDATE_RE = re.compile(r"[\\`${\[(!#*_~^=]|" + URL_SCHEME.pattern)
# Inside emphasis only code, links and more emphasis are read.
_EMPHASIS_CANDIDATE_RE = re.compile(r"[\\`\[!*_~^=]")
# What may end a Markdown link's target: a parenthesis, an escape, the line's end.
_TARGET_STOP_RE = re.compile(r"[\\()\n]")
# Page links inside a tag's text: ``[label]([[x]])`` or ``[[x]]`` (up to the first ``]]``).
_TAG_LINK_RE = re.compile(r"\[[^\[\]]*\]\(\[\[(.*?)\]\]\)|\[\[(.*?)\]\]")

# mldoc's emphasis (``md_em_parser``, Markdown): the delimiters tried at each
# character, longest first; ``_`` opens only after white space or ASCII
# punctuation and closes only before them (``underline_emphasis_delims``).
_EMPHASIS_DELIMS = {
    "*": ("***", "**", "*"),
    "_": ("___", "__", "_"),
    "~": ("~~",),
    "^": ("^^",),
    "=": ("==",),
}
_WHITESPACE = frozenset(" \t\n\r\x0c")
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_UNDERLINE_DELIMS = _PUNCTUATION | _WHITESPACE
_PLAIN_DELIMS = frozenset("\\_^[*~`=$#") | _WHITESPACE  # ``markdown_plain_delims``
_ESCAPED_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
# In a tag's name ``\[`` stays (mldoc splits the name at ``[``, then unescapes the pieces).
_TAG_ESCAPED_RE = re.compile(r"\\([!-/:-@\\-`{-~])")


def at_run_start(s: str, i: int, node_end: int) -> bool:
    """Whether mldoc would try a block reference, a macro or a bare URL at ``i``.

    mldoc reads plain text in runs that end at its delimiters (white space and
    ``\\ _ ^ [ * ~ ` = $ #``), and tries those only where a run starts: after
    a delimiter, or where the construct before (ending at ``node_end``) ends.
    """
    return i == node_end or i == 0 or s[i - 1] in _PLAIN_DELIMS


def unescape(s: str, pattern: re.Pattern[str] = _ESCAPED_RE) -> str:
    """``s`` with backslash escapes (a backslash before ASCII punctuation) undone."""
    return pattern.sub(r"\1", s) if "\\" in s else s


def _escape_end(s: str, i: int, n: int | None = None) -> int:
    """After the backslash at ``i``: the end of ``\\(`` ... ``\\)`` or ``\\[`` ...
    ``\\]`` math, of an escaped ASCII punctuation character, of an entity
    (``\\alpha``), or ``i + 1``."""
    n = len(s) if n is None else n
    if s.startswith(("\\(", "\\["), i):
        close = s.find("\\)" if s[i + 1] == "(" else "\\]", i + 2, n)
        if close >= 0:
            return close + 2
    if i + 1 < n and s[i + 1] in _PUNCTUATION:
        return i + 2
    j = i + 1
    while j < n and s[j].isascii() and s[j].isalpha():
        j += 1  # ``\alpha``: an entity, read as one piece
    return j


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
    """Page names of ``[[...]]`` links nested inside a link's inner text, with
    their offsets in it (found with a stack, not recursion: links may nest deep)."""
    found: list[tuple[int, str]] = []
    pending = [(0, inner)]  # (offset in inner, text to search)
    while pending:
        base, text = pending.pop()
        i = 0
        while True:
            j = text.find("[[", i)
            if j < 0:
                break
            end = _match_brackets(text, j)
            if end < 0:
                break
            found.append((base + j, text[j + 2 : end - 2]))
            pending.append((base + j + 2, text[j + 2 : end - 2]))
            i = end
    found.sort(key=lambda f: f[0])
    return found


def url_end(s: str, i: int, n: int | None = None) -> int:
    """The end of a bare URL whose host starts at ``i`` (after ``://``).

    As mldoc 1.5.7 reads it (by experiment): the host runs to white space or
    one of ``[ ] < > { } ( )``; from a ``/``, ``?`` or ``#`` on, the URL runs
    to white space or a ``)`` or ``]`` that closes nothing opened in it.
    """
    n = len(s) if n is None else n
    p = i
    while p < n and not s[p].isspace() and s[p] not in _URL_HOST_STOP:
        p += 1
    if p >= n or s[p] not in "/?#":
        return p
    opened: list[str] = []
    while p < n and not s[p].isspace():
        c = s[p]
        if c in "([":
            opened.append(")" if c == "(" else "]")
        elif c in ")]":
            if not opened or opened[-1] != c:
                break
            opened.pop()
        p += 1
    return p


def _code_end(s: str, i: int, n: int) -> int:
    """The end of the inline code at ``i`` (a backtick), or -1 when it is none.

    As mldoc 1.5.7 reads it (by experiment): ``` ``x`` ``` closes at the next
    double backtick, even on a later line; `` `x` `` closes at the next
    backtick on its line.
    """
    if s.startswith("``", i):
        close = s.find("``", i + 2, n)
        return close + 2 if close >= 0 else -1
    eol = s.find("\n", i, n)
    close = s.find("`", i + 1, n if eol < 0 else eol)
    return close + 1 if close > i + 1 else -1


def emphasis_at(s: str, i: int, n: int | None = None) -> tuple[int, int] | None:
    """The emphasis (``**x**``, ``*x*``, ``_x_``, ``~~x~~``, ``^^x^^``, ``==x==``)
    that starts at ``i``, as mldoc 1.5.7 reads it: the offsets where its text
    starts and ends (the closing delimiter is as long as the opening one), or
    ``None``.

    mldoc's rule (``md_em_parser``): the delimiter must be followed by a
    character that is not white space; the emphasis closes at the first
    delimiter that follows a character that is not white space (for ``_``:
    or that is followed by one that is no ASCII punctuation or white space);
    inline code and backslash escapes inside it are skipped.
    """
    n = len(s) if n is None else n
    c = s[i] if i < n else ""
    if c not in _EMPHASIS_DELIMS:
        return None
    if c == "_" and i > 0 and s[i - 1] not in _UNDERLINE_DELIMS:
        return None
    for delim in _EMPHASIS_DELIMS[c]:
        inner_end = _emphasis_close(s, i, n, delim)
        if inner_end < 0:
            continue
        end = inner_end + len(delim)
        if c == "_" and end < n and s[end] not in _UNDERLINE_DELIMS:
            continue
        return i + len(delim), inner_end
    return None


def _emphasis_close(s: str, i: int, n: int, delim: str) -> int:
    """Where the emphasis opened by ``delim`` at ``i`` closes, or -1."""
    if not s.startswith(delim, i):
        return -1
    start = p = i + len(delim)
    if p >= n or s[p] in _WHITESPACE:
        return -1
    mark = delim[0]
    before = ""  # the character before ``p``, as mldoc tracks it
    while p < n:
        if s.startswith(delim, p, n):
            inside = before in _WHITESPACE if before else False
            if mark == "_" and not inside:
                after = p + len(delim)
                inside = after < n and s[after] not in _UNDERLINE_DELIMS
            if not inside:
                return p if p > start else -1
            before = mark
            p += len(delim)
            continue
        ch = s[p]
        if ch == "\\" and p + 1 < n and s[p + 1] in _PUNCTUATION:
            before = s[p + 1]
            p += 2
        elif ch == "`" and (end := _code_end(s, p, n)) > 0:
            before = "`"
            p = end
        else:
            before = ch
            p += 1
    return -1


_MACRO_RE = re.compile(r"\{\{([^}\r\n]+)\}\}")


def read_macro(s: str, i: int, n: int | None = None) -> tuple[str, str, int] | None:
    """The ``{{name args}}`` macro at ``i``: its name, its arguments (trimmed)
    and the offset after it, or ``None`` (a macro is on one line and holds no ``}``)."""
    m = _MACRO_RE.match(s, i, len(s) if n is None else n)
    if m is None:
        return None
    name, _, args = m.group(1).strip().partition(" ")
    return name, args.strip(), m.end()


@dataclass(frozen=True, slots=True)
class PageLink:
    """A ``[[page]]`` link found in a text."""

    name: str
    """The page it names."""
    end: int
    """The offset just after its ``]]``."""
    nested: bool
    """Whether it holds other ``[[...]]`` links (``name`` then holds them as written)."""


def read_page_link(s: str, i: int, n: int | None = None) -> PageLink | None:
    """The ``[[page]]`` link at ``i``, or ``None`` when no ``]]`` on the line closes it.

    As mldoc 1.5.7 reads it (by experiment): a link holding ``[[...]]`` links
    ends where its brackets balance, and its name is its inner text as written
    (``[[a [[b]] c]]`` is ``a [[b]] c``); any other link ends at the first
    ``]]`` that no backslash escapes, and its name has the escapes undone
    (``[[a\\]] b]]`` is ``a]] b``, ``[[a [[b]]`` is ``a [[b``).
    """
    n = len(s) if n is None else n
    eol = s.find("\n", i, n)
    if eol >= 0:
        n = eol  # a link closes on its own line
    end = _match_brackets(s[:n], i)
    if end >= 0 and "[[" in s[i + 2 : end - 2]:
        return PageLink(s[i + 2 : end - 2], end, nested=True)
    close = _escaped_find(s, "]]", i + 2, n)
    if close < 0:
        return None
    return PageLink(unescape(s[i + 2 : close]), close + 2, nested=False)


def _escaped_find(s: str, sub: str, i: int, n: int) -> int:
    """``s.find(sub, i, n)``, passing over backslash-escaped characters."""
    while True:
        found = s.find(sub, i, n)
        slash = s.find("\\", i, found)
        if found < 0 or slash < 0:
            return found
        i = slash + 2 if slash + 1 < n and s[slash + 1] in _PUNCTUATION else slash + 1


def _label_end(s: str, i: int, n: int) -> int:
    """The ``]`` that ends the Markdown link label opened by the ``[`` at
    ``i``, or -1 (mldoc's ``label_part``: on one line; brackets inside it
    balance; code and backslash-escaped characters are passed over)."""
    depth = 0
    p = i + 1
    while p < n:
        c = s[p]
        if c in "\r\n":
            return -1
        if c == "\\":
            p += 2
            continue
        if c == "`" and (end := _code_end(s, p, n)) > 0 and "\n" not in s[p:end]:
            p = end
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            if depth == 0:
                return p
            depth -= 1
        p += 1
    return -1


def read_tag(s: str, i: int, n: int | None = None) -> tuple[str, int] | None:
    """The ``#tag`` at ``i``: its text (``[[x y]]`` kept as written, backslash
    escapes undone) and the offset after it, or ``None`` when ``#`` starts no
    tag there.

    As mldoc 1.5.7 reads tags (by experiment): the tag runs to white space
    or one of ``, ! : ' " ? #``, a ``[[...]]`` inside it (up to the first
    ``]]``, spaces allowed) is part of it, and ``.`` or ``;`` at its end are
    not.
    """
    n = len(s) if n is None else n
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
        return None
    # ``#a\\*b`` is the tag ``a*b``, as in mldoc.
    return unescape(body, _TAG_ESCAPED_RE), i + 1 + len(body)


class _Scanner:
    """One pass over a text, trying mldoc's inline rules in order at each position."""

    def __init__(self, s: str) -> None:
        self.s = s
        self.found: list[tuple[int, Ref]] = []
        self.unclosed: list[int] = []
        self.spans: list[tuple[int, int]] = []
        """Where the constructs that are not plain text lie (escapes are plain text)."""
        self._open_at = -2  # where the last unclosed [[ was met

    def add(self, offset: int, kind: RefKind, target: str) -> None:
        if target.strip():
            self.found.append((offset, Ref(kind, target, 0)))

    def scan(self, i: int = 0, stop: int | None = None) -> None:
        s = self.s
        n = len(s) if stop is None else stop
        search = _CANDIDATE_RE.search
        node_end = i  # where the last construct ended
        while i < n:
            m = search(s, i, n)  # skip plain text in one step
            if m is None:
                return
            i = m.start()
            c = s[i]
            at_start = at_run_start(s, i, node_end)
            end = -1  # the end of a construct found at i
            if c == "\\":
                # An escape is plain text, but the next character starts afresh.
                i = node_end = _escape_end(s, i, n)
                continue
            if c == "`":
                end = _code_end(s, i, n)
            elif c in _EMPHASIS_DELIMS:
                end = self.emphasis(i, n)
            elif c == "$" and s.startswith("$$", i):
                # Inline $$ math closes on its line (found by experiment).
                eol = s.find("\n", i, n)
                close = s.find("$$", i + 2, n if eol < 0 else eol)
                end = close + 2 if close >= 0 else -1
            elif c == "{" and s.startswith("{{", i) and at_start:
                end = self.macro(i, n)
            elif c == "[" and s.startswith("[[", i):
                end = self.page_link(i, n, "page")
            elif c == "(" and s.startswith("((", i) and at_start:
                close = s.find("))", i + 2, n)
                if close >= 0 and is_uuid(s[i + 2 : close]):
                    self.add(i, "block", s[i + 2 : close])
                    end = close + 2
            elif c in "[!#":
                end = self.link_or_tag(i, n)
            elif c.isalnum() and at_start and (m := URL_SCHEME.match(s, i, n)) is not None:
                end = url_end(s, m.end(), n)
            if end > i:
                self.spans.append((i, end))
                i = node_end = end
            else:
                i += 1  # plain text

    def link_or_tag(self, i: int, n: int) -> int:
        """A Markdown link or a tag at ``i``: the offset after it, or -1."""
        if self.s[i] == "#":
            return self.tag(i, n)
        return self.markdown_link(i, n)

    def emphasis(self, i: int, n: int) -> int:
        """Emphasis at ``i``: the offset after it, or -1. Only links in it are
        references (mldoc parses its text again for emphasis and links only)."""
        found = emphasis_at(self.s, i, n)
        if found is None:
            return -1
        start, end = found
        self.scan_emphasis(start, end)
        return end + (start - i)

    def scan_emphasis(self, i: int, n: int) -> None:
        s = self.s
        while i < n:
            m = _EMPHASIS_CANDIDATE_RE.search(s, i, n)
            if m is None:
                return
            i = m.start()
            c = s[i]
            if c == "\\":
                end = i + 2 if i + 1 < n and s[i + 1] in _PUNCTUATION else -1
            elif c == "`":
                end = _code_end(s, i, n)
            elif c in _EMPHASIS_DELIMS:
                end = self.emphasis(i, n)
            elif s.startswith("[[", i):
                end = self.page_link(i, n, "page")
            else:
                end = self.markdown_link(i, n)
            i = end if end > i else i + 1

    def macro(self, i: int, n: int) -> int:
        """The macro at ``i``: the offset after it, or -1. ``{{embed [[page]]}}``
        and ``{{embed ((uuid))}}`` refer; other macros do not."""
        found = read_macro(self.s, i, n)
        if found is None:
            return -1
        name, args, end = found
        if name == "embed":
            if args.startswith("[[") and args.endswith("]]"):
                self.add(i, "page", args[2:-2])
            elif args.startswith("((") and args.endswith("))") and is_uuid(args[2:-2]):
                self.add(i, "block", args[2:-2])
        return end

    def page_link(self, i: int, n: int, kind: RefKind) -> int:
        """The ``[[...]]`` at ``i``, with any links nested in it: the offset
        after it, or -1 (then the second ``[`` may still open a link: ``[[[a](b)``)."""
        link = read_page_link(self.s, i, n)
        if link is None:
            if self._open_at != i - 1:  # one for a run of [
                self.unclosed.append(i)
            self._open_at = i
            return -1
        self.add(i, kind, link.name)
        if link.nested:
            for k, target in _nested_targets(link.name):
                self.add(i + 2 + k, "page", target)
        return link.end

    def markdown_link(self, i: int, n: int) -> int:
        """``[label](target)`` or ``![alt](target)`` at ``i``: the offset after
        it, or -1. A ``[[page]]``/``((uuid))`` target is a reference; the label
        holds none (mldoc parses it for emphasis and code only)."""
        s = self.s
        start = i + 1 if s[i] == "!" else i
        if start >= n or s[start] != "[" or s.startswith("[[", start):
            return -1
        close = _label_end(s, start, n)
        if close < 0 or not s.startswith("(", close + 1):
            return -1
        # The target: to the ')' that balances, on this line (\( and \) escaped).
        depth = 0
        j = close + 2
        while (m := _TARGET_STOP_RE.search(s, j, n)) is not None:
            j = m.start()
            c = s[j]
            if c == "\n":
                return -1
            if c == "\\":
                j += 2 if j + 1 < n and s[j + 1] in "()" else 1
                continue
            if c == ")" and depth == 0:
                break
            depth += 1 if c == "(" else -1
            j += 1
        else:
            return -1
        target = s[close + 2 : j]
        page = unescape(target)  # ``[l](\[[x]])`` searches ``[[x]]``: Logseq reads a page
        if page.startswith("[[") and page.endswith("]]"):
            self.add(close + 2, "page", page[2:-2])
        elif target.startswith("((") and target.endswith("))") and is_uuid(target[2:-2]):
            self.add(close + 2, "block", target[2:-2])
        return j + 1

    def tag(self, i: int, n: int) -> int:
        """The ``#tag`` at ``i`` (see :func:`read_tag`): the offset after it,
        or -1. ``#[[x y]]`` is the tag ``x y``; page links inside a tag are
        references too."""
        found = read_tag(self.s, i, n)
        if found is None:
            return -1
        body, end = found
        if body.startswith("[[") and body.endswith("]]") and body.find("]]") == len(body) - 2:
            self.add(i, "tag", body[2:-2])
        else:
            self.add(i, "tag", body)
            for m in _TAG_LINK_RE.finditer(body):
                self.add(i + 1 + m.start(), "page", m.group(1) or m.group(2))
        return end


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


LIST_KEYS = frozenset({"tags", "alias"})
"""Keys whose values Logseq also reads as comma-separated page names."""
# Logseq's ``sep-by-comma`` splits at ',', '|' and the full-width comma U+FF0C.
_LIST_SEPARATORS = frozenset(",|\uff0c")


def property_refs(key: str, value: str, line: int) -> tuple[list[Ref], list[UnclosedLink]]:
    """References in one property value, as Logseq reads them, in the order
    written, and the ``[[`` in it that nothing closes.

    Like mldoc, a value wrapped in double quotes holds no references. The
    values of ``tags`` and ``alias`` (:data:`LIST_KEYS`) are also lists of
    page names, as Logseq reads them (``extract-refs-by-commas``): besides
    the links and tags in the value, each piece of its plain text between
    ``,``, ``|`` or a full-width comma names a page (``tags:: [[a]], b`` refers to ``a``
    and ``b``; ``tags:: #a,#b`` to ``a`` and ``b``). Their references are of
    kind ``tag`` for ``tags``. A piece holding an unclosed ``[[`` names no
    page (the caller warns about it).
    """
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return [], []
    scanner = _Scanner(value)
    scanner.scan()
    found = sorted(scanner.found, key=lambda f: f[0])
    unclosed = [UnclosedLink(line) for _ in scanner.unclosed]
    if key not in LIST_KEYS:
        return [Ref(r.kind, r.target, line) for _, r in found], unclosed
    kind: RefKind = "tag" if key == "tags" else "page"
    items = [(pos, Ref(kind if r.kind == "page" else r.kind, r.target, line)) for pos, r in found]
    items += [(pos, Ref(kind, name, line)) for pos, name in _plain_items(value, scanner)]
    items.sort(key=lambda item: item[0])
    refs: list[Ref] = []
    seen: set[str] = set()
    for _, ref in items:
        if ref.target not in seen:
            seen.add(ref.target)
            refs.append(ref)
    return refs, unclosed


def page_list(value: str) -> list[str]:
    """The page names a ``tags::`` or ``alias::`` value holds, as Logseq reads
    them (see :func:`property_refs`), in the order written, each once."""
    refs, _ = property_refs("alias", value, 0)
    return [r.target for r in refs if r.kind != "block"]


def _plain_items(value: str, scanner: _Scanner) -> list[tuple[int, str]]:
    """The names in the plain text of a list value: the text between the
    constructs (links, tags, code...), backslash escapes undone, split at
    :data:`_LIST_SEPARATORS` and trimmed; with where each starts."""
    out: list[tuple[int, str]] = []
    chars: list[tuple[int, str]] = []  # (offset, character) of the current item

    def flush() -> None:
        text = "".join(c for _, c in chars).strip()
        first, last = (chars[0][0], chars[-1][0]) if chars else (0, -1)
        if text and not any(first <= u <= last for u in scanner.unclosed):
            out.append((first, text))
        chars.clear()

    pos = 0
    n = len(value)
    for start, end in [*sorted(scanner.spans), (n, n)]:
        p = pos
        while p < start:
            c = value[p]
            if c == "\\" and p + 1 < n and value[p + 1] in _PUNCTUATION:
                p += 1
                c = value[p]
            if c in _LIST_SEPARATORS:
                flush()
            else:
                chars.append((p, c))
            p += 1
        flush()  # a construct ends a piece of plain text
        pos = max(pos, end)
    return out
