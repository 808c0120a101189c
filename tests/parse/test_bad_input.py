"""Bad input: errors for unreadable and non-UTF-8 files, warnings with the right lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from notegen.diagnostics import Code, has_errors
from notegen.link import link_notes
from notegen.model import build_note
from notegen.parse import parse_page, read_page


def test_missing_file_is_an_error_not_an_exception(tmp_path: Path) -> None:
    page = read_page(tmp_path / "gone.md", display_path="notes/pages/gone.md")
    assert page.blocks == ()
    [diagnostic] = page.diagnostics
    assert diagnostic.code is Code.UNREADABLE
    assert has_errors(page.diagnostics)
    assert str(diagnostic).startswith("notes/pages/gone.md:1: cannot read this file (")
    assert str(diagnostic).endswith("[notegen.unreadable]")


def test_a_folder_is_unreadable(tmp_path: Path) -> None:
    page = read_page(tmp_path)
    assert [d.code for d in page.diagnostics] == [Code.UNREADABLE]


def test_bytes_that_are_not_utf8_are_an_error_and_the_rest_is_parsed(tmp_path: Path) -> None:
    data = b"title:: Latin-1\n- first\n- caf" + b"\xe9 au lait\n- last [[ok]]\n"
    path = tmp_path / "latin1.md"
    path.write_bytes(data)
    page = read_page(path, display_path="latin1.md")
    [diagnostic] = page.diagnostics
    assert diagnostic.code is Code.NOT_UTF8
    assert diagnostic.span.line_start == 3
    assert "save the file as UTF-8" in diagnostic.message
    assert [b.content for b in page.blocks] == ["first", "caf\ufffd au lait", "last [[ok]]"]
    assert page.properties == {"title": "Latin-1"}
    assert page.serialize() == data  # the bad byte is kept


def test_many_bad_lines_are_summed_up() -> None:
    data = b"".join(b"- line \xff\n" for _ in range(30))
    page = parse_page(data, "bad.md")
    assert all(d.code is Code.NOT_UTF8 for d in page.diagnostics)
    assert len(page.diagnostics) == 21
    assert "10 more lines" in page.diagnostics[-1].message
    assert page.serialize() == data


def test_every_warning_names_its_line_and_the_fix() -> None:
    text = "\n".join(
        [
            "- fine",  # 1
            "- see [[unclosed",  # 2
            "  :: no key",  # 3
            "\t  - mixed indentation",  # 4
            "- block",  # 5
            "  first:: 1",  # 6
            "  text",  # 7
            "  second:: 2",  # 8
            "  bad`key:: 3",  # 9
            "- code",  # 10
            "  ```",  # 11
            "  never closed",  # 12
        ]
    )
    page = parse_page(text.encode(), "notes/pages/p.md")
    found = sorted((d.span.line_start, d.code) for d in page.diagnostics)
    assert found == [
        (2, Code.UNCLOSED_LINK),
        (3, Code.PROPERTY_NO_KEY),
        (4, Code.MIXED_INDENT),
        (8, Code.IGNORED_PROPERTIES),
        (11, Code.UNCLOSED_FENCE),
    ]
    for d in page.diagnostics:
        assert d.severity == "warning"
        assert str(d).startswith(f"notes/pages/p.md:{d.span.line_start}: ")
    assert not has_errors(page.diagnostics)
    assert has_errors(page.diagnostics, strict=True)
    messages = {d.code: d.message for d in page.diagnostics}
    assert "close it with ]]" in messages[Code.UNCLOSED_LINK]
    assert "write 'key:: value'" in messages[Code.PROPERTY_NO_KEY]
    assert "tabs only or spaces only" in messages[Code.MIXED_INDENT]
    assert "add a closing ``` line" in messages[Code.UNCLOSED_FENCE]


def test_the_second_group_with_a_bad_key_warns_once_per_problem() -> None:
    page = parse_page(b"- a\n  good:: 1\n  bad`key:: 2\n", "p.md")
    assert [(d.code, d.span.line_start) for d in page.diagnostics] == [(Code.BAD_PROPERTY_KEY, 3)]
    assert page.blocks[0].properties == {"good": "1"}


def test_blocks_nested_hundreds_deep_are_read_without_recursion() -> None:
    data = "".join("\t" * i + f"- b{i}\n" for i in range(500)).encode()
    page = parse_page(data, "deep.md")
    assert page.serialize() == data
    assert [b.content for b in page.walk()] == [f"b{i}" for i in range(500)]
    assert page.diagnostics == ()
    note = build_note(page, file_title="deep")  # the model builds it too
    assert [b.text for b in note.walk()][-1] == "b499"
    graph = link_notes([note])  # and the graph links it
    assert graph.resolve("deep") is not None


@pytest.mark.parametrize(
    "data",
    [
        b"- x\n" + b"".join(b"  " * (i + 1) + b"* item\n" for i in range(600)),  # nested lists
        b"- " + b"[[" * 1500 + b"x" + b"]]" * 1500 + b"\n",  # nested links
        b"- " + b"> " * 2000 + b"x\n",
    ],
    ids=["lists", "links", "quote-marks"],
)
def test_deep_constructs_in_a_block_parse(data: bytes) -> None:
    page = parse_page(data, "deep.md")
    assert page.serialize() == data
    assert not has_errors(page.diagnostics)


def test_front_matter_nested_too_deeply_is_a_warning_not_a_crash() -> None:
    data = b"---\ntags: " + b"[" * 1000 + b"\n---\n- x\n"
    page = parse_page(data, "notes/pages/p.md")
    assert page.serialize() == data
    assert [b.content for b in page.blocks] == ["x"]
    bad = [d for d in page.diagnostics if d.code is Code.BAD_FRONT_MATTER]
    assert [d.span.line_start for d in bad] == [2]
    assert "too deeply" in bad[0].message
