"""``notegen parse FILE [--json]``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notegen.cli import main
from notegen.commands.parse import page_to_json
from notegen.parse import read_page

from .support import SEED


def test_json_has_the_design_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(SEED), "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = json.loads(out)
    assert data == page_to_json(read_page(SEED))
    assert list(data) == ["properties", "blocks"]
    assert len(data["properties"]) == 4
    assert len(data["blocks"]) == 6
    assert sum(len(b["children"]) for b in data["blocks"]) == 9
    for block in data["blocks"]:
        assert list(block) == ["content", "properties", "children"]
    assert "【Reading Highlights】" in out  # ensure_ascii=False
    assert out.startswith('{\n  "properties": {\n')  # indent 2


def test_outline_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(SEED)]) == 0
    out, _ = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].startswith("title:: 【Reading Highlights】")
    assert sum(1 for line in lines if line.startswith("- > ")) == 6
    assert sum(1 for line in lines if line.startswith("  - 📝")) == 9
    assert "(+7 lines)" in out  # the hash-trick highlight
    assert "[line 16]" in out


def test_warnings_go_to_stderr_and_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "p.md"
    page.write_text("- a\n- see [[broken\n", encoding="utf-8")
    assert main(["parse", str(page), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["blocks"][1]["content"] == "see [[broken"
    assert (
        err == f"{page}:2: unclosed [[: Logseq shows it as text, not as a link; "
        "close it with ]] [notegen.unclosed-link]\n"
    )
    assert main(["parse", str(page), "--strict"]) == 1


def test_errors_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "latin1.md"
    page.write_bytes(b"- caf\xe9\n")
    assert main(["parse", str(page)]) == 1
    _, err = capsys.readouterr()
    assert f"{page}:1: bytes that are not UTF-8" in err
    assert err.rstrip().endswith("[notegen.not-utf8]")


def test_missing_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(tmp_path / "nope.md")]) == 1
    _, err = capsys.readouterr()
    assert "[notegen.unreadable]" in err
