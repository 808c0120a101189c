"""Logseq page files -> :class:`Page`: blocks, properties, references, diagnostics.

The steps follow Logseq's graph parser (``logseq.graph-parser.block``):

1. mldoc's top level (:mod:`notegen.parse.outline`) gives the headings (one
   per block) and the property groups;
2. each block's text runs from its heading to the next heading; the text
   before the first heading is the page's pre-block;
3. a block's properties are its *first* property group;
4. the tree comes from the heading levels, as ``with-parent-and-left`` does it:
   a block indented any amount deeper than the one before is its child, and
   one outdented to a level that is not open becomes a sibling of the
   shallowest open block deeper than it.

The parse is lossless: ``page.serialize()`` gives back the file's bytes.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from notegen.diagnostics import Code, Diagnostic, SourceSpan
from notegen.parse.inline import UnclosedLink, find_refs, property_refs
from notegen.parse.outline import MARKERS, SPACE, Node, PropertyLine, scan
from notegen.parse.types import Block, BlockKind, Page, Property, Ref

_BOM = "\ufeff"
_KEY_DROP_RE = re.compile(r"[\"|^(){}]+")
_NO_KEY_RE = re.compile(r"[ \t]*::(?:[ \t]|$)")
_MAX_ENCODING_DIAGNOSTICS = 20


def normalize_key(key: str) -> str:
    """A property key as Logseq stores it.

    Lower-cased, spaces and ``_`` turned into ``-``, the characters
    ``" | ^ ( ) { }`` dropped, and ``custom-id`` read as ``id``
    (``logseq.graph-parser.block/extract-properties``).
    """
    k = key.strip().lower().replace(" ", "-").replace("_", "-")
    k = _KEY_DROP_RE.sub("", k)
    return "id" if k == "custom-id" else k


_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")


@dataclass(slots=True)
class _Lines:
    """Line numbers of offsets in a text (1-based; ``\r\n``, ``\n`` and a lone
    ``\r`` each end a line)."""

    starts: list[int]

    @classmethod
    def of(cls, text: str) -> _Lines:
        return cls([0, *(m.end() for m in _LINE_BREAK_RE.finditer(text))])

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


@dataclass(slots=True)
class _Ctx:
    path: str
    text: str
    lines: _Lines
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unread: list[tuple[int, int]] = field(default_factory=list)
    """Offsets of text Logseq reads no references from (code, math, drawers...)."""
    quoted: list[tuple[int, int]] = field(default_factory=list)
    """Offsets of quotes: ``#+key: value`` lines in them are directives, not tags."""
    quote_nodes: list[tuple[int, int]] = field(default_factory=list)
    """Offsets of ``>`` quotes (none inside another), in order: mldoc removes
    their markers before reading the text."""
    node_starts: list[int] = field(default_factory=list)
    """Start offsets of the top-level nodes."""
    breaks: list[int] = field(default_factory=list)
    """Offsets inside quotes and lists where a stretch of inline text starts."""
    node_groups: list[int] = field(default_factory=list)
    """For each top-level node, the stretch of text mldoc parses it with:
    consecutive paragraph lines (and blank lines) form one stretch."""

    def warn(self, code: Code, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(SourceSpan(self.path, line, line), code, message))


# --- entry points -------------------------------------------------------------


