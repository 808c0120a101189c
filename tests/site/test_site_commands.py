"""``notegen build`` and ``notegen serve``, and the plugin's serve-time watching."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mkdocs.config import load_config

from notegen.cli import main
from notegen.mkdocs_plugin.plugin import NotegenPlugin

TINYSITE = Path(__file__).resolve().parent.parent / "tinysite"


def test_build_without_running_experiments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    config = str(TINYSITE / "mkdocs.yml")
    assert main(["build", "--no-run", "--strict", "-f", config, "-d", str(tmp_path / "s")]) == 0
    assert (tmp_path / "s" / "notes" / "reading-embeddings" / "index.html").is_file()
    capsys.readouterr()


def test_build_strict_fails_on_a_bad_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    project = tmp_path / "project"
    shutil.copytree(TINYSITE, project)
    (project / "notes" / "pages" / "bad.md").write_text("- x\n  claim:: Not_Valid\n")
    config = str(project / "mkdocs.yml")
    site = str(tmp_path / "s")
    assert main(["build", "--no-run", "-f", config, "-d", site]) == 0
    assert main(["build", "--no-run", "--strict", "-f", config, "-d", site]) != 0
    capsys.readouterr()


@pytest.mark.parametrize("command", ["build", "serve"])
def test_a_missing_config_is_named(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "-f", str(tmp_path / "nope.yml")]) == 2
    assert "nope.yml" in capsys.readouterr().err


class Server:
    def __init__(self) -> None:
        self.watched: list[str] = []

    def watch(self, path: str) -> None:
        self.watched.append(path)


def test_serve_rebuilds_when_notes_results_or_examples_change(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(TINYSITE, project)
    shutil.rmtree(project / "examples")  # a knowledge base without experiments yet
    config = load_config(str(project / "mkdocs.yml"))
    plugin = config.plugins["notegen"]
    assert isinstance(plugin, NotegenPlugin)
    plugin.on_config(config)
    server = Server()
    plugin.on_serve(server, config=config, builder=None)  # type: ignore[arg-type]
    # examples/ does not exist here, so it is not watched.
    assert server.watched == [str(project / "notes"), str(project / "results")]
