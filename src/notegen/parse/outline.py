"""Block-level scan of Logseq Markdown, emulating Logseq's parser (mldoc).

Logseq forms blocks from the top-level nodes of mldoc's AST: every
``Heading`` node starts a block, and a ``Property_Drawer`` node after it (the
first one) holds the block's properties. Which lines become headings and
property groups depends on the multi-line constructs around them: a ``- x``
line inside a code fence, a ``:LOGBOOK:`` drawer, a raw HTML element or a
``$$`` formula is no block, and a ``key:: value`` line right after a quote or
a list item is read as part of the quote or item, not as a property.

This module re-implements just that top level: it walks the text the way
mldoc's top-level parser loop does (``Mldoc_parser.parsers``: the parsers are
tried in mldoc's order at each position) and reports headings, property
groups and the other constructs, with character offsets. It does not parse
inline syntax. ``tests/parse/test_mldoc.py`` checks it against mldoc itself.

Where mldoc's behaviour was found by experiment rather than read from its
source, a comment says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

# mldoc's ``is_space``/``is_tab_or_space``: space, tab, SUB and form feed.
SPACE = frozenset(" \t\x1a\x0c")
EOL = frozenset("\r\n")
# After a heading marker (``-`` or ``#``) mldoc needs one of these, or the end.
_AFTER_MARKER = frozenset(" \t\x1a\x0c\r\n")
# OCaml's ``String.trim``.
_OCAML_TRIM = " \t\n\r\x0c"
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ORG_PROPERTY_RE = re.compile(r"[ \t]*:([^:\r\n]+):[ \t]*(.*)$")
_FOOTNOTE_RE = re.compile(r"\[\^([^\]\r\n]+)\]:[ \t\x1a\x0c]*")
_DIRECTIVE_RE = re.compile(r"#\+([^:\r\n]+):")
_FRONT_MATTER_LINE_RE = re.compile(r"([^:\r\n]+):[ \t\x1a\x0c]*([^\r\n]*)(?:\r?\n|\Z)")

MARKERS = (
    "TODO", "DOING", "WAITING", "WAIT", "DONE", "CANCELED", "CANCELLED",
    "STARTED", "IN-PROGRESS", "NOW", "LATER",
)  # fmt: skip
"""The task markers mldoc reads at the start of a heading (``TODO x``)."""

# The HTML tags mldoc reads as raw HTML (``Raw_html.known_tags``).
_HTML_TAG_NAMES = """
a abbr address area article aside audio b base bdi bdo blockquote body br button
canvas caption cite code col colgroup data datalist dd del dfn div dl dt em embed
fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hr html i iframe
img input ins kbd keygen label legend li link main map mark meta meter nav noscript
object ol optgroup option output p param pre progress q rb rp rt rtc ruby s samp
script section select small source span strong style sub sup table tbody td template
textarea tfoot th thead time title tr track u ul var video details summary wbr
"""
_HTML_TAGS = frozenset(_HTML_TAG_NAMES.split())

_NESTED = -2
"""What :meth:`_Scanner.item_content` returns when a nested list ends the item."""

NodeKind = Literal[
    "heading",
    "properties",
    "front_matter",
    "fence",
    "begin_block",
    "drawer",
    "html",
    "math",
    "latex_env",
    "quote",
    "list",
    "footnote",
    "table",
    "hr",
    "directive",
    "paragraph",
    "blank",
]


@dataclass(frozen=True, slots=True)
class PropertyLine:
    """One ``key:: value`` line of a property group, as mldoc reads it."""

    key: str
    """The key exactly as written (not normalised)."""
    value: str
    """The value, trimmed."""
    start: int
    """Offset of the line's first character (its indentation included)."""
    end: int
    """Offset just past the line's text (before its line ending)."""


