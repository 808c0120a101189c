"""Logseq Markdown -> safe Markdown for MkDocs.

A block's text is Markdown with Logseq's additions (``[[page]]``, ``#tag``,
``((block))``, ``{{embed}}``, ``^^highlight^^``). This module turns it into the
Markdown notegen hands to MkDocs, in which the writer's formatting survives
(bold, italics, lists, code, links) and nothing else does:

* every ``<``, ``>``, ``&`` of the writer's text becomes an entity, so HTML in a
  note shows as text and never runs;
* ``{``, ``}``, ``[``, ``]`` become entities too, so no ``{: attr }`` list,
  reference definition or unforeseen link syntax from a note reaches Markdown's
  extensions; notegen writes every link itself, after checking its URL's scheme;
* line starts that the site's Markdown extensions read as blocks (``!!!``,
  ``???``, ``===``, ``[TOC]``) are defused.

Inline syntax is recognised by an ordered list of rules (:data:`INLINE_RULES`);
the first rule that matches at a position wins, text no rule matches is escaped.
Where Logseq's parser decides what is a reference (where a tag ends, that
emphasis holds no tags, backslash escapes, where a URL ends), the rules use
the parser's own functions (:mod:`notegen.parse.inline`), so a page shows a
link exactly where the graph records a reference.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from notegen.parse.inline import (
    URL_SCHEME,
    at_run_start,
    emphasis_at,
    read_macro,
    read_page_link,
    read_tag,
    url_end,
)

__all__ = [
    "INLINE_RULES",
    "LinkResolver",
    "NoLinks",
    "escape_plain",
    "escape_text",
    "markdown_link",
    "plain_text",
    "render_block_text",
    "render_inline",
    "safe_url",
]


class LinkResolver(Protocol):
    """What the renderer needs to know about the rest of the site."""

    def page_url(self, name: str) -> str | None:
        """The relative URL (to a ``.md`` file) of the page named ``name``."""
        ...

    def block_link(self, uuid: str) -> tuple[str, str] | None:
        """The relative URL of the block with ``id:: uuid`` and its text (for the label)."""
        ...

    def asset_url(self, path: str) -> str | None:
        """The relative URL of a graph asset written as ``../assets/x.png``."""
        ...


class NoLinks:
    """A resolver that knows no pages: links render as plain text."""

    def page_url(self, name: str) -> str | None:
        return None

    def block_link(self, uuid: str) -> tuple[str, str] | None:
        return None

    def asset_url(self, path: str) -> str | None:
        return None


# --- escaping ---------------------------------------------------------------

_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "{": "&#123;",
    "}": "&#125;",
    "[": "&#91;",
    "]": "&#93;",
    "|": "&#124;",
}
_ESCAPE_RE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")


def escape_text(text: str) -> str:
    """Text that Markdown shows exactly as written (its emphasis markers aside).

    ``|`` is escaped too, so text is safe inside table cells.
    """
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text)


_PLAIN_ESCAPES = {c: f"&#{ord(c)};" for c in "*_`~=^#\\"}


def escape_plain(text: str) -> str:
    """Text that Markdown shows exactly as written, emphasis markers included:
    for names (page titles, tags) and excerpts, which are not Markdown."""
    # One pass: escaping the output of escape_text would mangle its own entities
    # (the ``#`` of ``&#91;``).
    return "".join(_ESCAPES.get(c) or _PLAIN_ESCAPES.get(c, c) for c in text)


_SAFE_SCHEMES = frozenset({"http", "https", "mailto", "ftp", "ftps"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def safe_url(url: str) -> str | None:
    """``url`` made safe for a Markdown link destination ``<...>``, or ``None`` when
    its scheme is not one a reader should follow from a note (``javascript:``,
    ``data:``, ``file:``, ...) or it has no scheme at all."""
    url = url.strip()
    m = _SCHEME.match(url)
    if m is None or m.group(1).lower() not in _SAFE_SCHEMES:
        return None
    return _encode_destination(url)


def _encode_destination(url: str) -> str:
    # Inside `<...>` Markdown allows anything but `<`, `>` and line breaks; the
    # rest (unbalanced parentheses, `!*'~`) is kept exactly as written.
    return (
        url.replace("\\", "%5C")
        .replace("<", "%3C")
        .replace(">", "%3E")
        .replace(" ", "%20")
        .replace("\n", "")
        .replace("\r", "")
    )


def markdown_link(
    label_markdown: str, url: str, *, css_class: str | None = None, title: str | None = None
) -> str:
    """A Markdown link whose destination may hold any characters.

    Args:
        label_markdown: The link text, already rendered (escaped) Markdown.
        url: The destination, already checked (:func:`safe_url`) or notegen's own.
        css_class: A class for the ``<a>`` (through ``attr_list``).
        title: Plain text shown as the link's tooltip (escaped here).
    """
    attrs = f"{{ .{css_class} }}" if css_class else ""
    tip = ""
    if title:
        tip = ' "' + " ".join(html.escape(title, quote=True).split()) + '"'
    return f"[{label_markdown}](<{_encode_destination(url)}>{tip}){attrs}"


# --- inline rules -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _State:
    resolver: LinkResolver
    in_link: bool
    """Inside a link's label: no nested links."""
    in_emphasis: bool = False
    """Inside emphasis: tags, block references and macros are text, as Logseq reads them."""


