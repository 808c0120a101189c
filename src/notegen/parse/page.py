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
from notegen.parse.inline import code_lines, find_refs, property_refs
from notegen.parse.outline import SPACE, Node, PropertyLine, scan
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


@dataclass(slots=True)
class _Lines:
    """Line numbers of offsets in a text (1-based; lines end at ``\\n``)."""

    starts: list[int]

    @classmethod
    def of(cls, text: str) -> _Lines:
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        return cls(starts)

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def start(self, line: int) -> int:
        return self.starts[line - 1]


@dataclass(slots=True)
class _Ctx:
    path: str
    text: str
    lines: _Lines
    diagnostics: list[Diagnostic] = field(default_factory=list)

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
    return _build(ctx, bom)


def _encoding_diagnostics(path: str, text: str) -> list[Diagnostic]:
    bad_lines: list[int] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if any("\udc80" <= ch <= "\udcff" for ch in line):
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


def _clean(s: str) -> str:
    """Text for consumers: bytes that were not UTF-8 become U+FFFD."""
    if any("\udc80" <= ch <= "\udcff" for ch in s):
        return re.sub("[\udc80-\udcff]", "\ufffd", s)
    return s


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

    page_props: list[Property] = []
    first = nodes[0]
    if first.kind == "front_matter":
        page_props = _front_matter_properties(ctx, first)
    elif first.kind == "properties" and first.start == 0:
        page_props = _properties(ctx, first.properties)

    protos: list[_Proto] = []
    front = ""
    pre_end = nodes[headings[0]].start if headings else len(text)
    if pre_end > 0:
        pre_nodes = nodes[: headings[0]] if headings else nodes
        pre = _pre_block(ctx, pre_nodes, pre_end, page_props)
        if pre.real:
            protos.append(pre)
        else:
            front = text[:pre_end]
            protos.append(pre)
    for k, index in enumerate(headings):
        end = nodes[headings[k + 1]].start if k + 1 < len(headings) else len(text)
        following = nodes[index + 1 : headings[k + 1] if k + 1 < len(headings) else len(nodes)]
        protos.append(_heading_block(ctx, nodes[index], end, following))

    blocks = _tree(ctx, protos)
    page_map = _as_map(page_props)
    return Page(
        path=ctx.path,
        properties=page_map,
        property_list=tuple(page_props),
        blocks=blocks,
        front=front,
        bom=bom,
        diagnostics=tuple(ctx.diagnostics),
    )


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


def _pre_block(ctx: _Ctx, nodes: Sequence[Node], end: int, page_props: list[Property]) -> _Proto:
    """The text before the first block: a block of its own when it holds more
    than its properties.

    Like Logseq's pre-block, its properties are its first property group, or
    the front matter, which wins over any group.
    """
    group: Node | None
    if nodes and nodes[0].kind == "front_matter":
        group = nodes[0]
    else:
        group = next((n for n in nodes if n.kind == "properties"), None)
    if group is None:
        props: list[Property] = []
        skip: set[int] = set()
    else:
        props = page_props if group is nodes[0] else _properties(ctx, group.properties)
        skip = _group_lines(ctx, group)
    kept = [(no, line) for no, line in _source_lines(ctx, 0, end) if no not in skip]
    content_lines = _trim_blank(kept)
    proto = _Proto("preamble", 0, end, 1, 0, real=bool(content_lines))
    if proto.real:
        _finish(ctx, proto, content_lines, props)
    return proto


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
    group = next((n for n in following if n.kind == "properties"), None)
    props = _properties(ctx, group.properties) if group is not None else []
    skip = _group_lines(ctx, group) if group is not None else set()
    lines: list[tuple[int, str]] = []
    for index, (no, line) in enumerate(_source_lines(ctx, node.start, end)):
        if index == 0:
            line = line.lstrip()
            if node.unordered:
                line = line[1:]  # the '-'
                if line[:1] in (" ", "\t"):
                    line = line[1:]
        else:
            head = line[:strip]
            line = line[strip:] if not head.strip() else line.lstrip()
        if no not in skip:
            lines.append((no, line))
    proto = _Proto(kind, node.start, end, tree_level, indent)
    _finish(ctx, proto, _trim_blank(lines), props)
    return proto


def _source_lines(ctx: _Ctx, start: int, end: int) -> list[tuple[int, str]]:
    """The lines of ``text[start:end]`` with their file line numbers, line endings removed."""
    chunk = ctx.text[start:end]
    first = ctx.lines.line(start)
    parts = chunk.split("\n")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts.pop()
    return [(first + i, part[:-1] if part.endswith("\r") else part) for i, part in enumerate(parts)]


def _trim_blank(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    lo, hi = 0, len(lines)
    while lo < hi and not lines[lo][1].strip():
        lo += 1
    while hi > lo and not lines[hi - 1][1].strip():
        hi -= 1
    return lines[lo:hi]


def _finish(ctx: _Ctx, proto: _Proto, lines: list[tuple[int, str]], props: list[Property]) -> None:
    """Content, properties, references and per-block warnings of one block."""
    code = code_lines(lines)
    for index, (no, line) in enumerate(lines):
        if index not in code and _NO_KEY_RE.match(line):
            ctx.warn(
                Code.PROPERTY_NO_KEY,
                no,
                f"property line without a key: {line.strip()!r}; Logseq shows it as text; "
                "write 'key:: value'",
            )
    refs, unclosed = find_refs(lines)
    for u in unclosed:
        ctx.warn(
            Code.UNCLOSED_LINK,
            u.line,
            "unclosed [[: Logseq shows it as text, not as a link; close it with ]]",
        )
    for p in props:
        refs.extend(property_refs(p.key, p.value, p.line))
    refs.sort(key=lambda r: r.line)  # file order (the sort is stable within a line)
    proto.content = _clean("\n".join(line for _, line in lines))
    proto.property_list = tuple(props)
    proto.properties = _as_map(props)
    proto.refs = tuple(Ref(r.kind, _clean(r.target), r.line) for r in refs)


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

    def make(i: int) -> Block:
        proto = protos[i]
        kids = tuple(make(k) for k in children.get(i, ()))
        raw = ctx.text[proto.start : proto.end]
        first = ctx.lines.line(proto.start)
        last = ctx.lines.line(proto.end - 1) if proto.end > proto.start else first
        return Block(
            content=proto.content,
            properties=proto.properties,
            property_list=proto.property_list,
            children=kids,
            span=SourceSpan(ctx.path, first, max(first, last)),
            raw=raw,
            level=proto.indent,
            refs=proto.refs,
            kind=proto.kind,
        )

    return tuple(make(i) for i in children.get(_PAGE, ()))