@dataclass(frozen=True, slots=True)
class Node:
    """One top-level node of the scan, spanning ``text[start:end]``."""

    kind: NodeKind
    start: int
    end: int
    level: int = 0
    """For headings: mldoc's level, indentation characters + 1."""
    unordered: bool = False
    """For headings: ``- x`` (True) or a bare ``# x`` (False)."""
    properties: tuple[PropertyLine, ...] = ()
    """For property groups and front matter: the lines, in order."""
    org_drawer: bool = False
    """For property groups: an org-style ``:PROPERTIES:`` ... ``:END:`` drawer."""
    content_start: int = -1
    """For headings: where the block's own text starts (after ``- `` and spaces)."""
    name: str = ""
    """For ``#+BEGIN_name`` blocks and ``:name:`` drawers: the name."""


class _Scanner:
    """mldoc's top-level parser loop over one text, as position arithmetic."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self._lower: str | None = None
        self._nested_at = 0
        """Where the list nested in an item starts (see :meth:`item_content`)."""

    def lower(self) -> str:
        """The text lower-cased (same length for the ASCII tag names searched in it)."""
        if self._lower is None:
            # str.lower can change lengths (e.g. "İ"); keep offsets by lowering ASCII only.
            self._lower = self.text.translate(_ASCII_LOWER)
        return self._lower

    # --- small helpers -------------------------------------------------
    def skip_space(self, p: int) -> int:
        text, n = self.text, self.n
        while p < n and text[p] in SPACE:
            p += 1
        return p

    def skip_eols(self, p: int) -> int:
        text, n = self.text, self.n
        while p < n and text[p] in EOL:
            p += 1
        return p

    def line_end(self, p: int) -> int:
        """Offset of the first ``\\r`` or ``\\n`` at or after ``p`` (or the end)."""
        text = self.text
        i = text.find("\n", p)
        j = text.find("\r", p, i if i >= 0 else self.n)
        if j >= 0:
            return j
        return i if i >= 0 else self.n

    def after_eol(self, p: int) -> int:
        """Angstrom's ``end_of_line`` at ``p``: skip ``\\n`` or ``\\r\\n`` if there."""
        text = self.text
        if text.startswith("\r\n", p):
            return p + 2
        if p < self.n and text[p] == "\n":
            return p + 1
        return p

    def after_one_eol(self, p: int) -> int:
        """``optional eol``: skip one ``\\r`` or ``\\n`` character."""
        if p < self.n and self.text[p] in EOL:
            return p + 1
        return p

    def past_line_ending(self, e: int) -> int:
        """Past the line ending at ``e`` (``\\r\\n``, ``\\n`` or a lone ``\\r``)."""
        if e >= self.n:
            return e
        return e + 2 if self.text.startswith("\r\n", e) else e + 1

    def next_line(self, p: int) -> int:
        """Start of the line after the one holding ``p`` (``\\r\\n``, ``\\n`` or ``\\r``)."""
        e = self.line_end(p)
        if e >= self.n:
            return self.n
        if self.text.startswith("\r\n", e):
            return e + 2
        return e + 1

    def lines_until(self, p: int, is_end: Callable[[str], bool]) -> int:
        """mldoc's ``between_lines``: scan lines from ``p`` until one satisfies
        ``is_end``; return the offset after that line's text, or -1 at the end.

        As in mldoc, the rest of the line holding ``p`` is read as a line too
        (an opening line's line ending reads as an empty line).
        """
        text, n = self.text, self.n
        while p < n:
            if text[p] in EOL:
                p += 1  # a bare line ending reads as the line "\n"
                continue
            e = self.line_end(p)
            if is_end(text[p:e]):
                return e
            p = e
        return -1

    # --- headings --------------------------------------------------------
    def heading(self, p: int) -> Node | None:
        """mldoc ``Heading.parse`` (Markdown) at ``p``."""
        text, n = self.text, self.n
        q = self.skip_space(p)
        if q >= n:
            return None
        unordered: bool
        if text[q] == "#":
            r = q
            while r < n and text[r] == "#":
                r += 1
            if r < n and text[r] not in _AFTER_MARKER:
                return None
            unordered = False
        elif text[q] == "-":
            r = q + 1
            # ``- ## title``: optional spaces, hashes, then a space or the end.
            s = self.skip_space(r)
            if s < n and text[s] == "#":
                t = s
                while t < n and text[t] == "#":
                    t += 1
                if t >= n or text[t] in SPACE or text[t] in EOL:
                    r = t
            if r < n and text[r] not in _AFTER_MARKER:
                return None
            unordered = True
        else:
            return None
        level = q - p + 1
        # Marker (TODO ...) and priority ([#A]) need spaces before them.
        t = r
        s = self.skip_space(t)
        if s > t:
            for marker in MARKERS:
                if text.startswith(marker, s):
                    m = s + len(marker)
                    if m >= n or text[m] == " ":
                        t = m
                    break
        s = self.skip_space(t)
        if s > t and text.startswith("[#", s) and s + 3 < n and text[s + 3] == "]":
            t = s + 4
        # The title: ``ws *> title``; a construct there (a fence, a quote, a
        # property...) leaves the title empty and is parsed next.
        s = self.skip_space(t)
        if s > t and s < n and text[s] not in EOL:
            if self.title_is_construct(s):
                return Node("heading", p, s, level, unordered, content_start=s)
            e = self.line_end(s)
            return Node("heading", p, self.after_eol(e), level, unordered, content_start=s)
        if s > t and s < n and self.title_is_construct(s):
            # ``- `` then a line ending: the title parser may look past it.
            return Node("heading", p, self.after_eol(s), level, unordered, content_start=s)
        # No title.
        end = self.after_eol(t) if t < n and text[t] in EOL else t
        return Node("heading", p, end, level, unordered, content_start=t)

    def title_is_construct(self, p: int) -> bool:
        """mldoc's ``title_aux_p``: does a non-paragraph construct start at ``p``?"""
        return (
            self.drawer(p) is not None
            or self.hr(p) is not None
            or self.table(p) is not None
            or self.latex_env(p) is not None
            or self.block(p) is not None
            or self.footnote(p) is not None
        )

    def marker_line(self, s: int, e: int, markers: str) -> bool:
        """Whether ``text[s:e]`` starts with one of ``markers`` then a space or its end."""
        text = self.text
        return s < e and text[s] in markers and (s + 1 == e or text[s + 1] == " ")

    def is_id_property_line(self, p: int) -> bool:
        """Whether the line at ``p`` is an ``id::`` property line (any case)."""
        prop = self.property_line(p)
        return prop is not None and prop.key.lower() == "id"

    def is_heading_line(self, p: int) -> bool:
        """Whether the line starting at ``p`` would parse as a heading."""
        return self.heading(p) is not None

    # --- property groups and drawers ---------------------------------------
    # A key is any run of characters but ':' and mldoc's spaces and line endings.
    _PROPERTY_RE = re.compile(
        r"[ \t\x1a\x0c]*([^: \t\x1a\x0c\r\n]+)::(?:[ \t\x1a\x0c]+([^\r\n]*))?$"
    )

    def property_line(self, p: int) -> PropertyLine | None:
        """One ``key:: value`` line starting at ``p`` (indentation allowed)."""
        e = self.line_end(p)
        m = self._PROPERTY_RE.match(self.text, p, e)
        if m is None:
            return None
        return PropertyLine(m.group(1), (m.group(2) or "").strip(_OCAML_TRIM), p, e)

    _DIRECTIVE_PROPERTY_RE = re.compile(
        r"[ \t\x1a\x0c]*#\+([^:\s]+):(?:[ \t\x1a\x0c]+([^\r\n]*))?$"
    )

    def directive_property_line(self, p: int) -> PropertyLine | None:
        """One org-style ``#+key: value`` line starting at ``p``."""
        e = self.line_end(p)
        m = self._DIRECTIVE_PROPERTY_RE.match(self.text, p, e)
        if m is None:
            return None
        return PropertyLine(m.group(1), (m.group(2) or "").strip(_OCAML_TRIM), p, e)

    def drawer(self, p: int) -> Node | None:
        """mldoc ``Drawer.parse``: Markdown properties, ``:PROPERTIES:`` or ``:NAME:`` drawers."""
        n = self.n
        p0 = p
        p = self.skip_eols(p)
        lines: list[PropertyLine] = []
        q = p
        while q < n:
            prop = self.property_line(q)
            if prop is None and lines:
                # Inside a group, org-style ``#+key: value`` lines count too,
                # even after empty lines (found by experiment).
                prop = self.directive_property_line(self.skip_eols(q))
            if prop is None:
                break
            lines.append(prop)
            q = self.past_line_ending(prop.end)
        if lines:
            return Node("properties", p0, q, properties=tuple(lines))
        return self.named_drawer(p0, p)

    def named_drawer(self, p0: int, p: int) -> Node | None:
        """``:NAME:`` ... ``:END:`` (``:PROPERTIES:`` drawers hold properties)."""
        text, n = self.text, self.n
        s = self.skip_space(p)
        if s >= n or text[s] != ":":
            return None
        e = self.line_end(s)
        close = text.find(":", s + 1, e)
        if close <= s + 1 or close + 1 != e or e >= n:
            return None
        name = text[s + 1 : close]
        is_properties = name.upper() == "PROPERTIES"
        props: list[PropertyLine] = []
        valid = True  # a :PROPERTIES: drawer holding anything else is a plain drawer
        q = e
        while True:
            q = self.skip_eols(q)
            if q >= n:
                return None  # no :END: -- not a drawer
            le = self.line_end(q)
            line = text[q:le]
            if line.strip(_OCAML_TRIM).lower() == ":end:":
                end = self.skip_eols(le)
                if is_properties and valid:
                    return Node("properties", p0, end, properties=tuple(props), org_drawer=True)
                return Node("drawer", p0, end, name=name)
            if is_properties:
                m = _ORG_PROPERTY_RE.match(line)
                if m and m.group(1).lower() not in ("properties", "end"):
                    props.append(PropertyLine(m.group(1), m.group(2).strip(_OCAML_TRIM), q, le))
                elif line.strip(_OCAML_TRIM):
                    valid = False
            q = le

    # --- other constructs ---------------------------------------------------
    def hr(self, p: int) -> Node | None:
        text, n = self.text, self.n
        q = self.skip_space(self.skip_eols(p))
        if q >= n or text[q] not in "-*_":
            return None
        c = text[q]
        r = q
        while r < n and text[r] in "-*_":
            r += 1
        if r - q < 3 or any(ch != c for ch in text[q:r]):
            return None
        r = self.skip_space(r)
        if r < n and text[r] not in EOL:
            return None
        if r < n and not (text.startswith("\r\n", r) or text[r] == "\n"):
            return None
        return Node("hr", p, self.after_eol(r))

    def table(self, p: int) -> Node | None:
        text, n = self.text, self.n
        q = self.skip_eols(p)
        rows = 0
        while q < n:
            s = self.skip_space(q)
            if s >= n or text[s] != "|":
                break
            e = self.line_end(s)
            line = text[s + 1 : e]
            if not line:
                break
            stripped = text[s:e].strip(_OCAML_TRIM)
            if not stripped.endswith("|") or len(stripped) < 2:
                break
            rows += 1
            q = self.after_one_eol(e)
        if rows == 0:
            return None
        return Node("table", p, q)

    def latex_env(self, p: int) -> Node | None:
        """``\\begin{x}`` ... ``\\end{x}`` environments and ``$$`` ... ``$$`` display math."""
        text, n = self.text, self.n
        q = self.skip_space(self.skip_eols(p))
        if q >= n:
            return None
        if text[q] == "\\":
            if text[q : q + 7].lower() != "\\begin{":
                return None
            close = text.find("}", q + 7)
            e = self.line_end(q)
            if close < 0 or close >= e or close == q + 7 or e >= n:
                return None
            name = text[q + 7 : close]
            end_mark = "\\end{" + name + "}"
            end = self.lines_until(e, lambda line: line.strip(_OCAML_TRIM).startswith(end_mark))
            # Unclosed, it runs to the end of the text (found by experiment).
            return Node("latex_env", p, end if end >= 0 else n)
        if text.startswith("$$", q):
            close = text.find("$$", q + 2)
            if close < 0:
                return None
            return Node("math", p, close + 2)
        return None

    def begin_block(self, q: int) -> Node | None:
        text = self.text
        if text[q : q + 8].lower() != "#+begin_":
            return None
        r = q + 8
        e = self.line_end(r)
        name_end = r
        while name_end < e and text[name_end] not in SPACE:
            name_end += 1
        if name_end == r:
            return None
        name = text[r:name_end]
        end_mark = ("#+end_" + name).lower()
        end = self.lines_until(e, lambda line: line.strip(_OCAML_TRIM).lower().startswith(end_mark))
        if end < 0:
            return None
        return Node("begin_block", q, end, name=name)

    def fence(self, q: int) -> Node | None:
        text = self.text
        if not (text.startswith("```", q) or text.startswith("~~~", q)):
            return None
        e = self.line_end(q)
        end = self.lines_until(
            e,
            lambda line: line.strip(_OCAML_TRIM).startswith(("```", "~~~")),
        )
        if end < 0:
            return None
        return Node("fence", q, end)

    def quote(self, q: int) -> Node | None:
        """A Markdown quote: ``>`` lines and the lines that lazily continue them.

        Found by experiment with mldoc 1.5.7: a quote runs until a blank (or
        whitespace-only) line or a line that starts (after spaces and an
        optional ``>``) with ``-`` or ``#`` followed by a space or the line's
        end, or an ``id::`` property line (so that Logseq's block ids work
        on quotes); a quote whose first line is such a line is no quote.
        """
        text, n = self.text, self.n
        p = q
        lines = 0
        while p < n:
            e = self.line_end(p)
            line = text[p:e]
            if not line.strip():
                break
            s = self.skip_space(p)
            if s < n and text[s] == ">":
                s = self.skip_space(s + 1)
            if self.marker_line(s, e, "-#"):
                break
            if lines and self.is_id_property_line(p):
                break
            lines += 1
            p = e
            if p < n:
                p = self.next_line(p)
        if lines == 0:
            return None
        # Back off to the end of the last quote line's text.
        return Node("quote", q, p)

    def html(self, q: int) -> Node | None:
        text, n = self.text, self.n
        if n - q < 10:  # ``peek_string 10``
            return None
        if text.startswith("<?", q):
            close = text.find("?>", q + 2)
            return Node("html", q, close + 2) if close >= 0 else None
        if text.startswith("<!--", q):
            close = text.find("-->", q + 4)
            return Node("html", q, close + 3) if close >= 0 else None
        if text.startswith("<![CDATA[", q):
            close = text.find("]]", q + 9)
            return Node("html", q, close + 2) if close >= 0 else None
        if text.startswith("<!", q):
            close = text.find(">", q + 2)
            return Node("html", q, close + 1) if close >= 0 else None
        r = q + 1
        while r < n and text[r] not in SPACE and text[r] != ">":
            r += 1
        tag = text[q + 1 : r]
        if not tag or tag.lower() not in _HTML_TAGS:
            return None
        open_plain = "<" + tag + ">"
        open_attrs = "<" + tag + " "
        close_tag = "</" + tag.lower() + ">"
        lower = self.lower()
        level = 1
        p = r
        while True:
            close = lower.find(close_tag, p)
            if close < 0:
                break
            chunk = text[p:close]
            level += chunk.count(open_plain) + chunk.count(open_attrs) - 1
            p = close + len(close_tag)
            if level <= 0:
                return Node("html", q, p)
        close = text.find("/>", r)
        if close >= 0:
            return Node("html", q, close + 2)
        return None

    def block(self, p: int) -> Node | None:
        """mldoc ``Block.parse``: ``between_eols`` around a begin/end block,
        a fence, a quote or raw HTML."""
        text, n = self.text, self.n
        q = self.skip_space(self.skip_eols(p))
        if q >= n:
            return None
        c = text[q]
        node: Node | None = None
        if c == "#":
            node = self.begin_block(q)
        elif c == ">":
            node = self.quote(q)
        elif c in "`~":
            node = self.fence(q)
        elif c == "<":
            node = self.html(q)
        if node is None:
            return None
        return Node(node.kind, p, self.skip_eols(node.end), name=node.name)

    def footnote(self, p: int) -> Node | None:
        """``[^name]: text`` and the lines continuing it.

        Each line needs two characters, the first not ``*``, ``#``, ``[`` or ``-``; a
        heading line ends it (found by experiment with mldoc 1.5.7).
        """
        text, n = self.text, self.n
        q = self.skip_space(self.skip_eols(p))
        m = _FOOTNOTE_RE.match(text, q)
        if m is None:
            return None
        r = m.end()
        count = 0
        while r < n:
            s = self.skip_space(r)
            e = self.line_end(s)
            if e - s < 2 or text[s] in "*#[-":
                break
            if count and self.is_heading_line(r):
                break
            count += 1
            r = self.after_eol(e)
            if r == e:
                break
        if count == 0:
            return None
        return Node("footnote", p, self.skip_eols(r))

    def directive(self, p: int) -> Node | None:
        text = self.text
        q = self.skip_space(self.skip_eols(p))
        m = _DIRECTIVE_RE.match(text, q)
        if m is None or m.group(1).startswith(("BEGIN_", "begin_")):
            return None
        e = self.line_end(m.end())
        pair = PropertyLine(m.group(1), text[m.end() : e].strip(_OCAML_TRIM), q, e)
        return Node("directive", p, self.skip_eols(e), properties=(pair,))

    # --- lists -----------------------------------------------------------------
    _ITEM_RE = re.compile(r"(?:[+*-]|[0-9]+\.)[ \t\x1a\x0c]+")

    def _item_marker(self, p: int, indent: int) -> int:
        """End of a list item marker (and checkbox) at ``p + indent``, or -1."""
        text = self.text
        q = p + indent
        m = self._ITEM_RE.match(text, q)
        if m is None:
            return -1
        r = m.end()
        low = text[r : r + 3].lower()
        if low in ("[ ]", "[x]"):
            r = self.skip_space(r + 3)
        return r

    def _indent(self, p: int) -> int:
        return self.skip_space(p) - p

    @staticmethod
    def _looks_numbered(line: str) -> bool:
        return re.match(r"[+-]?[0-9]", line.strip(_OCAML_TRIM)) is not None

    def _is_list_item_line(self, p: int) -> bool:
        e = self.line_end(p)
        line = self.text[p:e]
        if self._looks_numbered(line):
            return True
        ind = self._indent(p)
        return line[ind : ind + 2] in ("- ", "+ ", "* ")

    def list_items(self, p: int, last_indent: int) -> int:
        """mldoc ``list_parser``: items at one indentation; returns the end or -1.

        mldoc recurses into each list nested in an item; this keeps the
        enclosing lists on a stack instead, so that lists nested hundreds deep
        do not exhaust Python's stack.
        """
        n = self.n
        outer: list[tuple[int, int, int]] = []  # (last_indent, items, item start) of each
        items = 0
        while True:
            end = -1
            if p < n:
                indent = self._indent(p)
                if last_indent <= indent and not self.marker_line(
                    p + indent, self.line_end(p), "-"
                ):
                    r = self._item_marker(p, indent)
                    if r >= 0:
                        end = self.item_content(r, indent)
            if end == _NESTED:  # the item ends where the list nested in it ends
                outer.append((last_indent, items, p))
                p = self._nested_at
                last_indent, items = self._indent(p), 0
                continue
            if end >= 0:
                items += 1
                p = end
                continue
            result = p if items else -1  # this list ends here
            while True:
                if not outer:
                    return result
                last_indent, items, p = outer.pop()  # back in the item holding the list
                if result >= 0:
                    items += 1
                    p = result
                    break
                result = p if items else -1  # a failed nested list fails its item

    def item_content(self, r: int, indent: int) -> int:
        """mldoc ``content_parser`` for one item's text: the end, -1 if the item
        fails, or ``_NESTED`` when a nested list (at ``self._nested_at``) ends it."""
        text, n = self.text, self.n
        p = r
        while True:
            e = self.line_end(p)
            if e == p:
                return -1  # ``take_till1``: an item needs text
            p = self.past_line_ending(e)
            if p == e:
                return p  # the end of the text
            if p < n and text[p] in EOL:
                # An empty line ends the item (and, unless an item follows, the list).
                return self.past_line_ending(p)
            if p >= n:
                return p
            c = text[p]
            if c not in SPACE:
                return p
            if self.marker_line(self.skip_space(p), self.line_end(p), "-"):
                return p
            if self._is_list_item_line(p):
                ind2 = self._indent(p)
                if ind2 <= indent:
                    return p
                self._nested_at = p
                return _NESTED
            # Any other indented line (even a whitespace-only one) continues the item.

    def lists(self, p: int) -> Node | None:
        q = self.skip_eols(p)
        end = self.list_items(q, 0)
        if end < 0:
            return None
        return Node("list", p, end)

    # --- the loop ----------------------------------------------------------------
    def front_matter(self) -> Node | None:
        """Jekyll-style front matter: ``---``, a line ending, up to the next ``---``."""
        text = self.text
        if not text.startswith("---"):
            return None
        p = self.after_eol(3)
        if p == 3:
            return None
        close = text.find("---", p)
        if close < 0:
            return None
        inner = text[p:close]
        props: list[PropertyLine] = []
        q = 0
        for m in _FRONT_MATTER_LINE_RE.finditer(inner):
            if m.start() != q:
                break
            props.append(
                PropertyLine(m.group(1), m.group(2).strip(_OCAML_TRIM), p + m.start(), p + m.end())
            )
            q = m.end()
        return Node("front_matter", 0, close + 3, properties=tuple(props))

    def scan(self) -> list[Node]:
        nodes: list[Node] = []
        p = 0
        n = self.n
        fm = self.front_matter()
        if fm is not None:
            nodes.append(fm)
            p = fm.end
        parsers: tuple[Callable[[int], Node | None], ...] = (
            self.directive,
            self.heading,
            self.sep,
            self.table,
            self.latex_env,
            self.drawer,
            self.lists,
            self.block,
            self.hr,
            self.footnote,
            self.paragraph,
        )
        while p < n:
            for parse in parsers:
                node = parse(p)
                if node is not None and node.end > p:
                    nodes.append(node)
                    p = node.end
                    break
            else:  # pragma: no cover - paragraph always advances
                p += 1
        return nodes

    def sep(self, p: int) -> Node | None:
        e = self.skip_eols(p)
        return Node("blank", p, e) if e > p else None

    def paragraph(self, p: int) -> Node | None:
        e = self.line_end(p)
        return Node("paragraph", p, e) if e > p else None


def scan(text: str) -> list[Node]:
    """The top-level nodes of ``text`` as mldoc would parse them (Markdown)."""
    return _Scanner(text).scan()


def starts_construct(text: str, p: int) -> bool:
    """Whether a block's text starting at ``p`` opens a construct (a quote, a
    fence, a list, a property group...) rather than a line of plain text."""
    scanner = _Scanner(text)
    return scanner.title_is_construct(p) or scanner.lists(p) is not None
