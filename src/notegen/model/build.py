"""Page -> Note: classify blocks, split off source links, type the page properties."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from notegen.diagnostics import Code, Diagnostic, SourceSpan
from notegen.model.properties import (
    CLAIM_ID,
    DATE_FORMS,
    parse_date,
    parse_page_list,
    parse_url,
    split_claim_ids,
    suggest_claim_id,
)
from notegen.model.types import BlockRole, Claim, Note, NoteBlock, SourceLink
from notegen.parse.outline import scan
from notegen.parse.types import Block, Page

__all__ = ["ANNOTATION_MARK", "build_note", "split_source_link"]

ANNOTATION_MARK = "📝"
"""A block whose content starts with this is an annotation: the reader's own words."""

# A highlight's trailing `([label](url))`. The label holds no brackets; the URL
# holds no whitespace but may hold anything else, unbalanced `(`/`)` included
# (SimpRead puts the highlighted text, unescaped, into `#:~:text=`), so the
# link is found from the end of the block: the last `))` closes it, and the
# last `([` that starts a well-formed link opens it (encodeURIComponent, which
# these apps use, escapes `[` and `]`, so the URL itself holds no `([`).
_SOURCE_LINK = re.compile(r"\(\[(?P<label>[^\[\]\n]*)\]\((?P<url>\S+?)\)\)\s*\Z")
_LINK_OPEN = re.compile(r"\(\[")

# `>` that opens a quote line: `> text`, or a bare `>`.
_QUOTE_MARK = re.compile(r"^>(?: |$)", re.MULTILINE)


def build_note(page: Page, *, file_title: str, journal: bool = False) -> Note:
    """Read a parsed page as a reading note.

    Args:
        page: The parsed page.
        file_title: The page name Logseq derives from the file name, used when
            the page has no ``title::`` property.
        journal: Whether the page is a journal page.

    Returns:
        The note, with the parser's diagnostics and the model's own (bad
        claim ids, dates in no known form) in ``diagnostics``.
    """
    diagnostics: list[Diagnostic] = list(page.diagnostics)
    props = page.properties
    lines = {p.key: p.line for p in page.property_list}

    def span_of(key: str) -> SourceSpan:
        line = lines.get(key, 1)
        return SourceSpan(page.path, line, line)

    title = props.get("title", "").strip() or file_title
    date = None
    raw_date = props.get("date", "").strip()
    if raw_date:
        date = parse_date(raw_date)
        if date is None:
            diagnostics.append(
                Diagnostic(
                    span_of("date"),
                    Code.BAD_DATE,
                    f"date {raw_date!r} is in no known form; write it as {DATE_FORMS}",
                )
            )
    if "claim" in props:
        # A claim is made by a block; the page's properties belong to none (the
        # pre-block that holds them is no highlight), so nothing of it is read.
        diagnostics.append(
            Diagnostic(
                span_of("claim"),
                Code.CLAIM_ON_PAGE,
                f"claim:: {props['claim']!r} in page properties names no block; put it on "
                "the highlight's bullet line ('- claim:: <id>' before the quote)",
            )
        )
    page_lines = frozenset(p.line for p in page.property_list)
    blocks = _build_blocks(page.blocks, page.path, diagnostics, page_lines)
    last_line = max((b.span.line_end for b in page.walk()), default=1)
    front_lines = page.front.count("\n")
    return Note(
        path=page.path,
        title=title,
        source=parse_url(props.get("source", "") or props.get("url", "")),
        tags=parse_page_list(props.get("tags", "")),
        aliases=parse_page_list(props.get("alias", "")),
        date=date,
        blocks=blocks,
        page=page,
        span=SourceSpan(page.path, 1, max(last_line, front_lines, 1)),
        journal=journal,
        diagnostics=tuple(diagnostics),
    )


def _role(content: str) -> BlockRole:
    if content.startswith("> ") or content == ">" or content.startswith(">\n"):
        return "highlight"
    if content.lstrip().startswith(ANNOTATION_MARK):
        return "annotation"
    return "plain"