def read_page(path: Path, display_path: str | None = None) -> Page:
    """Read and parse one page file.

    Never raises for a bad file: a file that cannot be read gives a page with
    no blocks and an ``unreadable`` error diagnostic; bytes that are not UTF-8
    give a ``not-utf8`` error diagnostic and a page parsed from the rest (the
    bad bytes are kept, so the page still serialises to the file's bytes).
    Callers check ``page.diagnostics`` (see :func:`notegen.diagnostics.has_errors`).

    Args:
        path: The file to read.
        display_path: How diagnostics name the file (default: ``str(path)``).

    Returns:
        The parsed page.
    """
    shown = display_path if display_path is not None else str(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        reason = e.strerror or type(e).__name__
        return Page(
            path=shown,
            properties={},
            property_list=(),
            blocks=(),
            diagnostics=(
                Diagnostic(
                    SourceSpan(shown, 1, 1),
                    Code.UNREADABLE,
                    f"cannot read this file ({reason}); check that it exists and is readable",
                ),
            ),
        )
    return parse_page(data, shown)


def parse_page(data: bytes | str, path: str) -> Page:
    """Parse the text of one Logseq Markdown page.

    Args:
        data: The file's bytes (decoded as UTF-8; a byte-order mark is noted
            and kept) or its text.
        path: The file's path as diagnostics and blocks should name it.

    Returns:
        The page: properties, block tree, the text before the first block
        that belongs to no block, and the diagnostics found.
    """
    diagnostics: list[Diagnostic] = []
    if isinstance(data, bytes):
        bom = data.startswith(b"\xef\xbb\xbf")
        raw = data[3:] if bom else data
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="surrogateescape")
            diagnostics.extend(_encoding_diagnostics(path, text))
    else:
        bom = data.startswith(_BOM)
        text = data[1:] if bom else data
    ctx = _Ctx(path, text, _Lines.of(text), diagnostics)
    try:
        return _build(ctx, bom)
    except RecursionError:  # pragma: no cover - the parser recurses nowhere deep
        # The parser never raises: the page keeps its bytes and says why it has no blocks.
        unreadable = Diagnostic(
            SourceSpan(path, 1, 1),
            Code.UNREADABLE,
            "cannot parse this file: it nests too deeply for notegen; split it into pages",
        )
        return Page(
            path=path,
            properties={},
            property_list=(),
            blocks=(),
            front=text,
            bom=bom,
            diagnostics=(*diagnostics, unreadable),
        )


def _encoding_diagnostics(path: str, text: str) -> list[Diagnostic]:
    bad_lines: list[int] = []
    for number, line in enumerate(_LINE_BREAK_RE.split(text), start=1):
        if _ESCAPED_BYTE_RE.search(line):
            bad_lines.append(number)
    shown = bad_lines[:_MAX_ENCODING_DIAGNOSTICS]
    out = [
        Diagnostic(
            SourceSpan(path, line, line),
            Code.NOT_UTF8,
            "bytes that are not UTF-8 on this line (shown as \ufffd); save the file as UTF-8",
        )
        for line in shown
    ]
    if len(bad_lines) > len(shown):
        last = shown[-1]
        out.append(
            Diagnostic(
                SourceSpan(path, last, last),
                Code.NOT_UTF8,
                f"{len(bad_lines) - len(shown)} more lines hold bytes that are not UTF-8; "
                "save the file as UTF-8",
            )
        )
    return out


_ESCAPED_BYTE_RE = re.compile("[\udc80-\udcff]")


def _clean(s: str) -> str:
    """Text for consumers: bytes that were not UTF-8 become U+FFFD."""
    return _ESCAPED_BYTE_RE.sub("\ufffd", s) if _ESCAPED_BYTE_RE.search(s) else s


# --- building the page ------------------------------------------------------------


@dataclass(slots=True)
class _Proto:
    """A block before the tree is built."""

    kind: BlockKind
    start: int
    end: int
    tree_level: int
    indent: int
    content: str = ""
    properties: dict[str, str] = field(default_factory=dict)
    property_list: tuple[Property, ...] = ()
    refs: tuple[Ref, ...] = ()
    content_lines: tuple[int, ...] = ()
    real: bool = True
    """False for a pre-block that holds only page properties: it shapes the
    tree as Logseq's pre-block does, then its children move to the top."""


