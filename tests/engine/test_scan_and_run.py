"""Static experiment scan (against pytest's own collection), ``notegen run`` and ``status``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from notegen.cli import main
from notegen.commands.run import run_experiments
from notegen.diagnostics import Code
from notegen.link.experiments import collect_experiments, scan_experiments

pytest_plugins = ["pytester"]

SCANNED = '''
import pytest
from pytest import mark

pytestmark = pytest.mark.claim("module-claim")
VALUES = [1, 2]
DYNAMIC = list(range(1, 3))
CHANGED = [3]
CHANGED.append(4)


@pytest.mark.claim("a-1", "a-2", expect="refuted", timeout=5)
def test_one(measure):
    """Doc one."""


@pytest.mark.parametrize("lr", [0.1, 1, "adam", None, True])
@pytest.mark.parametrize("k,v", [(1, 2), pytest.param(3, 4, id="p")])
@mark.claim("b")
def test_two(lr, k, v):
    pass


@pytest.mark.parametrize("x", [object(), object()])
@pytest.mark.claim("c")
def test_object_params(x):
    pass


@pytest.mark.parametrize("x", VALUES)
@pytest.mark.claim("c")
def test_constant_params(x):
    pass


@pytest.mark.parametrize("x", DYNAMIC)
@pytest.mark.claim("c")
def test_unknown_params(x):
    pass


@pytest.mark.parametrize("x", [1, len, CHANGED])
@pytest.mark.claim("c")
def test_unknown_values(x):
    pass


@pytest.mark.claim("d")
class TestGroup:
    @pytest.mark.claim("e", expect="inconclusive")
    def test_m(self):
        pass


@pytest.mark.claim("Bad_Id")
def test_bad():
    pass


def helper():
    pass
'''


def test_scan_matches_pytest_collection(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_scanned=SCANNED)
    experiments, diags = scan_experiments(pytester.path, pytester.path)
    by_name = {e.function: e for e in experiments}
    one = by_name["test_one"]
    assert one.claims == ("module-claim", "a-1", "a-2")
    assert (one.expect, one.timeout, one.doc) == ("refuted", 5.0, "Doc one.")
    assert str(one.span) == "test_scanned.py:12"
    assert by_name["TestGroup.test_m"].claims == ("module-claim", "d", "e")
    assert by_name["TestGroup.test_m"].expect == "inconclusive"
    assert by_name["test_unknown_params"].params is None
    assert by_name["test_unknown_values"].params is None  # `len` is named by pytest at run time
    assert by_name["test_constant_params"].params == ("1", "2")
    assert [d.code for d in diags] == [Code.BAD_CLAIM_ID]
    assert str(diags[0]).startswith("test_scanned.py:54: claim id 'Bad_Id'")

    collected = pytester.runpytest(
        "--collect-only", "-q", "-p", "no:notegen", "-W", "ignore::pytest.PytestUnknownMarkWarning"
    )
    pytest_ids = {line for line in collected.outlines if "::" in line}
    static_ids = {n for e in experiments if e.params is not None for n in e.node_ids}
    assert static_ids <= pytest_ids
    assert pytest_ids - static_ids == {
        "test_scanned.py::test_unknown_params[1]",
        "test_scanned.py::test_unknown_params[2]",
        "test_scanned.py::test_unknown_values[1]",
        "test_scanned.py::test_unknown_values[len]",
        "test_scanned.py::test_unknown_values[x2]",
        "test_scanned.py::test_object_params[x0]",
        "test_scanned.py::test_object_params[x1]",
    }
    # Values that are not literals are named by what they are at run time.
    assert by_name["test_object_params"].params is None
    unknown = by_name["test_unknown_params"]
    assert unknown.owns("test_scanned.py::test_unknown_params[1]")
    assert not unknown.owns("test_scanned.py::test_unknown_params_more")


def test_scan_reports_unparseable_files(tmp_path: Path) -> None:
    (tmp_path / "test_broken.py").write_text("def test_x(:\n", encoding="utf-8")
    (tmp_path / "helper.py").write_text("def test_not_a_test_file(:\n", encoding="utf-8")
    experiments, diags = scan_experiments(tmp_path, tmp_path)
    assert experiments == []
    assert [(d.code, d.span.path) for d in diags] == [(Code.EXPERIMENT_INVALID, "test_broken.py")]
    assert collect_experiments(tmp_path / "absent", tmp_path) == []


def _run(root: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    rc = run_experiments(root, out=out, pytest_args=["-p", "no:hypothesispytest"], **_kw(args))
    return rc, out.getvalue()


def _kw(args: tuple[str, ...]) -> dict[str, object]:
    kw: dict[str, object] = {"workers": 1}
    for a in args:
        if a == "--all":
            kw["all"] = True
        elif a == "--dry-run":
            kw["dry_run"] = True
        elif a.startswith("-k="):
            kw["keyword"] = a[3:]
        else:
            kw.setdefault("targets", []).append(a)  # type: ignore[union-attr]
    return kw


def test_run_runs_stale_and_unmeasured_once(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(demo)
    rc, out = _run(demo)
    assert rc == 0, out
    assert "3 of 3 experiment(s) to run" in out
    assert "(not measured)" in out
    assert "[3/3]" in out and "refuted, as declared" in out
    assert "3 experiment(s) run" in out and "3 as declared, 0 not" in out
    assert len(list((demo / "results").glob("*.json"))) == 3

    rc, out = _run(demo)
    assert (rc, out) == (0, "notegen run: nothing to run; 3 experiment(s) up to date\n")

    # A helper change re-runs only the experiments importing it.
    data = demo / "examples/ctr/data.py"
    data.write_text(data.read_text("utf-8").replace("0.002", "0.003"), encoding="utf-8")
    rc, out = _run(demo, "--dry-run")
    assert rc == 0
    assert "2 of 3 experiment(s) to run" in out
    assert "(examples/ctr/data.py changed)" in out and "test_half" not in out
    rc, out = _run(demo)
    assert rc == 0 and "2 experiment(s) run" in out
    assert _run(demo)[1].startswith("notegen run: nothing to run")

    # Selection by path and -k, and --all.
    assert (
        "1 of 1 experiment(s) to run"
        in _run(demo, "--all", "--dry-run", "examples/test_other.py")[1]
    )
    assert "1 of 1 experiment(s) to run" in _run(demo, "--all", "--dry-run", "-k=pretrained")[1]
    assert "3 of 3" in _run(demo, "--all", "--dry-run")[1]


def test_run_reports_broken_and_moved(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(demo)
    assert _run(demo)[0] == 0
    test = demo / "examples/test_ctr.py"
    src = test.read_text("utf-8")
    test.write_text(
        src.replace(
            "scores(seeds, 0.30), scores(seeds, 0.28)", "scores(seeds, 0.25), scores(seeds, 0.28)"
        ).replace(
            '    """The opposite claim, declared refuted."""',
            '    """The opposite claim, declared refuted."""\n    1 / 0',
        ),
        encoding="utf-8",
    )
    rc, out = _run(demo)
    assert rc == 1
    assert "REFUTED (declared supported)" in out
    assert "BROKEN" in out and "ZeroDivisionError" in out
    assert "=== measurements that moved" in out
    assert "verdict flipped: supported → refuted" in out
    # Nothing left to run, but the knowledge base is not as declared: exit 1.
    rc, out = _run(demo)
    assert rc == 1 and "2 of them ended other than declared" in out


def test_noop_run_imports_neither_pytest_nor_torch(demo: Path) -> None:
    (demo / "results").mkdir()
    code = (
        "import sys\nfrom notegen.cli import main\n"
        f"rc = main(['run', '--root', {str(demo)!r}, '--dry-run'])\n"
        "print('torch' in sys.modules, 'pytest' in sys.modules, 'numpy' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines()[-1] == "False False False"


def test_status_table_and_json(
    demo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(demo)
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "end-to-end-better  examples/test_ctr.py::test_end_to_end_is_better" in out
    assert out.rstrip().endswith("3 not measured")
    assert _run(demo)[0] == 0
    helper = demo / "examples/other/util.py"
    helper.write_text(helper.read_text("utf-8") + "\n", encoding="utf-8")
    assert main(["status", "--json"]) == 0
    rows = {r["claim"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["half"]["state"] == "stale"
    assert rows["half"]["why"] == "examples/other/util.py changed"
    assert rows["pretrained-better"]["verdict"] == "refuted"
    assert rows["pretrained-better"]["as_declared"] is True
    assert rows["end-to-end-better"]["summary"].startswith("end-to-end minus pretrained: +0.0")
    assert rows["end-to-end-better"]["state"] == "fresh"

    # Every claim in the notes is listed, those without an experiment too.
    page = demo / "notes/pages/n.md"
    page.parent.mkdir(parents=True)
    page.write_text("- A claim nobody tested yet\n  claim:: lonely\n- half\n  claim:: half\n")
    assert main(["status", "--json"]) == 0
    rows = {r["claim"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["lonely"]["state"] == "no experiment"
    assert rows["lonely"]["claim_site"] == "notes/pages/n.md:2"
    assert rows["half"]["claim_site"] == "notes/pages/n.md:4"
    assert rows["pretrained-better"]["state"] == "no claim in notes"
    assert main(["status", "--wide"]) == 0
    lines = capsys.readouterr().out.splitlines()
    lonely = next(line for line in lines if line.startswith("lonely "))
    assert lonely.split() == ["lonely", "—", "no", "experiment", "no", "experiment"]
    # --wide (or output that is not a terminal) cuts nothing.
    assert any(line.endswith("no `claim::` with this id in the notes") for line in lines)


def _project(tmp_path: Path, **files: str) -> Path:
    """A tiny project: pyproject.toml and the given files (``/`` in keys for folders)."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nnotegen_timeout = "30"\nnotegen_timeout_grace = "1"\n',
        encoding="utf-8",
    )
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