# Full-width (CJK) punctuation ends a tag or a bare URL, as ASCII punctuation does.
_CJK_PUNCT = (
    "\uff0c\u3002\uff01\uff1f\uff1b\uff1a\u3001\uff08\uff09\u3010\u3011\u300c\u300d\u300a\u300b"
)

_Rendered = str | tuple[str, int] | None
"""Safe Markdown for a match (optionally with where the match really ends), or
``None`` to let later rules try."""
_Handler = Callable[[re.Match[str], _State], _Rendered]


@dataclass(frozen=True, slots=True)
class InlineRule:
    """One piece of inline syntax: where it starts and how it renders."""

    name: str
    """A short name, for tests and reading."""
    pattern: re.Pattern[str]
    """Matched at the current position (``re.match``)."""
    render: _Handler
    """Safe Markdown for the match (and, for links, where the link ends), or
    ``None`` to let later rules try."""


def _code(m: re.Match[str], state: _State) -> _Rendered:
    # Markdown shows a code span's content literally (and escapes its HTML).
    return m.group(0)


def _render_label(text: str, state: _State) -> str:
    return render_inline(text, state.resolver, in_link=True, in_emphasis=state.in_emphasis)


def _page_link(name: str, label: str, state: _State, css_class: str) -> str:
    url = None if state.in_link else state.resolver.page_url(name)
    if url is None:
        return escape_plain(label)
    return markdown_link(escape_plain(label), url, css_class=css_class)


def _link_dest(text: str, start: int) -> tuple[str, int] | None:
    """A link destination from ``text[start:]`` (just after ``(``): ``<...>`` or
    a run with balanced parentheses; returns it and the index after ``)``."""
    if text.startswith("<", start):
        end = text.find(">", start)
        if end == -1 or not text.startswith(")", end + 1):
            return None
        return text[start + 1 : end], end + 2
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return text[start:i], i + 1
            depth -= 1
        elif c.isspace():
            # `[x](url "title")`: the destination ends at the space.
            rest = re.match(r'\s+(?:"[^"]*"|\'[^\']*\')\s*\)', text[i:])
            if rest is None:
                return None
            return text[start:i], i + rest.end()
        i += 1
    return None


# A label may hold `[x]` and `[[page]]`, not deeper brackets.
_LINK_START = re.compile(
    r"(?P<bang>!?)\[(?P<label>(?:[^\[\]\n]|\[\[[^\[\]\n]*\]\]|\[[^\[\]\n]*\])*)\]\("
)


def _link(m: re.Match[str], state: _State) -> _Rendered:
    """``[label](url)`` and ``![alt](url)``; destinations may hold any parentheses."""
    text = m.string
    found = _link_dest(text, m.end())
    if found is None:
        return None
    dest, end = found
    label = m.group("label")
    source = text[m.start() : end]
    if dest.startswith("[[") and dest.endswith("]]"):  # [label]([[page]])
        return _page_link(dest[2:-2], label, state, "ng-page-ref"), end
    if dest.startswith("((") and dest.endswith("))"):  # [label](((uuid)))
        target = state.resolver.block_link(dest[2:-2].strip())
        if target is None or state.in_link:
            return escape_text(label), end
        return markdown_link(_render_label(label, state), target[0], css_class="ng-block-ref"), end
    url = safe_url(dest)
    asset = state.resolver.asset_url(dest) if url is None else None
    if state.in_link or (url is None and asset is None):
        return escape_text(source), end
    if m.group("bang"):
        if asset is not None:
            return f"![{escape_text(label)}](<{_encode_destination(asset)}>)", end
        # A remote image would be a request to another host: link to it instead.
        return markdown_link("🖼 " + escape_text(label or dest), dest), end
    return markdown_link(_render_label(label, state), asset or dest), end