def _build(ctx: _Ctx, bom: bool) -> Page:
    text = ctx.text
    if not text.strip():
        ctx.warn(
            Code.EMPTY_FILE,
            1,
            "empty page file: Logseq shows no blocks for it; write a block (- text) "
            "or delete the file",
        )
        return Page(
            path=ctx.path,
            properties={},
            property_list=(),
            blocks=(),
            front=text,
            bom=bom,
            diagnostics=tuple(ctx.diagnostics),
        )
    nodes = scan(text)
    headings = [i for i, node in enumerate(nodes) if node.kind == "heading"]
    _check_nodes(ctx, nodes)
    inside = _inside(text, nodes)
    ctx.unread, ctx.breaks = inside.unread, inside.breaks
    ctx.node_starts = [n.start for n in nodes]
    group = 0
    for i, n in enumerate(nodes):
        if not (
            n.kind in ("paragraph", "blank") and i and nodes[i - 1].kind in ("paragraph", "blank")
        ):
            group += 1
        ctx.node_groups.append(group)
    ctx.quote_nodes = sorted([(n.start, n.end) for n in nodes if n.kind == "quote"] + inside.quotes)
    ctx.quoted = [
        (n.start, n.end)
        for n in nodes
        if n.kind == "quote" or (n.kind == "begin_block" and n.name.lower() not in _UNREAD_BLOCKS)
    ]

    # Page properties: Logseq gathers front matter and ``#+key: value``
    # directives (mldoc/collect-page-properties); without them, a property
    # group that starts the file.
    page_props: list[Property] = []
    page_group: Node | None = None
    if nodes[0].kind == "front_matter":
        page_props = _front_matter_properties(ctx, nodes[0])
        page_group = nodes[0]
    directives = [n for n in nodes if n.kind == "directive"]
    if directives:
        page_props += _properties(ctx, [n.properties[0] for n in directives])
        page_group = page_group or directives[0]
    elif page_group is None and nodes[0].kind == "properties" and nodes[0].start == 0:
        page_props = _properties(ctx, nodes[0].properties)
        page_group = nodes[0]

    protos: list[_Proto] = []
    front = ""
    pre_end = nodes[headings[0]].start if headings else len(text)
    if pre_end > 0:
        pre_nodes = nodes[: headings[0]] if headings else nodes
        pre = _pre_block(ctx, pre_nodes, pre_end, page_props, page_group)
        if not pre.real:
            front = text[:pre_end]
        protos.append(pre)
    for k, index in enumerate(headings):
        last = headings[k + 1] if k + 1 < len(headings) else len(nodes)
        end = nodes[last].start if last < len(nodes) else len(text)
        protos.append(_heading_block(ctx, nodes[index], end, nodes[index + 1 : last]))

    blocks = _tree(ctx, protos)
    # A pre-block that is a block holds the page properties and has warned about them.
    warned = bool(protos) and protos[0].kind == "preamble" and protos[0].real
    page_refs = _property_refs(ctx, page_props, warn=not warned)
    return Page(
        path=ctx.path,
        properties=_as_map(page_props),
        property_list=tuple(page_props),
        blocks=blocks,
        front=front,
        bom=bom,
        diagnostics=tuple(ctx.diagnostics),
        refs=tuple(Ref(r.kind, _clean(r.target), r.line) for r in page_refs),
    )


# Constructs whose text Logseq does not read references from.
_UNREAD_KINDS = frozenset(
    {"fence", "latex_env", "math", "html", "drawer", "properties", "front_matter", "directive"}
)
_UNREAD_BLOCKS = frozenset({"src", "example", "export", "comment"})


_NESTED_UNREAD_KINDS = frozenset({"fence", "latex_env", "math", "html"})
_QUOTE_PREFIX_RE = re.compile(r"^([ \t]*>)", re.MULTILINE)
_ITEM_PREFIX_RE = re.compile(r"^([ \t]*(?:[*+-]|[0-9]+\.)[ \t]+(?:\[[ xX]\][ \t]*)?)", re.MULTILINE)


@dataclass(slots=True)
class _Inside:
    """What the text of quotes and list items holds (see :func:`_inside`)."""

    unread: list[tuple[int, int]] = field(default_factory=list)
    """Offsets of text that is code, math, raw HTML, drawers or properties."""
    quotes: list[tuple[int, int]] = field(default_factory=list)
    """Offsets of the quotes inside quotes and list items."""
    breaks: list[int] = field(default_factory=list)
    """Offsets inside quotes and lists where a new stretch of inline text starts
    (an item, a rule, a fence...), in order."""


