"""Block roles, quotes and source links: cases from tests/fixtures/model_blocks.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from casefiles import read_cases

from notegen.diagnostics import Code, SourceSpan
from notegen.model import build_note
from notegen.parse import parse_page
from notegen.parse.types import Block, Page, Property

CASES = Path(__file__).parent.parent / "fixtures" / "model_blocks.md"


def block(content: str, *, line: int = 1, properties: tuple[Property, ...] = ()) -> Block:
    n = content.count("\n")
    return Block(
        content=content,
        properties={p.key: p.value for p in properties},
        property_list=properties,
        children=(),
        span=SourceSpan("notes/pages/x.md", line, line + n + len(properties)),
        raw="- " + content + "\n",
        level=0,
    )


def page(*blocks: Block, properties: tuple[Property, ...] = ()) -> Page:
    return Page(
        path="notes/pages/x.md",
        properties={p.key: p.value for p in properties},
        property_list=properties,
        blocks=blocks,
    )


@pytest.mark.parametrize(
    ("line", "name", "source", "expected"),
    read_cases(CASES),
    ids=[f"{c[0]}-{c[1]}" for c in read_cases(CASES)],
)
def test_block_cases(line: int, name: str, source: str, expected: str) -> None:
    note = build_note(page(block(source, line=3)), file_title="x")
    (obtained,) = note.blocks
    want: dict[str, Any] = yaml.safe_load(expected)
    link = obtained.source_link
    assert {
        "role": obtained.role,
        "text": obtained.text,
        "label": link.label if link else None,
        "url": link.url if link else None,
        "fragment": link.text_fragment if link else None,
    } == want
    assert note.diagnostics == ()


def test_source_link_line_is_the_line_it_is_on() -> None:
    content = "> first\n\nsecond  ([src](https://e.example/))"
    (obtained,) = build_note(page(block(content, line=10)), file_title="x").blocks
    assert obtained.source_link is not None
    assert obtained.source_link.span == SourceSpan("notes/pages/x.md", 12, 12)


def test_annotations_are_children_and_other_children_stay_plain() -> None:
    quote = Block(
        content="> q",
        properties={},
        property_list=(),
        children=(block("📝 mine", line=2), block("a plain child", line=3)),
        span=SourceSpan("notes/pages/x.md", 1, 1),
        raw="- > q\n",
        level=0,
    )
    note = build_note(page(quote), file_title="x")
    assert [b.role for b in note.walk()] == ["highlight", "annotation", "plain"]
    assert len(note.highlights) == 1
    assert [a.text for a in note.annotations] == ["mine"]


def claim_block(value: str, line: int = 5) -> Block:
    return block("> q", line=line - 1, properties=(Property("claim", value, line),))


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ("hash-same-size", ["hash-same-size"]),
        ("hash-same-size, hash-compress", ["hash-same-size", "hash-compress"]),
        ("a1 b-2,c", ["a1", "b-2", "c"]),
    ],
)
def test_claim_ids(value: str, ids: list[str]) -> None:
    note = build_note(page(claim_block(value)), file_title="x")
    assert list(note.blocks[0].claim_ids) == ids
    assert all(c.span == SourceSpan("notes/pages/x.md", 5, 5) for c in note.blocks[0].claims)
    assert note.diagnostics == ()


@pytest.mark.parametrize(
    ("value", "kept", "message"),
    [
        (
            "Hash_Same",
            [],
            "claim id 'Hash_Same' is not valid: use only lower-case letters, "
            "digits and '-'; did you mean 'hash-same'?",
        ),
        ("ok, [[Bad]]", ["ok"], "claim id '[[Bad]]' is not valid"),
        ("", [], "empty claim:: property"),
        ("über", [], "claim id 'über' is not valid"),
        (
            "ok-a\uff0cok-b",  # a full-width comma
            [],
            "claim id 'ok-a\uff0cok-b' is not valid: use only lower-case letters, digits "
            "and '-'; separate claim ids with ',': did you mean 'ok-a, ok-b'?",
        ),
    ],
)
def test_bad_claim_ids_are_errors_at_the_property_line(
    value: str, kept: list[str], message: str
) -> None:
    note = build_note(page(claim_block(value, line=7)), file_title="x")
    assert list(note.blocks[0].claim_ids) == kept
    (diagnostic,) = note.diagnostics
    assert diagnostic.code is Code.BAD_CLAIM_ID
    assert diagnostic.severity == "error"
    assert diagnostic.span.line_start == 7
    assert diagnostic.message.startswith(message)
    assert str(diagnostic).startswith("notes/pages/x.md:7: ")
    assert str(diagnostic).endswith("[notegen.bad-claim-id]")


def test_a_claim_named_twice_on_one_line_is_a_duplicate() -> None:
    note = build_note(page(claim_block("a, a")), file_title="x")
    assert note.blocks[0].claim_ids == ("a",)
    assert [d.code for d in note.diagnostics] == [Code.DUPLICATE_CLAIM]


def test_a_claim_line_logseq_reads_as_text_is_a_warning() -> None:
    # After a quote, Logseq reads `claim:: x` as more of the quote.
    note = build_note(page(block("> quote\nclaim:: lost", line=4)), file_title="x")
    assert note.blocks[0].claims == ()
    (diagnostic,) = note.diagnostics
    assert (diagnostic.code, diagnostic.span.line_start) == (Code.CLAIM_IN_TEXT, 5)
    assert "'- claim:: <id>' before the quote" in diagnostic.message


@pytest.mark.parametrize(
    ("source", "claim_line"),
    [
        # Properties on the bullet line are left out of the content: lines still count.
        ("- collapsed:: true\n  > q ([s](https://x.y/#:~:text=q))\n  claim:: y\n", 3),
        ("- t\n  collapsed:: true\n\n  > q ([s](https://a.b/))\n  claim:: y\n", 5),
    ],
)
def test_claim_in_text_is_on_its_file_line(source: str, claim_line: int) -> None:
    note = build_note(parse_page(source.encode(), "notes/pages/x.md"), file_title="x")
    (diagnostic,) = note.diagnostics
    assert (diagnostic.code, diagnostic.span.line_start) == (Code.CLAIM_IN_TEXT, claim_line)


def test_source_link_is_on_its_file_line_after_bullet_line_properties() -> None:
    source = "- collapsed:: true\n  id:: 64a0c0de-0000-4000-8000-000000000001\n  > q\n"
    source += "  > r ([s](https://a.b/))\n"
    note = build_note(parse_page(source.encode(), "notes/pages/x.md"), file_title="x")
    (highlight,) = note.blocks
    assert highlight.source_link is not None
    assert highlight.source_link.span == SourceSpan("notes/pages/x.md", 4, 4)


@pytest.mark.parametrize(
    ("source", "line", "fix"),
    [
        ("- > q\n  Claim:: x\n", 2, "'- claim:: <id>' before the quote"),  # any case
        ("- > q\n  claim :: x\n", 2, "no space before '::'"),  # never a property line
        ("- t\n  claim::x\n", 2, "one after"),
    ],
)
def test_every_claim_line_logseq_reads_as_text_warns(source: str, line: int, fix: str) -> None:
    note = build_note(parse_page(source.encode(), "notes/pages/x.md"), file_title="x")
    (diagnostic,) = note.diagnostics
    assert (diagnostic.code, diagnostic.span.line_start) == (Code.CLAIM_IN_TEXT, line)
    assert fix in diagnostic.message
    assert note.blocks[0].claims == ()


@pytest.mark.parametrize(
    "source",
    [
        "- t\n  CLAIM:: ok-id\n",  # a property: Logseq lower-cases keys
        "- example\n  ```\n  claim:: in-code\n  ```\n",  # code shows syntax, claims nothing
        "- example\n  #+BEGIN_SRC\n  claim:: in-src\n  #+END_SRC\n",
    ],
)
def test_claim_lines_that_are_properties_or_code_do_not_warn(source: str) -> None:
    note = build_note(parse_page(source.encode(), "notes/pages/x.md"), file_title="x")
    assert note.diagnostics == ()


@pytest.mark.parametrize(
    ("source", "line"),
    [("claim:: page-c\n\n- > q\n", 1), ("---\ntitle: T\nclaim: page-c\n---\n- > q\n", 3)],
)
def test_a_claim_in_the_page_properties_warns_and_names_nothing(source: str, line: int) -> None:
    note = build_note(parse_page(source.encode(), "notes/pages/x.md"), file_title="x")
    (diagnostic,) = note.diagnostics
    assert (diagnostic.code, diagnostic.severity) == (Code.CLAIM_ON_PAGE, "warning")
    assert str(diagnostic).startswith(
        f"notes/pages/x.md:{line}: claim:: 'page-c' in page properties names no block; "
        "put it on the highlight's bullet line"
    )
    assert [b.claim_ids for b in note.walk()] == [()]


def test_logbook_drawers_are_kept_in_the_page_but_not_shown() -> None:
    # Logseq keeps its clock entries in a :LOGBOOK: drawer and folds it away.
    source = (
        "- TODO read this\n"
        "  :LOGBOOK:\n"
        "  CLOCK: [2024-01-01 Mon 10:00]--[2024-01-01 Mon 11:00] =>  01:00:00\n"
        "  :END:\n"
        "  > the quote ([src](https://e.example/))\n"
        "- > a quote\n"
        "  :LOGBOOK:\n"  # after a quote Logseq reads it as more of the quote: shown
        "- other\n"
        "  :notes:\n"  # other drawers are shown (Logseq shows them folded)
        "  kept\n"
        "  :end:\n"
    )
    page = parse_page(source.encode(), "notes/pages/x.md")
    note = build_note(page, file_title="x")
    first, second, third = note.blocks
    assert first.text == "TODO read this\n> the quote ([src](https://e.example/))"
    assert ":LOGBOOK:" in first.block.content  # the parse is lossless
    assert page.serialize() == source.encode()
    assert second.text == "a quote\n:LOGBOOK:"
    assert third.text == "other\n:notes:\nkept\n:end:"


def test_a_quote_after_two_spaces_is_a_highlight() -> None:
    # Logseq takes all white space after the bullet off: '-  > x' shows a quote.
    note = build_note(parse_page(b"-  > x ([s](https://e.example/))\n", "x.md"), file_title="x")
    (block,) = note.blocks
    assert (block.role, block.text, block.source_link is not None) == ("highlight", "x", True)