def split_source_link(
    text: str, span: SourceSpan, lines: Sequence[int] = ()
) -> tuple[str, SourceLink | None]:
    """Split a highlight's trailing ``([label](url))`` off its quoted text.

    Args:
        text: The quoted text (``>`` markers already removed).
        span: The block's span: the file, and (without ``lines``) the line the
            text's first line is on.
        lines: The file line of each line of ``text``, where they are not
            consecutive (properties or hidden drawers left out).

    Returns:
        The text without the link (trailing space removed) and the link, or
        the text unchanged and ``None`` when it does not end with such a link.
    """
    m = None
    for start in reversed([o.start() for o in _LINK_OPEN.finditer(text)]):
        m = _SOURCE_LINK.match(text, start)
        if m is not None:
            break
    if m is None:
        return text, None
    index = text.count("\n", 0, m.start())
    line = lines[index] if index < len(lines) else span.line_start + index
    link = SourceLink(
        label=m.group("label").strip(),
        url=m.group("url"),
        span=SourceSpan(span.path, line, line),
    )
    return text[: m.start()].rstrip(), link


def _shown(block: Block) -> tuple[str, list[int]]:
    """The block's content as Logseq shows it, with the file line of each of
    its lines: without ``:LOGBOOK:`` drawers (Logseq's clock entries, which it
    keeps folded away; the parsed block keeps them)."""
    content = block.content
    starts = [0, *(i + 1 for i, c in enumerate(content) if c == "\n")]
    hidden = [
        (n.start, n.end)
        for n in scan(content)
        if n.kind == "drawer" and n.name.lower() == "logbook"
    ]
    kept = [i for i, start in enumerate(starts) if not any(a <= start < b for a, b in hidden)]
    if len(kept) < len(starts):
        pieces = content.split("\n")
        content = "\n".join(pieces[i] for i in kept)
    return content, [block.content_line(i) for i in kept]


def _build_blocks(
    blocks: tuple[Block, ...],
    path: str,
    diagnostics: list[Diagnostic],
    page_lines: frozenset[int],
) -> tuple[NoteBlock, ...]:
    """The note blocks of a block tree, without recursion (a page may nest
    hundreds of levels deep); diagnostics come in file order."""
    order: list[Block] = []
    for top in blocks:
        order.extend(top.walk())
    nodes = [_build_block(b, path, diagnostics, page_lines) for b in order]
    built: dict[int, NoteBlock] = {}
    for block, node in zip(reversed(order), reversed(nodes), strict=True):
        children = tuple(built.pop(id(child)) for child in block.children)
        built[id(block)] = replace(node, children=children)
    return tuple(built[id(b)] for b in blocks)


def _build_block(
    block: Block, path: str, diagnostics: list[Diagnostic], page_lines: frozenset[int]
) -> NoteBlock:
    """One block as a note block, without its children (``page_lines``: the
    lines of the page properties, which no block's claims are on)."""
    content, lines = _shown(block)
    role = _role(content)
    source_link: SourceLink | None = None
    if role == "highlight":
        text = _QUOTE_MARK.sub("", content)
        text, source_link = split_source_link(text, block.span, lines)
    elif role == "annotation":
        text = content.lstrip()[len(ANNOTATION_MARK) :].lstrip("\ufe0f").strip()
    else:
        text = content
    _check_claim_lines(block, path, diagnostics)
    return NoteBlock(
        role=role,
        text=text.strip("\n"),
        source_link=source_link,
        claims=_claims(block, path, diagnostics, page_lines),
        children=(),
        block=block,
        span=block.span,
    )