def _inside(text: str, nodes: Sequence[Node]) -> _Inside:
    """Code, math, quotes and the like, at the top level and inside quotes and
    list items.

    mldoc parses the inside of quotes and list items again, each item on its
    own, so code or math there hides references too, and a rule or a fence
    ends a paragraph. To find them, the inside is scanned again with the
    ``>`` of quote lines and the item markers blanked (offsets stay the same).
    """
    found = _Inside()
    out, quotes, breaks = found.unread, found.quotes, found.breaks
    for n in nodes:
        if n.kind in _UNREAD_KINDS or (
            n.kind == "begin_block" and n.name.lower() in _UNREAD_BLOCKS
        ):
            out.append((n.start, n.end))
        elif n.kind == "begin_block":
            # A quote or custom block: its text is read, its #+BEGIN/#+END lines are not.
            first_end = text.find("\n", n.start, n.end)
            out.append((n.start, first_end if first_end >= 0 else n.end))
            body_end = n.end
            while body_end > n.start and text[body_end - 1] in "\r\n":
                body_end -= 1
            last_start = text.rfind("\n", n.start, body_end) + 1
            out.append((max(last_start, n.start), body_end))
        elif n.kind in ("quote", "list"):
            prefix = _QUOTE_PREFIX_RE if n.kind == "quote" else _ITEM_PREFIX_RE
            if n.kind == "list":
                breaks.extend(m.start() for m in prefix.finditer(text, n.start, n.end))
            inner = prefix.sub(lambda m: " " * len(m.group(1)), text[n.start : n.end])
            last = "blank"
            for sub in scan(inner):
                if sub.kind in _NESTED_UNREAD_KINDS or (
                    sub.kind == "begin_block" and sub.name.lower() in _UNREAD_BLOCKS
                ):
                    out.append((n.start + sub.start, n.start + sub.end))
                elif sub.kind == "quote":
                    quotes.append((n.start + sub.start, n.start + sub.end))
                text_kinds = ("paragraph", "blank")
                if not (sub.kind in text_kinds and last in text_kinds):
                    breaks.append(n.start + sub.start)
                last = sub.kind
    breaks.sort()
    return found


def _as_map(props: Sequence[Property]) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in props:
        out[p.key] = p.value  # the last duplicate wins
    return out


def _properties(ctx: _Ctx, lines: Sequence[PropertyLine]) -> list[Property]:
    out: list[Property] = []
    for pl in lines:
        line = ctx.lines.line(pl.start)
        if "`" in pl.key:
            ctx.warn(
                Code.BAD_PROPERTY_KEY,
                line,
                f"property key {pl.key!r} holds a backtick, so Logseq ignores this property; "
                "rename the key",
            )
            continue
        key = normalize_key(pl.key)
        if not key:
            ctx.warn(
                Code.BAD_PROPERTY_KEY,
                line,
                f"property key {pl.key!r} is empty once normalised; rename the key",
            )
            continue
        out.append(Property(key, _clean(pl.value), line))
    return out


