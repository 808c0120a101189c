"""The command line's edges: bad option values, a closed pipe, a project without docs/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from notegen.cli import main
from notegen.commands.build import ensure_docs_dir


@pytest.mark.parametrize("value", ["abc", "-1", "1.5"])
def test_run_refuses_a_bad_worker_count(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "-n", value, "--dry-run"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument -n/--workers: {value!r} is not a number of worker processes" in err
    assert "Traceback" not in err


def test_status_into_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    """`notegen status | head -1`: the reader leaves early; no traceback."""
    examples = tmp_path / "examples"
    examples.mkdir()
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    body = "import pytest\n" + "".join(
        f"\n@pytest.mark.claim('c{i}')\ndef test_{i}(measure):\n    pass\n" for i in range(3000)
    )
    (examples / "test_many.py").write_text(body, encoding="utf-8")
    proc = subprocess.run(
        f"{sys.executable} -m notegen status --root {tmp_path} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.startswith("claim")
    assert proc.stderr == ""


@pytest.mark.parametrize(
    ("config", "docs"),
    [
        ("site_name: t\nplugins:\n  - notegen\n", "docs"),
        ("site_name: t\ndocs_dir: 'pages' # hand-written\n", "pages"),
    ],
)
def test_build_creates_a_missing_docs_dir(
    tmp_path: Path, config: str, docs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """MkDocs refuses to build without its docs_dir; a fresh notegen project has none."""
    mkdocs_yml = tmp_path / "mkdocs.yml"
    mkdocs_yml.write_text(config, encoding="utf-8")
    ensure_docs_dir(mkdocs_yml)
    assert (tmp_path / docs).is_dir()
    assert f"created {tmp_path / docs}" in capsys.readouterr().err
    ensure_docs_dir(mkdocs_yml)  # there already: nothing to say
    assert capsys.readouterr().err == ""


def test_status_refuses_a_notes_folder_that_holds_no_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--notes` given: a missing folder or one without pages/ is an error, as in `check`."""
    from notegen.cli import main

    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "examples").mkdir()
    assert main(["status", "--root", str(tmp_path)]) == 0  # no notes/ by default: fine
    capsys.readouterr()
    assert main(["status", "--root", str(tmp_path), "--notes", "nowhere"]) == 2
    assert "notes folder 'nowhere' does not exist" in capsys.readouterr().err
    (tmp_path / "notes" / "pages").mkdir(parents=True)
    assert main(["status", "--root", str(tmp_path), "--notes", "notes/pages"]) == 2
    assert "has no pages/ or journals/ folder" in capsys.readouterr().err
    assert main(["status", "--root", str(tmp_path), "--notes", "notes"]) == 0
