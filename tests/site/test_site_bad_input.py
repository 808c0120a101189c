"""Bad notes: the site still builds every other note, logs each problem as a
MkDocs warning, and ``--strict`` fails; ``notegen check`` lists them all."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from notegen.cli import main

TINYSITE = Path(__file__).resolve().parent.parent / "tinysite"

BAD_NOTES: dict[str, bytes] = {
    "gbk.md": "- 第一行\n".encode() + "- 第二行 GBK\n".encode("gbk"),
    "claims.md": (
        b"- claim:: shared-id\n"
        b"  > first\n"
        b"- claim:: shared-id, Bad_ID\n"
        b"  > second\n"
        b"- > third <script>alert(1)</script>\n"
        b"  claim:: swallowed-by-the-quote\n"
        b"  - \xf0\x9f\x93\x9d no claim on or above me\n"
    ),
    "dated.md": b"date:: someday\n\n- text\n",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bad") / "project"
    shutil.copytree(TINYSITE, root)
    for name, data in BAD_NOTES.items():
        (root / "notes" / "pages" / name).write_bytes(data)
    os.symlink(root / "nowhere.md", root / "notes" / "pages" / "gone.md")
    return root


def build(root: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(root / "site"), *extra],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


EXPECTED = [
    "notes/pages/claims.md:1: claim id 'shared-id' is also used at notes/pages/claims.md:3",
    "notes/pages/claims.md:3: claim id 'Bad_ID' is not valid",
    "notes/pages/claims.md:3: claim id 'shared-id' is also used at notes/pages/claims.md:1",
    "notes/pages/claims.md:6: this claim:: line is read by Logseq as text of the block",
    "notes/pages/dated.md:1: date 'someday' is in no known form",
    "notes/pages/gbk.md:2: bytes that are not UTF-8",
    "notes/pages/gone.md:1: cannot read this file",
]


def test_build_logs_every_problem_and_builds_the_rest(project: Path) -> None:
    done = build(project)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "[notegen." in line]
    for expected in EXPECTED:
        assert any(expected in w and w.startswith("WARNING") for w in warnings), expected
    site = project / "site"
    assert (site / "notes" / "reading-embeddings" / "index.html").is_file()
    claims = (site / "notes" / "claims" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in claims
    # Bytes that are not UTF-8 show as U+FFFD; the rest of that note is kept.
    assert "第一行" in (site / "notes" / "gbk" / "index.html").read_text(encoding="utf-8")


def test_strict_build_fails(project: Path) -> None:
    done = build(project, "--strict")
    assert done.returncode != 0
    assert "[notegen.duplicate-claim]" in done.stderr


def test_check_prints_every_problem_sorted_and_fails(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", "--root", str(project)])
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert code == 1
    for expected in EXPECTED:
        assert any(line.startswith(expected) for line in lines), expected
    assert all(line.endswith("]") and "[notegen." in line for line in lines)
    keys = [(line.split(":")[0], int(line.split(":")[1])) for line in lines]
    assert keys == sorted(keys)
    # Annotations without a claim are reported too (issue 3, item 7).
    assert any(
        line.startswith("notes/pages/claims.md:7: annotation has no claim")
        and line.endswith("[notegen.annotation-without-claim]")
        for line in lines
    )
    assert "error(s)" in out.err


def test_check_exit_codes_for_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes" / "pages").mkdir(parents=True)
    (tmp_path / "notes" / "pages" / "a.md").write_text("date:: someday\n\n- x\n", encoding="utf-8")
    assert main(["check", "--root", str(tmp_path)]) == 0
    assert main(["check", "--root", str(tmp_path), "--strict"]) == 1
    (tmp_path / "notes" / "pages" / "a.md").write_text("- fine\n", encoding="utf-8")
    assert main(["check", "--root", str(tmp_path), "--strict"]) == 0
    capsys.readouterr()


def test_check_names_a_missing_notes_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--root", str(tmp_path)]) == 2
    assert "notes folder" in capsys.readouterr().err


def test_check_links_claims_and_experiments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes" / "pages").mkdir(parents=True)
    (tmp_path / "notes" / "pages" / "a.md").write_text(
        "- claim:: hash-same-size\n  > one\n  - 📝 mine\n- claim:: untested\n  > two\n",
        encoding="utf-8",
    )
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "test_x.py").write_text(
        "import pytest\n\n\n"
        '@pytest.mark.claim("hash-same-size")\n'
        "def test_ok(measure):\n    pass\n\n\n"
        '@pytest.mark.claim("hash-same-sise")\n'
        "def test_typo(measure):\n    pass\n",
        encoding="utf-8",
    )
    assert main(["check", "--root", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "examples/test_x.py:10: experiment examples/test_x.py::test_typo checks claim "
        "'hash-same-sise', which no note names; did you mean 'hash-same-size'? add "
        "'claim:: hash-same-sise' to the block it tests, or fix the id "
        "[notegen.experiment-without-claim]",
        "notes/pages/a.md:4: claim 'untested' has no experiment; write a test marked "
        "@pytest.mark.claim('untested') under examples/ [notegen.claim-without-experiment]",
    ]
