"""Editing notes without losing a byte: add or replace one block property.

Used to write ``claim:: ...`` into notes. The property goes where Logseq
itself puts properties (``insert-property`` in Logseq's file-graph code):
into the block's first property group if it has one; else after the block's
first line when that line is plain text (a "title"); else, when the block
starts with a quote, a code fence, a list or another construct, on the bullet
line before it -- a ``key:: value`` line after a quote or a list item would be
read by Logseq as part of the quote or item, not as a property.
"""

from __future__ import annotations

import re

from notegen.errors import ParseError
from notegen.parse.outline import EOL, Node, scan, starts_construct
from notegen.parse.page import normalize_key, parse_page
from notegen.parse.types import Block, Page

_KEY_RE = re.compile(r"[^\s:`]+")


def set_block_property(page: Page, block: Block, key: str, value: str) -> bytes:
    """The page's bytes with ``key:: value`` set on ``block``, every other byte unchanged.

    If the block's first property group has the key already (compared as
    Logseq normalises keys), the value of its last occurrence (the one that
    counts) is replaced; otherwise a line is added, indented like the
    block's other lines and ended like the file's lines.

    Args:
        page: A page as parsed from the file (not changed).
        block: One of the page's blocks (compared by identity).
        key: The property key, as it should be written (e.g. ``"claim"``).
        value: The value, on one line; it is written trimmed.

    Returns:
        The new file bytes (with the byte-order mark if the file had one).

    Raises:
        ValueError: ``key`` or ``value`` cannot be written as a property, or
            ``block`` is not a block of ``page``.
        ParseError: The property cannot be placed so that Logseq reads it
            (for example, page properties written as YAML front matter).
    """
    if not _KEY_RE.fullmatch(key):
        raise ValueError(
            f"property key {key!r} cannot be written: it needs at least one character "
            "and no spaces, ':' or '`'"
        )
    if "\n" in value or "\r" in value:
        raise ValueError(f"property value {value!r} must be on one line")
    value = value.strip()
    text = page.front + "".join(b.raw for b in page.walk())
    offset = len(page.front)
    for candidate in page.walk():
        if candidate is block:
            break
        offset += len(candidate.raw)
    else:
        raise ValueError("the block is not one of this page's blocks")
    if block.kind == "preamble":
        offset = 0

    nodes = scan(text)
    new_text = _insert(text, nodes, offset, block, key, value)
    _verify(page, block, new_text, key, value)
    data = new_text.encode("utf-8", errors="surrogateescape")
    return b"\xef\xbb\xbf" + data if page.bom else data


def _eol(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _line_end(text: str, p: int) -> int:
    n = len(text)
    while p < n and text[p] not in EOL:
        p += 1
    return p


def _line_start(text: str, p: int) -> int:
    while p > 0 and text[p - 1] not in EOL:
        p -= 1
    return p


def _insert(text: str, nodes: list[Node], offset: int, block: Block, key: str, value: str) -> str:
    prop = f"{key}:: {value}" if value else f"{key}::"
    eol = _eol(text)
    heading: Node | None = None
    start_index = 0
    if block.kind != "preamble":
        for i, node in enumerate(nodes):
            if node.kind == "heading" and node.start == offset:
                heading, start_index = node, i + 1
                break
        else:  # pragma: no cover - the page came from this text
            raise ParseError(f"{block.span}: cannot find this block in the page's text")
    group: Node | None = None
    for node in nodes[start_index:]:
        if node.kind == "heading":
            break
        if node.kind == "front_matter":
            raise ParseError(
                f"{block.span}: page properties in YAML front matter cannot be edited; "
                f"add '{key}: {value}' to the front matter by hand"
            )
        if node.kind == "properties":
            group = node
            break
    if heading is not None:
        bullet_indent = text[heading.start : heading.start + heading.level - 1]
        indent = bullet_indent + "  " if heading.unordered else bullet_indent
    else:
        indent = ""
    wanted = normalize_key(key)

    if group is not None and group.org_drawer:
        for line in reversed(group.properties):
            if normalize_key(line.key) == wanted:
                return (
                    text[: line.start] + _org_line(text, line.start, key, value) + text[line.end :]
                )
        end_line = _line_start(text, _last_content(text, group))
        line_indent = text[
            end_line : end_line + len(text[end_line:]) - len(text[end_line:].lstrip(" \t"))
        ]
        return text[:end_line] + f"{line_indent}:{key}: {value}".rstrip() + eol + text[end_line:]
    if group is not None and group.properties:
        for line in reversed(group.properties):
            if normalize_key(line.key) == wanted:
                key_at = text.index(line.key, line.start)
                return text[:key_at] + f"{line.key}:: {value}".rstrip() + text[line.end :]
        last = group.properties[-1]
        line_start = _line_start(text, last.start)
        if line_start == last.start:
            lead = text[last.start : last.start + _indent_len(text, last.start)]
        else:  # the group starts on the bullet line
            lead = indent
        return text[: last.end] + eol + lead + prop + text[last.end :]

    if heading is None:  # a pre-block without properties: they go first
        return prop + eol + text
    c = heading.content_start
    while c < len(text) and text[c] in " \t":
        c += 1
    title_end = _line_end(text, c)
    has_title = c < len(text) and text[c] not in EOL
    # Logseq's ``block-with-title?``: the first line is plain text.
    if has_title and not starts_construct(text, c):
        return text[:title_end] + eol + indent + prop + text[title_end:]
    # No title: the property goes on the bullet line, before the rest.
    if c >= len(text) or text[c] in EOL:
        sep = "" if text[c - 1 : c] in (" ", "\t") else " "
        return text[:c] + sep + prop + text[c:]
    return text[:c] + prop + eol + indent + text[c:]


def _indent_len(text: str, p: int) -> int:
    q = p
    while q < len(text) and text[q] in " \t":
        q += 1
    return q - p


def _last_content(text: str, node: Node) -> int:
    end = node.end
    while end > node.start + 1 and text[end - 1] in EOL:
        end -= 1
    return end - 1


def _org_line(text: str, start: int, key: str, value: str) -> str:
    lead = text[start : start + _indent_len(text, start)]
    return f"{lead}:{key}: {value}".rstrip()


def _verify(page: Page, block: Block, new_text: str, key: str, value: str) -> None:
    """Re-parse and check that only the one property changed."""
    data = new_text.encode("utf-8", errors="surrogateescape")
    new_page = parse_page(b"\xef\xbb\xbf" + data if page.bom else data, page.path)
    old_blocks = list(page.walk())
    new_blocks = list(new_page.walk())
    target = next(i for i, b in enumerate(old_blocks) if b is block)
    problem = ""
    if len(old_blocks) != len(new_blocks):
        problem = "the page would get a different number of blocks"
    else:
        for i, (old, new) in enumerate(zip(old_blocks, new_blocks, strict=True)):
            if old.content != new.content:
                problem = f"the text of the block at {old.span} would change"
                break
            if i == target:
                expected = dict(old.properties)
                expected[normalize_key(key)] = value
                if new.properties != expected:
                    problem = "Logseq would not read the new property"
                    break
            elif old.properties != new.properties:
                problem = f"the properties of the block at {old.span} would change"
                break
    if problem:
        raise ParseError(
            f"{block.span}: cannot add '{key}:: {value}' here: {problem}; add it by hand"
        )
