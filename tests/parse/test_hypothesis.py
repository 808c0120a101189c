"""Property tests: no input crashes the parser, every input round-trips."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notegen.errors import ParseError
from notegen.parse import Block, Page, parse_page, set_block_property

from .generate import AFTER_BULLET, INDENTS, TEXT

# More examples with NOTEGEN_HYPOTHESIS_EXAMPLES=1000 (set per test, not by a global profile).
EXAMPLES = settings(
    max_examples=int(os.environ.get("NOTEGEN_HYPOTHESIS_EXAMPLES", "150")), deadline=None
)

_LINE = st.one_of(
    st.builds(lambda i, t: f"{i}- {t}", st.sampled_from(INDENTS), st.sampled_from(TEXT)),
    st.builds(lambda i, t: f"{i}- {t}", st.sampled_from(INDENTS), st.sampled_from(AFTER_BULLET)),
    st.builds(lambda i, t: f"{i}{t}", st.sampled_from(INDENTS), st.sampled_from(TEXT)),
    st.builds(
        lambda i, k, v: f"{i}{k}:: {v}",
        st.sampled_from(INDENTS),
        st.sampled_from(["k", "id", "tags", "Key_A", "collapsed", "a`b"]),
        st.sampled_from(["v", "", "[[x]], y", "#t"]),
    ),
    st.sampled_from(["```", "~~~", "$$", ":LOGBOOK:", ":END:", "---", "<div>", "</div>", ""]),
    st.text(max_size=30),
)
_EOL = st.sampled_from(["\n", "\r\n", "\r"])
logseq_pages = st.builds(
    lambda lines, eol, bom: ("\ufeff" if bom else "") + eol.join(lines),
    st.lists(_LINE, max_size=15),
    _EOL,
    st.booleans(),
)


def _check_page(page: Page, data: bytes) -> None:
    assert page.serialize() == data
    previous = 0
    for block in page.walk():
        assert block.span.line_start >= previous
        assert block.span.line_start <= block.span.line_end
        previous = block.span.line_start
        assert "\r" not in block.content
        assert block.content == block.content.strip("\n")
        for child in block.children:
            assert child.span.line_start >= block.span.line_start


@EXAMPLES
@given(st.binary(max_size=300))
def test_any_bytes_parse_and_round_trip(data: bytes) -> None:
    _check_page(parse_page(data, "page.md"), data)


@EXAMPLES
@given(st.text(max_size=300))
def test_any_text_parses_and_round_trips(text: str) -> None:
    data = text.encode("utf-8", errors="surrogatepass")
    page = parse_page(data, "page.md")
    _check_page(page, data)


@EXAMPLES
@given(logseq_pages)
def test_logseq_like_pages_parse_and_round_trip(text: str) -> None:
    data = text.encode("utf-8")
    _check_page(parse_page(data, "page.md"), data)


@settings(EXAMPLES, suppress_health_check=[HealthCheck.too_slow])
@given(logseq_pages, st.data())
def test_set_block_property_only_adds_the_property(text: str, data: st.DataObject) -> None:
    raw = text.encode("utf-8")
    page = parse_page(raw, "page.md")
    blocks = list(page.walk())
    if not blocks:
        return
    block: Block = data.draw(st.sampled_from(blocks))
    try:
        new = set_block_property(page, block, "claim", "a-claim")
    except ParseError:
        return  # refused, with a message: acceptable, nothing was written
    new_page = parse_page(new, "page.md")
    new_blocks = list(new_page.walk())
    index = next(i for i, b in enumerate(blocks) if b is block)
    assert new_blocks[index].properties.get("claim") == "a-claim"
    assert [b.content for b in new_blocks] == [b.content for b in blocks]
    if "claim" not in block.properties:
        # Only an insertion: the old bytes are the new bytes minus one stretch.
        prefix = 0
        while prefix < len(raw) and raw[prefix] == new[prefix]:
            prefix += 1
        added = len(new) - len(raw)
        assert added > 0
        assert new[:prefix] + new[prefix + added :] == raw