def _page_ref(m: re.Match[str], state: _State) -> _Rendered:
    link = read_page_link(m.string, m.start())
    if link is None:
        return None
    # A nested link (`[[a [[b]] c]]`) is one link, to `a [[b]] c`: Markdown
    # nests no links.
    return _page_link(link.name, link.name, state, "ng-page-ref"), link.end


def _tag(m: re.Match[str], state: _State) -> _Rendered:
    # Where the tag ends and what it names, exactly as the parser records it.
    found = None if state.in_emphasis else read_tag(m.string, m.start())
    if found is None:
        return None
    name, end = found
    if name.startswith("[[") and name.endswith("]]") and name.find("]]") == len(name) - 2:
        name = name[2:-2]  # #[[multi word]]
    return _page_link(name, "#" + name, state, "ng-tag"), end


def _emphasis(m: re.Match[str], state: _State) -> _Rendered:
    # Logseq reads emphasis as mldoc does: its text holds links but no tags.
    found = emphasis_at(m.string, m.start())
    if found is None:
        return None
    start, end = found
    delim = m.string[m.start() : start]
    inner = render_inline(
        m.string[start:end], state.resolver, in_link=state.in_link, in_emphasis=True
    )
    mark = "==" if delim == "^^" else delim
    return mark + inner + mark, end + len(delim)


def _block_ref(m: re.Match[str], state: _State) -> _Rendered:
    if state.in_emphasis:
        return None
    target = None if state.in_link else state.resolver.block_link(m.group("uuid"))
    if target is None:
        return escape_text(m.group(0))
    url, label = target
    return markdown_link(escape_plain(label), url, css_class="ng-block-ref")


def _macro(m: re.Match[str], state: _State) -> _Rendered:
    found = read_macro(m.string, m.start())
    if found is None:
        return None
    name, arg, end = found
    if name == "embed" and not state.in_emphasis:
        if arg.startswith("[[") and arg.endswith("]]"):
            return _page_link(arg[2:-2], arg[2:-2], state, "ng-page-ref"), end
        if arg.startswith("((") and arg.endswith("))"):
            target = None if state.in_link else state.resolver.block_link(arg[2:-2].strip())
            if target is not None:
                link = markdown_link(escape_plain(target[1]), target[0], css_class="ng-block-ref")
                return link, end
    if state.in_emphasis:
        return None  # Logseq reads no macro there: its text is read as usual
    # Any other macro is shown as text, with no links in it (Logseq reads none).
    body = m.string[m.start() + 2 : end - 2]
    return "&#123;&#123;" + render_inline(body, state.resolver, in_link=True) + "&#125;&#125;", end


def _autolink(m: re.Match[str], state: _State) -> _Rendered:
    url = safe_url(m.group("url"))
    if url is None or state.in_link:
        return None
    return markdown_link(escape_text(m.group("url")), url)


_URL_STOP = frozenset('<>[]{}"`')


def _bare_url(m: re.Match[str], state: _State) -> _Rendered:
    # The URL ends where the parser ends it (so a '#' in it is no tag) ...
    end = url_end(m.string, m.end())
    whole = m.string[m.start() : end]
    # ... but the link stops at characters a URL rarely holds (`}}` closing a
    # macro), and trailing punctuation ends a sentence, not the link.
    raw = whole[: next((k for k, c in enumerate(whole) if c in _URL_STOP), len(whole))]
    while raw and raw[-1] in ".,;:!?'\"" + _CJK_PUNCT:
        raw = raw[:-1]
    url = safe_url(raw)
    if url is None or state.in_link:
        return escape_text(whole), end
    return markdown_link(escape_text(raw), url) + escape_text(whole[len(raw) :]), end


def _math(m: re.Match[str], state: _State) -> _Rendered:
    # Inline `$$x$$` math: shown as text, with no links in it (Logseq reads none).
    return "$$" + render_inline(m.group("math"), state.resolver, in_link=True) + "$$"


def _backslash(m: re.Match[str], state: _State) -> _Rendered:
    # `\( ... \)` and `\[ ... \]` are math: shown as text, with no links in it.
    text, start, char = m.string, m.start(), m.group("char")
    if char in "([":
        closing = "\\)" if char == "(" else "\\]"
        close = text.find(closing, start + 2)
        if close >= 0:
            inner = render_inline(text[start + 2 : close], state.resolver, in_link=True)
            return _escaped(char) + inner + _escaped(closing[1]), close + 2
    # Either way the character starts nothing: `\#x` is no tag, `\[[x]]` no
    # link, as in Logseq.
    return _escaped(char)