def _front_matter_properties(ctx: _Ctx, node: Node) -> list[Property]:
    """Page properties from YAML front matter.

    A value is its source text (trimmed), as Logseq reads it; a YAML list
    becomes its items joined with ``", "`` (the comma form Logseq uses for
    ``tags::``). Front matter that is not a YAML mapping gets a warning, and
    then only its ``key: value`` lines are read, as Logseq reads them.
    """
    text = ctx.text
    body_start = text.index("\n") + 1
    body_end = node.end - 3
    body = text[body_start:body_end]
    first_line = ctx.lines.line(body_start)
    try:
        root = yaml.compose(body, Loader=yaml.SafeLoader)
    except RecursionError:
        ctx.warn(
            Code.BAD_FRONT_MATTER,
            first_line,
            "front matter nests lists or mappings too deeply to read; Logseq reads only "
            "its 'key: value' lines; flatten it or use 'key:: value' lines",
        )
        return _properties(ctx, node.properties)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = first_line + (mark.line if mark is not None else 0)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        ctx.warn(
            Code.BAD_FRONT_MATTER,
            line,
            f"front matter is not valid YAML ({problem}); Logseq reads only its "
            "'key: value' lines; fix the YAML or use 'key:: value' lines",
        )
        return _properties(ctx, node.properties)
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        ctx.warn(
            Code.BAD_FRONT_MATTER,
            first_line,
            "front matter is not a YAML mapping of 'key: value' lines; "
            "write one 'key: value' per line",
        )
        return _properties(ctx, node.properties)
    out: list[Property] = []
    for key_node, value_node in root.value:
        line = first_line + key_node.start_mark.line
        key = normalize_key(str(key_node.value))
        if not key:
            continue
        if isinstance(value_node, yaml.SequenceNode):
            items = [
                str(item.value).strip()
                for item in value_node.value
                if isinstance(item, yaml.ScalarNode) and str(item.value).strip()
            ]
            value = ", ".join(items)
        elif isinstance(value_node, yaml.ScalarNode) and value_node.value == "":
            value = ""
        else:
            value = body[value_node.start_mark.index : value_node.end_mark.index].strip()
        out.append(Property(key, _clean(value), line))
    return out


def _check_nodes(ctx: _Ctx, nodes: Sequence[Node]) -> None:
    """Warnings found on the top-level nodes: unclosed fences, mixed indentation."""
    text = ctx.text
    for node in nodes:
        if node.kind == "heading":
            indent = text[node.start : node.start + node.level - 1] if node.unordered else ""
            if " " in indent and "\t" in indent:
                ctx.warn(
                    Code.MIXED_INDENT,
                    ctx.lines.line(node.start),
                    "indentation mixes tabs and spaces; Logseq counts each one as a level "
                    f"(this block is at level {node.level}); indent with tabs only or "
                    "spaces only",
                )
            if node.end <= node.content_start:
                continue  # the title is a construct (e.g. a closed fence): checked as such
            start = node.content_start
        elif node.kind == "paragraph":
            start = node.start
            while start < len(text) and text[start] in SPACE:
                start += 1
        else:
            continue
        if text.startswith(("```", "~~~"), start):
            fence = text[start : start + 3]
            line_end = text.find("\n", start)
            if fence in text[start + 3 : line_end if line_end >= 0 else len(text)]:
                continue  # ```inline code``` on one line, not a fence
            ctx.warn(
                Code.UNCLOSED_FENCE,
                ctx.lines.line(start),
                f"code fence {fence} is never closed, so Logseq shows it as text and reads "
                f"the lines after it as blocks; add a closing {fence} line",
            )


def _group_lines(ctx: _Ctx, node: Node) -> set[int]:
    """The file lines a property group (or front matter) occupies."""
    if node.kind == "properties" and not node.org_drawer and node.properties:
        first = ctx.lines.line(node.properties[0].start)
        last = ctx.lines.line(node.properties[-1].start)
    else:
        first = ctx.lines.line(_first_char(ctx, node))
        last = ctx.lines.line(_last_char(ctx, node))
    return set(range(first, last + 1))


def _first_char(ctx: _Ctx, node: Node) -> int:
    """Offset of the first character of a node that is not a line ending."""
    start = node.start
    while start < node.end - 1 and ctx.text[start] in "\r\n":
        start += 1
    return start


def _last_char(ctx: _Ctx, node: Node) -> int:
    """Offset of the last character of a node that is not a line ending."""
    end = node.end
    while end > node.start + 1 and ctx.text[end - 1] in "\r\n":
        end -= 1
    return max(node.start, end - 1)


