"""set_block_property: the one property added where Logseq reads it, every other byte kept."""

from __future__ import annotations

import pytest

from notegen.errors import ParseError
from notegen.parse import Page, parse_page, read_page, set_block_property

from .support import SEED


def _set(text: str | bytes, index: int, key: str = "claim", value: str = "a-claim") -> str:
    data = text.encode() if isinstance(text, str) else text
    page = parse_page(data, "p.md")
    block = list(page.walk())[index]
    new = set_block_property(page, block, key, value)
    reparsed = list(parse_page(new, "p.md").walk())[index]
    assert reparsed.properties[key] == value
    return new.decode("utf-8", errors="surrogateescape")


def test_after_the_first_line_of_a_plain_block() -> None:
    assert _set("- a note\n  more\n- next\n", 0) == "- a note\n  claim:: a-claim\n  more\n- next\n"


def test_nested_block_gets_its_own_indentation() -> None:
    text = "- parent\n  - child\n    - grandchild\n"
    assert _set(text, 2) == "- parent\n  - child\n    - grandchild\n      claim:: a-claim\n"


def test_tab_indentation_is_matched() -> None:
    assert _set("- a\n\t- b\n", 1) == "- a\n\t- b\n\t  claim:: a-claim\n"


def test_a_quote_gets_the_property_on_its_bullet_line() -> None:
    # After the quote line it would be part of the quote for Logseq.
    assert _set("- > quoted\n  more quote\n", 0) == "- claim:: a-claim\n  > quoted\n  more quote\n"


def test_a_code_block_gets_the_property_on_its_bullet_line() -> None:
    text = "- ```py\n  x = 1\n  ```\n"
    assert _set(text, 0) == "- claim:: a-claim\n  ```py\n  x = 1\n  ```\n"


def test_appended_to_the_first_property_group() -> None:
    text = "- a\n  id:: 6571a6b5-52a4-4bbc-9e5a-b0f4c3e1a2f0\n  text\n"
    expected = "- a\n  id:: 6571a6b5-52a4-4bbc-9e5a-b0f4c3e1a2f0\n  claim:: a-claim\n  text\n"
    assert _set(text, 0) == expected


def test_an_existing_key_is_replaced_in_place() -> None:
    text = "- a\n  Claim:: old-one\n  other:: x\n"
    assert _set(text, 0) == "- a\n  Claim:: a-claim\n  other:: x\n"


def test_crlf_files_get_crlf() -> None:
    assert _set("- a\r\n- b\r\n", 1) == "- a\r\n- b\r\n  claim:: a-claim\r\n"


def test_a_file_without_final_line_ending() -> None:
    assert _set("- a", 0) == "- a\n  claim:: a-claim"


def test_an_empty_bullet() -> None:
    assert _set("-\n- b\n", 0) == "- claim:: a-claim\n- b\n"
    assert _set("- \n- b\n", 0) == "- claim:: a-claim\n- b\n"


def test_byte_order_mark_and_bad_bytes_are_kept() -> None:
    data = b"\xef\xbb\xbf- caf\xe9\n- b\n"
    page = parse_page(data, "p.md")
    new = set_block_property(page, page.blocks[1], "claim", "x")
    assert new == b"\xef\xbb\xbf- caf\xe9\n- b\n  claim:: x\n"


def test_page_properties_in_the_pre_block() -> None:
    text = "title:: T\nintro text\n- a\n"
    assert _set(text, 0, "status", "draft") == "title:: T\nstatus:: draft\nintro text\n- a\n"


def test_org_style_drawer() -> None:
    text = "- a\n  :PROPERTIES:\n  :x: 1\n  :END:\n"
    assert _set(text, 0) == "- a\n  :PROPERTIES:\n  :x: 1\n  :claim: a-claim\n  :END:\n"


def test_the_seed_hash_trick_highlight() -> None:
    page = read_page(SEED)
    block = page.blocks[3]
    new = set_block_property(page, block, "claim", "hash-same-size, hash-compress")
    old = SEED.read_bytes()
    inserted = b"claim:: hash-same-size, hash-compress\n  "
    cut = old.index(b"- > hash trick") + 2
    assert new == old[:cut] + inserted + old[cut:]
    again = parse_page(new, str(SEED))
    assert again.blocks[3].properties == {"claim": "hash-same-size, hash-compress"}
    assert [b.content for b in again.walk()] == [b.content for b in page.walk()]


def test_the_seed_annotation() -> None:
    page = read_page(SEED)
    annotation = page.blocks[0].children[0]
    new = set_block_property(page, annotation, "claim", "emb-params")
    assert "    claim:: emb-params\n" in new.decode()
    assert parse_page(new, "x").blocks[0].children[0].properties == {"claim": "emb-params"}


@pytest.mark.parametrize("key", ["", "two words", "a:b", "back`tick"])
def test_bad_keys_are_refused(key: str) -> None:
    page = parse_page(b"- a\n", "p.md")
    with pytest.raises(ValueError, match="cannot be written"):
        set_block_property(page, page.blocks[0], key, "v")


def test_multi_line_values_are_refused() -> None:
    page = parse_page(b"- a\n", "p.md")
    with pytest.raises(ValueError, match="one line"):
        set_block_property(page, page.blocks[0], "k", "a\nb")


def test_a_block_of_another_page_is_refused() -> None:
    page = parse_page(b"- a\n", "p.md")
    other: Page = parse_page(b"- a\n", "q.md")
    with pytest.raises(ValueError, match="not one of this page's blocks"):
        set_block_property(page, other.blocks[0], "k", "v")


def test_front_matter_page_properties_are_refused_with_a_message() -> None:
    page = parse_page(b"---\ntitle: T\n---\nintro\n- a\n", "p.md")
    with pytest.raises(ParseError, match="front matter"):
        set_block_property(page, page.blocks[0], "k", "v")