DYNAMIC_PARAMS = """
import json
from pathlib import Path
import pytest

SIZES = json.loads(Path(__file__).with_name("sizes.json").read_text())
BAD = json.loads(Path(__file__).with_name("bad.json").read_text())

@pytest.mark.claim("dyn")
@pytest.mark.parametrize("n", SIZES)
def test_dyn(measure, n):
    assert n not in BAD, "bad size"
    measure.metric("m", float(n))
"""


def test_run_finds_instances_not_known_statically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Parameters read at import time: pytest is handed the function, so new instances
    run (with --all, or with --failed beside the failed one), and measured instances
    that are up to date are deselected."""
    root = _project(
        tmp_path,
        **{
            "examples/test_d.py": DYNAMIC_PARAMS,
            "examples/sizes.json": "[1, 2]",
            "examples/bad.json": "[2]",
        },
    )
    monkeypatch.chdir(root)
    rc, out = _run(root)
    assert rc == 1 and "2 experiment(s) run" in out, out
    one = root / "results/examples.test_d.test_dyn-1.json"
    before = one.read_bytes()
    (root / "examples/sizes.json").write_text("[1, 2, 3]", encoding="utf-8")
    (root / "examples/bad.json").write_text("[]", encoding="utf-8")

    # Data files are not covered by the code hash: a plain run does not see the new size.
    assert _run(root)[1].startswith("notegen run: nothing to run")
    out = io.StringIO()
    run_experiments(root, failed=True, dry_run=True, out=out)
    assert "examples/test_d.py::test_dyn[...]  (parameters not known" in out.getvalue()
    out = io.StringIO()
    rc = run_experiments(root, failed=True, out=out, pytest_args=["-p", "no:hypothesispytest"])
    text = out.getvalue()
    assert rc == 0, text
    assert "[2/2]" in text and "test_dyn[1]" not in text.split("ETA", 1)[1], text
    assert "examples/test_d.py::test_dyn[3]: supported" in text
    assert one.read_bytes() == before  # up to date: deselected, not re-run
    assert "2 experiment(s) run" in text

    (root / "examples/sizes.json").write_text("[1, 2, 3, 4]", encoding="utf-8")
    rc, out = _run(root, "--all")
    assert rc == 0 and "4 experiment(s) run" in out, out
    capsys.readouterr()
    assert main(["status", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["experiment"], r["state"]) for r in rows] == [
        (f"examples/test_d.py::test_dyn[{n}]", "fresh") for n in (1, 2, 3, 4)
    ]


def test_run_counts_an_experiment_ended_after_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The watchdog ends the worker of an experiment stuck past its limit: `notegen run`
    shows it as broken with the limit, and the others still run."""
    root = _project(
        tmp_path,
        **{
            "examples/test_stuck.py": """
import time
import pytest

@pytest.mark.claim("stuck", timeout=0.3)
def test_stuck(measure):
    while True:
        try:
            time.sleep(0.05)
        except BaseException:
            pass

@pytest.mark.claim("after")
def test_after(measure):
    measure.metric("y", 2.0)
"""
        },
    )
    monkeypatch.chdir(root)
    rc, out = _run(root)
    assert rc == 1, out
    assert (
        "examples/test_stuck.py::test_stuck: BROKEN  " in out
        and "timed out after 0.3 s (limit from claim marker) and did not stop within 1 s" in out
    ), out
    assert "test_after: supported, as declared" in out
    assert "2 experiment(s) run" in out and "1 as declared, 1 not" in out
    assert "not run" not in out


def test_run_records_a_module_that_cannot_be_collected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = "import pytest\n\n@pytest.mark.claim('c')\ndef test_c(measure):\n    pass\n"
    root = _project(tmp_path, **{"examples/test_c.py": src})
    monkeypatch.chdir(root)
    assert _run(root)[0] == 0
    (root / "examples/test_c.py").write_text("import nope\n" + src, encoding="utf-8")
    rc, out = _run(root)
    assert rc == 1
    assert "recorded broken, could not be collected: examples/test_c.py::test_c" in out, out
    capsys.readouterr()
    assert main(["status", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert (row["verdict"], row["state"]) == ("broken", "fresh")
    assert row["summary"] == (
        "could not be collected: ModuleNotFoundError: No module named 'nope' (examples/test_c.py:1)"
    )
