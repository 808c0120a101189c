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
def test_unknown_params(x):
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
    assert str(one.span) == "test_scanned.py:9"
    assert by_name["TestGroup.test_m"].claims == ("module-claim", "d", "e")
    assert by_name["TestGroup.test_m"].expect == "inconclusive"
    assert by_name["test_unknown_params"].params is None
    assert [d.code for d in diags] == [Code.BAD_CLAIM_ID]
    assert str(diags[0]).startswith("test_scanned.py:39: claim id 'Bad_Id'")

    collected = pytester.runpytest(
        "--collect-only", "-q", "-p", "no:notegen", "-W", "ignore::pytest.PytestUnknownMarkWarning"
    )
    pytest_ids = {line for line in collected.outlines if "::" in line}
    static_ids = {n for e in experiments if e.params is not None for n in e.node_ids}
    assert static_ids <= pytest_ids
    assert pytest_ids - static_ids == {
        "test_scanned.py::test_unknown_params[1]",
        "test_scanned.py::test_unknown_params[2]",
    }
    assert by_name["test_object_params"].params == ("x0", "x1")  # named as pytest names them
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
