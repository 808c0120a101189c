"""``notegen new``: the claim lands where Logseq reads it, the experiment is scaffolded,
and nothing the user wrote is lost or overwritten."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from notegen.cli import main
from notegen.link import build_graph
from notegen.parse import parse_page

REPO = Path(__file__).resolve().parents[2]
SEED_NAME = next((REPO / "notes" / "pages").glob("*.md")).name


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The repository's notes with the seed note as exported (no claims, no examples yet)."""
    shutil.copytree(REPO / "notes", tmp_path / "notes")
    shutil.copyfile(REPO / "tests" / "fixtures" / "seed" / "original.md", seed(tmp_path))
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n", encoding="utf-8")
    return tmp_path


def seed(project: Path) -> Path:
    return project / "notes" / "pages" / SEED_NAME


def _removed_lines(before: bytes, after: bytes) -> list[bytes]:
    """Lines of ``before`` that are not in ``after`` (as a multiset)."""
    rest = after.splitlines()
    gone = []
    for line in before.splitlines():
        if line in rest:
            rest.remove(line)
        else:
            gone.append(line)
    return gone


def test_claim_on_a_highlight_goes_on_the_bullet_line(project: Path, capsys) -> None:
    before = seed(project).read_bytes()
    page = parse_page(before, "seed.md")
    hash_block = page.blocks[3]
    assert hash_block.content.startswith("> hash trick")
    line = hash_block.span.line_start + 2  # any line of the block will do

    code = main(["new", f"{seed(project)}:{line}", "hash-same-size", "--root", str(project)])

    assert code == 0
    after = seed(project).read_bytes()
    changed = parse_page(after, "seed.md")
    # Logseq reads the property on the block itself, and nothing else moved.
    assert changed.blocks[3].properties == {"claim": "hash-same-size"}
    assert changed.blocks[3].content == hash_block.content
    assert [b.content for b in changed.walk()] == [b.content for b in page.walk()]
    # Only the bullet line of the highlight was split; every other line is intact.
    assert _removed_lines(before, after) == [before.splitlines()[hash_block.span.line_start - 1]]
    graph = build_graph(project / "notes", project)
    assert set(graph.claims) == {"hash-same-size"}
    test_file = project / "examples" / "test_hash_same_size.py"
    tree = ast.parse(test_file.read_text(encoding="utf-8"))
    [function] = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert function.name == "test_hash_same_size"
    assert "hash trick" in (ast.get_docstring(function) or "")
    out = capsys.readouterr()
    assert f"{hash_block.span.line_start}: claim:: hash-same-size" in out.out
    assert "pytest examples/test_hash_same_size.py::test_hash_same_size" in out.err


def test_second_claim_on_the_same_block_is_appended_and_module_reused(project: Path) -> None:
    note = seed(project)
    args = ["--root", str(project), "--experiment", "examples/test_hashing.py"]
    assert main(["new", str(note), "--match", "hash trick", "hash-same-size", *args]) == 0
    assert main(["new", str(note), "--match", "hash trick", "hash-compress", *args]) == 0

    page = parse_page(note.read_bytes(), "seed.md")
    assert page.blocks[3].properties["claim"] == "hash-same-size, hash-compress"
    module = (project / "examples" / "test_hashing.py").read_text(encoding="utf-8")
    names = [n.name for n in ast.parse(module).body if isinstance(n, ast.FunctionDef)]
    assert names == ["test_hash_same_size", "test_hash_compress"]


def test_claim_on_an_annotation_goes_after_its_first_line(project: Path) -> None:
    note = seed(project)
    before = note.read_bytes()
    assert main(["new", f"{note}:28", "later-layers-adapt", "--root", str(project)]) == 0
    after = note.read_bytes()
    assert _removed_lines(before, after) == []  # a whole line was added, nothing changed
    page = parse_page(after, "seed.md")
    annotation = page.blocks[4].children[1]
    assert annotation.content.startswith("📝 不认可的点")
    assert annotation.properties == {"claim": "later-layers-adapt"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["{note}:16", "Bad_Id"], "claim id 'Bad_Id' is not valid"),
        (["{note}:99", "x-y"], ":99: no block there; blocks start at lines 7, 8"),
        (["{note}", "x-y"], "say which block"),
        (["{note}", "--match", "📝", "x-y"], "must find exactly one block"),
        (["no such page", "x-y"], "no note 'no such page'"),
    ],
)
def test_bad_requests_write_nothing(project: Path, capsys, argv: list[str], message: str) -> None:
    note = seed(project)
    before = note.read_bytes()
    argv = [a.format(note=note) for a in argv]
    assert main(["new", *argv, "--root", str(project)]) == 2
    assert message in capsys.readouterr().err
    assert note.read_bytes() == before
    assert not (project / "examples").exists()


def test_used_claim_id_and_existing_test_are_refused(project: Path, capsys) -> None:
    note = seed(project)
    root = ["--root", str(project)]
    assert main(["new", f"{note}:16", "hash-same-size", *root]) == 0
    after_first = note.read_bytes()
    module = project / "examples" / "test_hash_same_size.py"
    module.write_text(module.read_text(encoding="utf-8") + "\n# my own edits\n", encoding="utf-8")
    edited = module.read_bytes()

    assert main(["new", f"{note}:31", "hash-same-size", *root]) == 2
    assert "is used already at" in capsys.readouterr().err
    # A test of that name in the module the user points at is never overwritten.
    assert main(["new", f"{note}:31", "din", "--experiment", str(module), *root]) == 0
    assert main(["new", f"{note}:26", "din-x", "--experiment", str(module), *root]) == 0
    (project / "examples" / "test_other.py").write_text(
        "def test_mismatch():\n    pass\n", encoding="utf-8"
    )
    assert (
        main(["new", f"{note}:10", "mismatch", "--experiment", "examples/test_other.py", *root])
        == 2
    )
    assert "already has test_mismatch()" in capsys.readouterr().err
    assert note.read_bytes() != after_first  # the two accepted claims were written
    assert module.read_bytes().startswith(edited)  # appended to, never rewritten


def test_dry_run_writes_nothing(project: Path, capsys) -> None:
    note = seed(project)
    before = note.read_bytes()
    assert (
        main(["new", f"{note}:31", "din-inner-product", "--dry-run", "--root", str(project)]) == 0
    )
    out = capsys.readouterr().out
    assert "would set claim:: din-inner-product" in out
    assert '@pytest.mark.claim("din-inner-product")' in out
    assert note.read_bytes() == before
    assert not (project / "examples").exists()


def test_scaffold_is_collected_and_reports_itself_unwritten(project: Path) -> None:
    """The scaffold is a real experiment pytest collects, which fails loudly until written."""
    note = seed(project)
    assert main(["new", f"{note}:31", "din-inner-product", "--root", str(project)]) == 0
    (project / "pyproject.toml").write_text("[tool.pytest.ini_options]\n", encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:hypothesispytest",
            "examples",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "write the experiment for claim 'din-inner-product'" in proc.stdout
    assert "test_din_inner_product.py:" in proc.stdout