def _escaped(char: str) -> str:
    # `\*` stays a literal star for Markdown; a character notegen escapes anyway
    # (`\[`, `\<`) becomes its entity, without the backslash.
    return escape_text(char) if char in _ESCAPES else "\\" + char


INLINE_RULES: tuple[InlineRule, ...] = (
    InlineRule("code", re.compile(r"(?P<ticks>`+)(?!`).*?(?<!`)(?P=ticks)(?!`)"), _code),
    InlineRule("backslash", re.compile(r"\\(?P<char>[^\w\s])"), _backslash),
    InlineRule("math", re.compile(r"\$\$(?P<math>[^\n]*?)\$\$"), _math),
    InlineRule("page-ref", re.compile(r"\[\["), _page_ref),
    InlineRule("link", _LINK_START, _link),
    InlineRule("tag", re.compile(r"#"), _tag),
    InlineRule("block-ref", re.compile(r"\(\((?P<uuid>[0-9a-fA-F-]{8,})\)\)"), _block_ref),
    InlineRule("macro", re.compile(r"\{\{"), _macro),
    InlineRule("autolink", re.compile(r"<(?P<url>[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]+)>"), _autolink),
    InlineRule("bare-url", URL_SCHEME, _bare_url),
    InlineRule("emphasis", re.compile(r"[*_~^=]"), _emphasis),
)
"""Inline syntax in the order it is tried at each position."""

# Rules that Logseq tries only where a run of plain text starts (see
# :func:`notegen.parse.inline.at_run_start`): `x((uuid))` is no block reference.
_RUN_START_RULES = frozenset({"block-ref", "macro", "bare-url"})

# Characters at which some rule may start; runs of other characters are plain text.
_SPECIAL = re.compile(r"[`\\\[#(!{<*_~^=$]|[A-Za-z0-9]+://")


def render_inline(
    text: str, resolver: LinkResolver, *, in_link: bool = False, in_emphasis: bool = False
) -> str:
    """One line of Logseq inline Markdown as safe Markdown.

    Args:
        text: The text (no line breaks expected, though they are kept).
        resolver: Where pages, blocks and assets are.
        in_link: Render a link's label: no links inside.
        in_emphasis: Render the text of emphasis: no tags, block references
            or macros inside (Logseq reads none there).
    """
    state = _State(resolver, in_link, in_emphasis)
    out: list[str] = []
    i = 0
    node_end = 0  # where the last rule's match ended
    n = len(text)
    while i < n:
        m_special = _SPECIAL.search(text, i)
        if m_special is None:
            out.append(escape_text(text[i:]))
            break
        if m_special.start() > i:
            out.append(escape_text(text[i : m_special.start()]))
            i = m_special.start()
        rendered: str | None = None
        end = i
        at_start = at_run_start(text, i, node_end)
        for rule in INLINE_RULES:
            if not at_start and rule.name in _RUN_START_RULES:
                continue
            m = rule.pattern.match(text, i)
            if m is None:
                continue
            result = rule.render(m, state)
            if result is None:
                continue
            rendered, end = (result, m.end()) if isinstance(result, str) else result
            break
        if rendered is None:
            out.append(escape_text(text[i]))
            i += 1
        else:
            out.append(rendered)
            i = node_end = end
    return "".join(out)