# What writers put between claim ids instead of ',' (full-width commas, ';', '、').
_OTHER_SEPARATORS = re.compile("[\uff0c\u3001\uff1b;|]+")
# A line that means to name a claim: the key in any case, spaces before `::` too.
_CLAIM_LINE = re.compile(r"^[ \t]*claim[ \t]*::", re.MULTILINE | re.IGNORECASE)
# ... and one Logseq would read as a property where properties are read.
_CLAIM_PROPERTY = re.compile(r"[ \t]*claim::(?:[ \t]|$)", re.IGNORECASE)
# Constructs whose lines are code or markup, not text (a claim:: there is an example).
_CODE_KINDS = frozenset({"fence", "begin_block", "latex_env", "math", "html", "drawer"})


def _check_claim_lines(block: Block, path: str, diagnostics: list[Diagnostic]) -> None:
    """A ``claim-in-text`` warning for each claim:: line left in the block's text.

    A ``key:: value`` line in the block's first property group is a property
    and not in its content; one still in the content is text to Logseq: it
    follows a quote or a list item (mldoc reads it as more of them), or it is
    no property line at all (``claim ::`` with a space). Lines in code
    fences and the like are examples, not claims.
    """
    content = block.content
    code = [(n.start, n.end) for n in scan(content) if n.kind in _CODE_KINDS]
    for m in _CLAIM_LINE.finditer(content):
        if any(a <= m.start() < b for a, b in code):
            continue
        line = block.content_line(content.count("\n", 0, m.start()))
        end = content.find("\n", m.start())
        text = content[m.start() : end if end >= 0 else len(content)]
        if _CLAIM_PROPERTY.match(text):
            message = (
                "this claim:: line is read by Logseq as text of the block (a key:: line "
                "right after a quote or list item belongs to it), so it names no claim; "
                "put it on the bullet line instead: '- claim:: <id>' before the quote"
            )
        else:
            message = (
                f"{text.strip()!r} is no property line for Logseq (it reads it as text), so "
                "it names no claim; write 'claim:: <id>': no space before '::', one after"
            )
        diagnostics.append(Diagnostic(SourceSpan(path, line, line), Code.CLAIM_IN_TEXT, message))


def _claims(
    block: Block, path: str, diagnostics: list[Diagnostic], page_lines: frozenset[int]
) -> tuple[Claim, ...]:
    value = block.properties.get("claim")
    if value is None:
        return ()
    # The last `claim::` line is the one Logseq keeps.
    line = next(
        (p.line for p in reversed(block.property_list) if p.key == "claim"), block.span.line_start
    )
    if line in page_lines:
        return ()  # a page property, on the pre-block: build_note warns about it
    span = SourceSpan(path, line, line)
    ids = split_claim_ids(value)
    if not ids:
        diagnostics.append(
            Diagnostic(
                span,
                Code.BAD_CLAIM_ID,
                "empty claim:: property; name the claim this block makes, "
                "e.g. 'claim:: hash-same-size', or remove the line",
            )
        )
        return ()
    claims: list[Claim] = []
    seen: set[str] = set()
    for claim_id in ids:
        if not CLAIM_ID.fullmatch(claim_id):
            pieces = [p for p in _OTHER_SEPARATORS.split(claim_id) if p]
            if len(pieces) > 1:  # two ids, written with a full-width comma or the like
                hints = [suggest_claim_id(p) or p for p in pieces]
                fix = f"; separate claim ids with ',': did you mean {', '.join(hints)!r}?"
            else:
                hint = suggest_claim_id(claim_id)
                fix = f"; did you mean {hint!r}?" if hint else ""
            diagnostics.append(
                Diagnostic(
                    span,
                    Code.BAD_CLAIM_ID,
                    f"claim id {claim_id!r} is not valid: use only lower-case letters, "
                    f"digits and '-'{fix}",
                )
            )
            continue
        if claim_id in seen:
            diagnostics.append(
                Diagnostic(
                    span,
                    Code.DUPLICATE_CLAIM,
                    f"claim id {claim_id!r} is named twice on this line; remove one",
                )
            )
            continue
        seen.add(claim_id)
        claims.append(Claim(claim_id, span))
    return tuple(claims)