def _pre_block(
    ctx: _Ctx,
    nodes: Sequence[Node],
    end: int,
    page_props: list[Property],
    page_group: Node | None,
) -> _Proto:
    """The text before the first block: a block of its own when it holds more
    than page properties.

    Like Logseq's pre-block, its properties are the page properties when the
    page has front matter or directives, else its first property group.
    """
    groups = [n for n in nodes if n.kind == "properties"]
    props: list[Property]
    if page_group is not None and page_group.kind in ("front_matter", "directive"):
        props = page_props
    elif groups:
        props = page_props if groups[0] is page_group else _properties(ctx, groups[0].properties)
    else:
        props = []
    skip: set[int] = set()
    for node in nodes:
        if node.kind in ("properties", "front_matter", "directive"):
            skip |= _group_lines(ctx, node)
    lines = _trim_blank([ln for ln in _source_lines(ctx, 0, end) if ln.no not in skip])
    # Properties that are not the page's make a block too (Logseq keeps them
    # on its pre-block), so that nothing the user wrote goes unread.
    stray = bool(groups) and groups[0] is not page_group and page_group is None
    if stray and not lines:
        ctx.warn(
            Code.PAGE_PROPERTIES_NOT_FIRST,
            ctx.lines.line(_first_char(ctx, groups[0])),
            "these properties are not page properties for Logseq, because they do not "
            "start the file; remove the lines before them",
        )
    if page_group is not None and page_group.kind in ("front_matter", "directive"):
        _warn_ignored_groups(ctx, [page_group, *groups])
    else:
        _warn_ignored_groups(ctx, groups)
    proto = _Proto("preamble", 0, end, 1, 0, real=bool(lines) or stray)
    if proto.real:
        _finish(ctx, proto, lines, props)
    return proto


def _warn_ignored_groups(ctx: _Ctx, groups: Sequence[Node]) -> None:
    for group in groups[1:]:
        ctx.warn(
            Code.IGNORED_PROPERTIES,
            ctx.lines.line(_first_char(ctx, group)),
            "Logseq reads only a block's first group of properties and ignores these "
            "(it does not show them either); move them into the first group",
        )


def _heading_block(ctx: _Ctx, node: Node, end: int, following: Sequence[Node]) -> _Proto:
    """One block: a ``- x`` bullet or a bare ``# x`` heading, up to ``end``."""
    text = ctx.text
    if node.unordered:
        kind: BlockKind = "bullet"
        indent = node.level - 1
        tree_level = node.level
        # Logseq removes (level + 1) characters of indentation from the lines
        # after the first (``remove-indentation-spaces``), or trims them.
        strip = indent + 2
    else:
        kind = "heading"
        q = node.start
        while q < len(text) and text[q] in SPACE:
            q += 1
        indent = q - node.start
        tree_level = 1  # Logseq puts a bare '# x' heading at level 1
        strip = 2
    groups = [n for n in following if n.kind == "properties"]
    props = _properties(ctx, groups[0].properties) if groups else []
    _warn_ignored_groups(ctx, groups)
    skip: set[int] = set()
    for n in following:
        if n.kind in ("properties", "directive"):
            skip |= _group_lines(ctx, n)
    lines: list[_Line] = []
    title_line = 0
    for index, ln in enumerate(_source_lines(ctx, node.start, end)):
        if index == 0:
            ln = ln.lstrip()
            if node.unordered:
                # The '-' and the white space after it, as Logseq takes them
                # off (``remove-level-spaces``): '-  > x' is the quote '> x'.
                ln = ln.drop(1).lstrip()
            title_line = ln.no
        else:
            ln = ln.drop(strip) if not ln.text[:strip].strip() else ln.lstrip()
        if ln.no not in skip:
            lines.append(ln)
    proto = _Proto(kind, node.start, end, tree_level, indent)
    _finish(ctx, proto, _trim_blank(lines), props, title_line=title_line)
    return proto


_MARKER_PRIORITY_RE = re.compile(
    "(?:(?:" + "|".join(map(re.escape, MARKERS)) + ")(?= |$))?(?:[ \t]*\\[#.\\])?"
)