_PLAIN_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!?\[([^\[\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*\)"), r"\1"),  # links, images
    (re.compile(r"#?\[\[([^\[\]\n]+?)\]\]"), r"\1"),  # [[page]], #[[tag]]
    (re.compile(r"\(\(([0-9a-fA-F-]{8,})\)\)"), "…"),  # ((block ref))
    (re.compile(r"\{\{[^{}]*\}\}"), ""),  # {{macros}}
    (re.compile(r"(\*\*|__|~~|==|\^\^|`+)"), ""),  # emphasis and code markers
    (re.compile(r"\s+"), " "),
)


def plain_text(markdown: str) -> str:
    """The words of a block's Markdown without its markup (for excerpts and
    labels): links become their text, page references their name. The result
    is plain text, to be escaped before use."""
    text = markdown
    for pattern, replacement in _PLAIN_RULES:
        text = pattern.sub(replacement, text)
    return text.strip()


# --- block-level lines --------------------------------------------------------

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_LIST_ITEM = re.compile(r"^(?P<indent>\s*)(?P<marker>[-*+]|\d{1,9}[.)])(?P<space>\s+|$)")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s|$)")
_QUOTE = re.compile(r"^ {0,3}>")
_TABLE = re.compile(r"^\s*\|")
_RULE = re.compile(r"^ {0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_SETEXT = re.compile(r"^ {0,3}=+\s*$")
# Line starts that pymdownx/admonition/toc read as blocks.
_EXTENSION_START = re.compile(r"^(?P<indent>\s*)(?P<mark>!!!|\?\?\?|===|///|\[TOC\])")


def _line_kind(line: str) -> str:
    if not line.strip():
        return "blank"
    if _RULE.match(line):
        return "rule"
    if _LIST_ITEM.match(line):
        return "list"
    if _HEADING.match(line):
        return "heading"
    if _QUOTE.match(line):
        return "quote"
    if _TABLE.match(line):
        return "table"
    return "para"


def _render_line(line: str, resolver: LinkResolver) -> str:
    # Keep the Markdown structure at the start of the line (indentation, list
    # marker, heading hashes, quote markers, table pipes); render the rest.
    m = _EXTENSION_START.match(line)
    if m:
        mark = m.group("mark")
        defused = "&#" + str(ord(mark[0])) + ";" + mark[1:]
        if mark == "[TOC]":
            defused = "&#91;TOC&#93;"
        return m.group("indent") + defused + render_inline(line[m.end() :], resolver)
    prefix_match = re.match(r"^(?:\s*(?:>\s?)+)?\s*(?:(?:[-*+]|\d{1,9}[.)])\s+|#{1,6}\s+)?", line)
    prefix = prefix_match.group(0) if prefix_match else ""
    rest = line[len(prefix) :]
    if _TABLE.match(line):
        # Table pipes are structure; pipes escaped by the writer (`\|`) stay text.
        cells = re.split(r"(?<!\\)\|", line)
        return "|".join(render_inline(c, resolver) for c in cells)
    prefix = prefix.replace(">", "&gt;") if not _QUOTE.match(line) else prefix
    return prefix + render_inline(rest, resolver)


def render_block_text(text: str, resolver: LinkResolver) -> str:
    """A block's multi-line Logseq Markdown as safe Markdown.

    Fenced code is kept verbatim (an unclosed fence is closed at the end);
    a list, table or rule that follows a paragraph line gets the blank line
    Python-Markdown needs to see it (Logseq needs none); consecutive paragraph
    lines keep their line break, as Logseq shows them.

    Args:
        text: The block's text, lines joined with ``\\n``.
        resolver: Where pages, blocks and assets are.
    """
    lines = text.split("\n")
    out: list[str] = []
    prev = "blank"
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            i = _copy_fence(lines, i, fence, out, prev)
            prev = "blank"
            continue
        kind = _line_kind(line)
        if (kind in ("list", "rule") and prev == "para") or (
            kind == "table" and prev in ("para", "list")
        ):
            out.append("")
        if kind == "para" and _SETEXT.match(line) and prev == "para":
            # `===` under a paragraph would make it a heading; Logseq shows the line.
            rendered = "&#61;" + line.strip()[1:]
        elif kind == "blank":
            rendered = ""
        else:
            rendered = _render_line(line, resolver)
        nxt = _line_kind(lines[i + 1]) if i + 1 < len(lines) else "blank"
        if kind == "para" and nxt == "para" and not _FENCE.match(lines[i + 1]):
            rendered = rendered.rstrip() + "  "  # a hard line break
        out.append(rendered)
        prev = kind
        i += 1
    return "\n".join(out).strip("\n")


def _copy_fence(lines: list[str], i: int, fence: re.Match[str], out: list[str], prev: str) -> int:
    marker = fence.group("fence")
    info = re.match(r"\s*([\w+#.-]*)", fence.group("info"))
    language = info.group(1) if info else ""
    body: list[str] = []
    j = i + 1
    while j < len(lines):
        close = re.match(
            r"^ {0,3}" + re.escape(marker[0]) + "{" + str(len(marker)) + r",}\s*$", lines[j]
        )
        if close:
            j += 1
            break
        body.append(lines[j])
        j += 1
    # A fence longer than any run of its character inside, so nothing closes it early.
    longest = max(
        (len(r) for b in body for r in re.findall(re.escape(marker[0]) + "+", b)), default=0
    )
    fence_str = marker[0] * max(3, len(marker), longest + 1)
    if prev != "blank":
        out.append("")
    out.append(fence_str + language)
    out.extend(body)
    out.append(fence_str)
    out.append("")
    return j