def _without_marker(line: str) -> str:
    """A heading's first line with its marker and priority (``TODO [#A]``) blanked,
    as mldoc parses them off the title, so ``[#A]`` is no tag."""
    m = _MARKER_PRIORITY_RE.match(line)
    return " " * m.end() + line[m.end() :] if m and m.end() else line


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of a block's text: its file line, its text, and where that text starts."""

    no: int
    text: str
    src: int
    """Offset in the page's text of ``text[0]``."""

    def drop(self, count: int) -> _Line:
        return _Line(self.no, self.text[count:], self.src + min(count, len(self.text)))

    def lstrip(self) -> _Line:
        rest = self.text.lstrip()
        return _Line(self.no, rest, self.src + len(self.text) - len(rest))


def _source_lines(ctx: _Ctx, start: int, end: int) -> list[_Line]:
    """The lines of ``text[start:end]`` with their file line numbers, line endings removed."""
    text = ctx.text
    first = ctx.lines.line(start)
    out: list[_Line] = []
    offset = start
    for m in _LINE_BREAK_RE.finditer(text, start, end):
        out.append(_Line(first + len(out), text[offset : m.start()], offset))
        offset = m.end()
    if offset < end:
        out.append(_Line(first + len(out), text[offset:end], offset))
    return out


def _trim_blank(lines: list[_Line]) -> list[_Line]:
    lo, hi = 0, len(lines)
    while lo < hi and not lines[lo].text.strip():
        lo += 1
    while hi > lo and not lines[hi - 1].text.strip():
        hi -= 1
    return lines[lo:hi]


_DIRECTIVE_LINE_RE = re.compile(r"[ \t]*(?:>[ \t]*)?#\+(?!begin_)[^:\r\n]+:", re.IGNORECASE)


def _masked(ctx: _Ctx, line: _Line) -> str:
    """The line with text Logseq reads no references from blanked out."""
    text = line.text
    lo, hi = line.src, line.src + len(text)
    if _DIRECTIVE_LINE_RE.match(text) and any(a <= lo < b for a, b in ctx.quoted):
        return " " * len(text)  # mldoc reads it as a directive inside the quote
    marker = _QUOTE_PREFIX_RE.match(text)
    at = bisect.bisect_right(ctx.quote_nodes, (lo, len(ctx.text) + 1)) - 1
    if marker and at >= 0 and ctx.quote_nodes[at][1] > lo:
        # The quote's text starts after its '>' (so '>((uuid))' refers to a block).
        text = " " * marker.end() + text[marker.end() :]
    chars: list[str] | None = None
    for a, b in ctx.unread:
        if b <= lo or a >= hi:
            continue
        if chars is None:
            chars = list(text)
        for i in range(max(a, lo) - lo, min(b, hi) - lo):
            chars[i] = " "
    return text if chars is None else "".join(chars)


def _stretches(
    ctx: _Ctx, lines: Sequence[_Line], read: Sequence[tuple[int, str]]
) -> list[list[tuple[int, str]]]:
    """The lines split into the stretches mldoc parses inline one at a time."""
    out: list[list[tuple[int, str]]] = []
    last = None
    for ln, pair in zip(lines, read, strict=True):
        group = (
            ctx.node_groups[bisect.bisect_right(ctx.node_starts, ln.src) - 1],
            bisect.bisect_right(ctx.breaks, ln.src),  # inside quotes and list items
        )
        if group != last or not out:
            out.append([])
            last = group
        out[-1].append(pair)
    return out


def _finish(
    ctx: _Ctx,
    proto: _Proto,
    lines: list[_Line],
    props: list[Property],
    title_line: int = 0,
) -> None:
    """Content, properties, references and per-block warnings of one block."""
    read = [(ln.no, _masked(ctx, ln)) for ln in lines]
    for no, line in read:
        if _NO_KEY_RE.match(line):
            ctx.warn(
                Code.PROPERTY_NO_KEY,
                no,
                f"property line without a key: {line.strip()!r}; Logseq shows it as text; "
                "write 'key:: value'",
            )
    if read and read[0][0] == title_line:
        read[0] = (title_line, _without_marker(read[0][1]))
    refs: list[Ref] = []
    unclosed: list[UnclosedLink] = []
    for stretch in _stretches(ctx, lines, read):
        found, open_links = find_refs(stretch)
        refs.extend(found)
        unclosed.extend(open_links)
    _warn_unclosed(ctx, unclosed)
    refs.extend(_property_refs(ctx, props))
    refs.sort(key=lambda r: r.line)  # file order (the sort is stable within a line)
    proto.content = _clean("\n".join(ln.text for ln in lines))
    proto.content_lines = tuple(ln.no for ln in lines)
    proto.property_list = tuple(props)
    proto.properties = _as_map(props)
    proto.refs = tuple(Ref(r.kind, _clean(r.target), r.line) for r in refs)


def _warn_unclosed(ctx: _Ctx, unclosed: Sequence[UnclosedLink]) -> None:
    for u in unclosed:
        ctx.warn(
            Code.UNCLOSED_LINK,
            u.line,
            "unclosed [[: Logseq shows it as text, not as a link; close it with ]]",
        )


def _property_refs(ctx: _Ctx, props: Sequence[Property], *, warn: bool = True) -> list[Ref]:
    """The references in property values, with a warning for each unclosed ``[[``
    (which, in a ``tags::`` or ``alias::`` value, names no page either)."""
    refs: list[Ref] = []
    for p in props:
        found, unclosed = property_refs(p.key, p.value, p.line)
        refs.extend(found)
        if warn:
            _warn_unclosed(ctx, unclosed)
    return refs


# --- the tree ---------------------------------------------------------------------

_PAGE = -1


def _parents(levels: Sequence[int]) -> list[int]:
    """Parent index of each block (``-1``: the page), as Logseq's
    ``with-parent-and-left`` assigns them from heading levels."""
    parents = [_PAGE] * len(levels)
    # The open blocks: (index, level, parent index), levels strictly increasing.
    stack: list[tuple[int, int, int]] = [(_PAGE, 0, _PAGE)]
    i = 0
    while i < len(levels):
        level = levels[i]
        top, top_level, top_parent = stack[-1]
        if level == top_level:  # sibling
            parents[i] = top_parent
            stack[-1] = (i, level, top_parent)
            i += 1
        elif level > top_level:  # child, however much deeper
            parents[i] = top
            stack.append((i, level, top))
            i += 1
        elif any(entry[1] == level for entry in stack):  # outdent to an open level
            stack = [entry for entry in stack if entry[1] <= level]
        else:  # outdent to a level that is not open: sibling of the next deeper one
            cut = 0
            while cut < len(stack) and stack[cut][1] <= level:
                cut += 1
            left = stack[cut]
            parent = stack[cut - 1][0]
            parents[i] = parent
            stack = [*stack[:cut], (i, left[1], parent)]
            i += 1
    return parents


def _tree(ctx: _Ctx, protos: list[_Proto]) -> tuple[Block, ...]:
    parents = _parents([p.tree_level for p in protos])
    # A pre-block that is not a block of its own hands its children to the page.
    for i, proto in enumerate(protos):
        if not proto.real:
            parents = [(_PAGE if parent == i else parent) for parent in parents]
    children: dict[int, list[int]] = {}
    for i, parent in enumerate(parents):
        if protos[i].real:
            children.setdefault(parent, []).append(i)

    # Children before parents (a child comes after its parent in file order),
    # without recursion: a page may nest hundreds of levels deep.
    made: dict[int, Block] = {}
    for i in reversed(range(len(protos))):
        proto = protos[i]
        if not proto.real:
            continue
        raw = ctx.text[proto.start : proto.end]
        first = ctx.lines.line(proto.start)
        last = ctx.lines.line(proto.end - 1) if proto.end > proto.start else first
        made[i] = Block(
            content=proto.content,
            properties=proto.properties,
            property_list=proto.property_list,
            children=tuple(made[k] for k in children.get(i, ())),
            span=SourceSpan(ctx.path, first, max(first, last)),
            raw=raw,
            level=proto.indent,
            refs=proto.refs,
            kind=proto.kind,
            content_lines=proto.content_lines,
        )
    return tuple(made[i] for i in children.get(_PAGE, ()))
