"""The pytest plugin: verdicts, faults, records, determinism (run through ``pytester``)."""

from __future__ import annotations

import hashlib
import json

import pytest

from notegen.store import load_results, read_record, record_path


def run(p: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in a fresh interpreter: torch and numpy cannot be unloaded and reloaded,
    which pytester's in-process runs would do."""
    return p.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:hypothesispytest", *args)


pytest_plugins = ["pytester"]

HEADER = """
import math, time
import pytest
from notegen.stats import decide, mean_ci
"""


def _record(pytester: pytest.Pytester, node: str) -> dict:  # type: ignore[type-arg]
    return json.loads(record_path(pytester.path / "results", node).read_text("utf-8"))


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyprojecttoml(
        '[tool.pytest.ini_options]\nxfail_strict = true\nnotegen_timeout = "20"\n'
        'notegen_timeout_grace = "1"\n'
    )
    return pytester


VERDICTS = (
    HEADER
    + '''
@pytest.mark.claim("passes")
def test_passing(measure):
    """Supported as declared."""
    est = measure.metric("gain", [1.0, 1.1, 0.9, 1.05], unit="pts")
    measure.summary(f"gain {est.mean:.2f}")
    measure.verdict(decide(est, above=0))


@pytest.mark.claim("contradicted")
def test_failing(measure):
    est = measure.metric("gain", [-1.0, -1.1, -0.9, -1.05], unit="pts")
    measure.summary("gain is negative")
    measure.verdict(decide(est, above=0))


@pytest.mark.claim("declared-refuted", expect="refuted")
def test_declared_refuted(measure):
    measure.verdict(decide(measure.metric("gain", [-1.0, -1.2, -0.8]), above=0))


@pytest.mark.claim("declared-refuted-by-assert", expect="refuted")
def test_declared_refuted_by_assert(measure):
    assert measure.metric("x", 1.0) > 2


@pytest.mark.claim("unclear", expect="inconclusive")
def test_inconclusive(measure):
    measure.verdict(decide(measure.metric("gain", [-1.0, 1.0, -0.5, 0.6]), above=0))


@pytest.mark.claim("crashes")
def test_erroring(measure):
    measure.metric("before", 1.0)
    {}["missing"]


@pytest.mark.claim("hangs", timeout=0.3)
def test_timing_out(measure):
    while True:
        time.sleep(0.01)


@pytest.mark.claim("nan")
def test_nan(measure):
    measure.metric("loss", float("nan"))


@pytest.mark.claim("inf-sample")
def test_inf_sample(measure):
    measure.metric("loss", [1.0, math.inf, 2.0])


def test_ordinary():
    assert True
'''
)


LAYOUT = (
    HEADER
    + """

@pytest.mark.claim("p")
@pytest.mark.parametrize("opt", ["sgd", "Adam/W"])
def test_opt(measure, opt):
    measure.metric("v", 1.0)
"""
)

EXPECTED = {
    "test_passing": ("supported", "supported"),
    "test_failing": ("refuted", "supported"),
    "test_declared_refuted": ("refuted", "refuted"),
    "test_declared_refuted_by_assert": ("refuted", "refuted"),
    "test_inconclusive": ("inconclusive", "inconclusive"),
    "test_erroring": ("broken", "supported"),
    "test_timing_out": ("broken", "supported"),
    "test_nan": ("broken", "supported"),
    "test_inf_sample": ("broken", "supported"),
}


def test_verdicts_outcomes_and_records(project: pytest.Pytester) -> None:
    project.makepyfile(test_verdicts=VERDICTS, test_l=LAYOUT)
    result = run(project, "-ra")
    # pytest outcome per verdict: as declared -> passed / xfailed, contradiction -> failed,
    # broken (exception, timeout, NaN, inf) -> error; the ordinary test just passes.
    result.assert_outcomes(passed=4, failed=1, xfailed=3, errors=4)
    assert result.ret == 1
    for name, (verdict, expected) in EXPECTED.items():
        rec = _record(project, f"test_verdicts.py::{name}")
        assert (rec["latest"]["verdict"], rec["latest"]["expected"]) == (verdict, expected), name
    # Ordinary tests are not recorded.
    assert not record_path(project.path / "results", "test_verdicts.py::test_ordinary").exists()
    out = result.stdout.str()

    # An undeclared contradiction shows the numbers, the claim and how to declare it.
    assert "claim contradicted was declared supported but measured refuted" in out
    assert "summary: gain is negative" in out
    assert "metric gain: -1.0125 pts (95% CI" in out
    assert "expect='refuted'" in out

    # Broken runs point at the experiment's own line, without the plugin's frames.
    result.stdout.fnmatch_lines(
        [
            "*test_verdicts.py:38: experiment broken: KeyError: 'missing'*",
            "*test_verdicts.py:44: experiment broken: timed out after 0.3 s "
            "(limit from claim marker)*",
            "*test_verdicts.py:*: experiment broken: metric 'loss' is not a finite number (nan)*",
            "*test_verdicts.py:*: experiment broken: metric 'loss' is not a finite number "
            "(1, inf, 2)*",
        ],
        consecutive=False,
    )
    assert "determinism.py" not in out and "session.py" not in out
    rec = _record(project, "test_verdicts.py::test_erroring")
    assert rec["latest"]["location"] == "test_verdicts.py:38"
    assert rec["latest"]["message"] == "KeyError: 'missing'"
    assert rec["latest"]["metrics"] == {"before": 1.0}
    hung = _record(project, "test_verdicts.py::test_timing_out")
    assert hung["latest"]["message"].startswith("timed out after 0.3 s")
    assert hung["latest"]["location"] == "test_verdicts.py:44"

    # The record of a supported run.
    good = read_record(record_path(project.path / "results", "test_verdicts.py::test_passing"))
    assert good.claims == ("passes",)
    assert good.doc == "Supported as declared."
    assert (good.source.path, good.source.line_start) == ("test_verdicts.py", 6)
    gain = good.latest.metrics["gain"]
    assert gain.unit == "pts" and gain.n == 4 and gain.samples == (1.0, 1.1, 0.9, 1.05)
    assert gain.ci_low is not None and gain.ci_high is not None
    assert gain.ci_low < gain.value < gain.ci_high
    assert good.latest.summary == "gain 1.01"
    assert set(good.latest.files) == {"test_verdicts.py"}
    assert good.latest.environment.packages["numpy"]
    assert good.latest.started.endswith("Z")

    # File names: readable when lossless, hashed suffix when not.
    names = sorted(p.name for p in (project.path / "results").glob("test_l.*"))
    assert names[1] == "test_l.test_opt-sgd.json"
    assert names[0].startswith("test_l.test_opt-Adam_W-") and names[0].endswith(".json")


DECIDED = (
    HEADER
    + """

@pytest.mark.claim("d")
def test_variable(measure):
    gap = measure.metric("gap", [1.0, 1.1, 0.9])
    measure.metric("same_numbers", [1.0, 1.1, 0.9])  # equal, but not what decided
    measure.verdict(decide(gap, above=0))


@pytest.mark.claim("d")
def test_held_in_a_dict(measure):
    gaps = {r: measure.metric(f"gap_{r}x", [r, r + 0.1, r + 0.2]) for r in (4, 1)}
    g = gaps[1]
    measure.verdict(decide(g, above=0))


@pytest.mark.claim("d")
def test_estimate_given_with_a_unit(measure):
    est = mean_ci([1.0, 1.1, 0.9])
    measure.metric("given", est, unit="pts")
    measure.verdict(decide(est, above=0))


@pytest.mark.claim("d")
def test_recomputed(measure):
    measure.metric("first", [1.0, 1.2, 1.1])
    measure.verdict(decide(mean_ci([1.0, 1.2, 1.1]), above=0))


@pytest.mark.claim("d")
def test_recorded_after_the_verdict(measure):
    est = mean_ci([1.0, 1.1, 0.9])
    measure.verdict(decide(est, above=0))
    measure.metric("late", est)


@pytest.mark.claim("d")
def test_string_verdict(measure):
    measure.metric("x", [1.0, 1.1, 0.9])
    measure.verdict("supported")


@pytest.mark.claim("d")
def test_not_recorded(measure):
    measure.metric("x", [1.0, 1.1, 0.9])
    measure.verdict(decide(mean_ci([5.0, 6.0, 7.0]), above=0))


@pytest.mark.claim("d", expect="refuted")
def test_assert_after_the_verdict(measure):
    gap = measure.metric("gap", [1.0, 1.1, 0.9])
    measure.verdict(decide(gap, above=0))
    assert gap.mean > 2
"""
)


def test_the_record_names_the_metric_the_verdict_was_decided_on(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(test_decided=DECIDED)
    run(project).assert_outcomes(passed=7, xfailed=1)
    decided_by = {
        name: _record(project, f"test_decided.py::{name}")["latest"].get("decided_by")
        for name in (
            "test_variable",
            "test_held_in_a_dict",
            "test_estimate_given_with_a_unit",
            "test_recomputed",
            "test_recorded_after_the_verdict",
            "test_string_verdict",
            "test_not_recorded",
            "test_assert_after_the_verdict",
        )
    }
    assert decided_by == {
        "test_variable": ["gap"],
        "test_held_in_a_dict": ["gap_1x"],
        "test_estimate_given_with_a_unit": ["given"],
        "test_recomputed": ["first"],
        "test_recorded_after_the_verdict": ["late"],
        "test_string_verdict": None,
        "test_not_recorded": None,
        "test_assert_after_the_verdict": None,  # refuted by the assert, not by decide
    }
    rec = _record(project, "test_decided.py::test_variable")
    assert rec["latest"]["verdict"] == "supported"


def test_timeout_from_ini_and_no_limit(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_t=HEADER
        + """
@pytest.mark.claim("a")
def test_default_limit(measure):
    time.sleep(5)

@pytest.mark.claim("b", timeout=0)
def test_no_limit(measure):
    time.sleep(0.4)
"""
    )
    result = run(project, "--notegen-timeout=0.2")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*timed out after 0.2 s (limit from notegen_timeout)*"])


def test_swallowed_timeout_still_ends_as_broken(project: pytest.Pytester) -> None:
    """An experiment that catches everything cannot outlive its limit: the watchdog
    records it as broken and ends the worker; the other experiments still run."""
    project.makepyfile(
        test_s=HEADER
        + """
@pytest.mark.claim("stubborn", timeout=0.3)
def test_stubborn(measure):
    measure.metric("partial", 1.0)
    while True:
        try:
            time.sleep(0.05)
        except BaseException:
            pass

@pytest.mark.claim("fine")
def test_fine(measure):
    measure.metric("x", 1.0)
"""
    )
    result = run(project, "-n", "1")
    assert result.ret == 1
    stubborn = _record(project, "test_s.py::test_stubborn")["latest"]
    assert stubborn["verdict"] == "broken"
    assert "did not stop" in stubborn["message"]
    assert "it was at test_s.py:" in stubborn["message"]
    assert stubborn["metrics"] == {"partial": 1.0}
    assert _record(project, "test_s.py::test_fine")["latest"]["verdict"] == "supported"
    # The controller reports the crashed worker's experiment as broken, with its limit.
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*test_s.py:*: experiment broken: timed out after 0.3 s (limit from claim marker) and "
            "did not stop within 1 s more*"
        ]
    )

    # In a single process the run ends there, saying why on the real stderr.
    result = run(project, "-p", "no:xdist")
    assert result.ret == 70
    result.stderr.fnmatch_lines(
        [
            "notegen: test_s.py::test_stubborn did not stop 1 s after its time limit of 0.3 s; "
            "recorded as broken; it was at test_s.py:*; ending this process (exit code 70)."
        ]
    )


def test_time_limit_covers_fixture_setup(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_fx=HEADER
        + """
@pytest.fixture
def slow_world():
    time.sleep(30)
    yield 1

@pytest.mark.claim("slow-setup", timeout=0.3)
def test_slow_setup(measure, slow_world):
    measure.metric("x", 1.0)
"""
    )
    result = run(project)
    result.assert_outcomes(errors=1)
    rec = _record(project, "test_fx.py::test_slow_setup")["latest"]
    assert rec["verdict"] == "broken"
    assert rec["message"] == (
        "setup failed: timed out after 0.3 s (limit from claim marker); "
        "it was at test_fx.py:7 when stopped"
    )
    assert rec["location"] == "test_fx.py:7"
    result.stdout.fnmatch_lines(["*ExperimentTimeout: timed out after 0.3 s*"])


def test_last_good_survives_broken_rerun(project: pytest.Pytester) -> None:
    good = (
        HEADER
        + """
@pytest.mark.claim("c")
def test_exp(measure):
    measure.metric("m", [1.0, 2.0, 3.0])
    measure.summary("good run")
"""
    )
    project.makepyfile(test_lg=good)
    run(project).assert_outcomes(passed=1)
    project.makepyfile(test_lg=good + "    raise RuntimeError('now broken')\n")
    run(project).assert_outcomes(errors=1)
    rec = read_record(record_path(project.path / "results", "test_lg.py::test_exp"))
    assert rec.latest.verdict == "broken"
    assert rec.last_good is not None
    assert rec.last_good.summary == "good run"
    assert rec.last_good.metrics["m"].value == 2.0
    assert rec.good is rec.last_good
    assert len(rec.history) == 1 and rec.history[0].verdict == "supported"
    # Broken again: the good measurement is still kept.
    project.makepyfile(test_lg=good + "    raise RuntimeError('still broken')\n")
    run(project).assert_outcomes(errors=1)
    rec = read_record(record_path(project.path / "results", "test_lg.py::test_exp"))
    assert rec.last_good is not None and rec.last_good.summary == "good run"
    # Fixed: latest is good again and last_good is no longer needed.
    project.makepyfile(test_lg=good + "    measure.note('fixed')\n")
    run(project).assert_outcomes(passed=1)
    rec = read_record(record_path(project.path / "results", "test_lg.py::test_exp"))
    assert rec.latest.verdict == "supported" and rec.last_good is None
    assert [h.verdict for h in rec.history] == ["supported", "broken", "broken"]


def test_failed_rerun_keeps_the_last_good_plot(project: pytest.Pytester) -> None:
    """A broken re-run's plot goes beside the last good one's, never over it; a good run
    afterwards removes it. Every plot file the record names holds the bytes it hashes."""
    src = (
        HEADER
        + """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

@pytest.mark.claim("p")
def test_exp(measure):
    fig, ax = plt.subplots()
    ax.plot(DATA)
    measure.figure(fig, name="curve")
    plt.close(fig)
    measure.metric("m", [1.0, 2.0, 3.0])
"""
    )
    results = project.path / "results"

    def plots_on_disk(rec: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
        out = []
        for m in (rec["latest"], rec["last_good"]):
            for plot in (m or {}).get("plots", []):
                data = (results / plot["file"]).read_bytes()
                assert hashlib.sha256(data).hexdigest() == plot["sha256"], plot["file"]
                out.append((plot["file"], plot["sha256"]))
        return out

    project.makepyfile(test_pl=src.replace("DATA", "[1, 2, 3]"))
    run(project).assert_outcomes(passed=1)
    good = _record(project, "test_pl.py::test_exp")
    [(good_file, good_sha)] = plots_on_disk(good)
    assert good_file == "test_pl.test_exp--curve.svg"

    project.makepyfile(
        test_pl=src.replace("DATA", "[3, 2, 1]") + "    raise RuntimeError('diverged')\n"
    )
    run(project).assert_outcomes(errors=1)
    rec = _record(project, "test_pl.py::test_exp")
    assert rec["latest"]["verdict"] == "broken"
    (latest_file, latest_sha), (kept_file, kept_sha) = plots_on_disk(rec)
    assert (kept_file, kept_sha) == (good_file, good_sha)
    assert latest_file == "test_pl.test_exp--curve.failed.svg" and latest_sha != good_sha

    project.makepyfile(test_pl=src.replace("DATA", "[1, 3, 2]"))
    run(project).assert_outcomes(passed=1)
    rec = _record(project, "test_pl.py::test_exp")
    assert rec["last_good"] is None
    assert [f for f, _ in plots_on_disk(rec)] == [good_file]
    assert sorted(p.name for p in results.glob("*.svg")) == [good_file]


def test_unchanged_rerun_leaves_files_untouched(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_u=HEADER
        + """
import random
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

@pytest.mark.claim("u")
def test_exp(measure):
    xs = [random.random() for _ in range(5)]
    measure.seeds([0])
    measure.metric("xs", xs)
    fig, ax = plt.subplots()
    ax.plot(xs)
    measure.figure(fig, name="curve", caption="the draws")
    plt.close(fig)
"""
    )
    run(project).assert_outcomes(passed=1)
    files = sorted((project.path / "results").iterdir())
    assert [f.suffix for f in files] == [".svg", ".json"] or sorted(f.suffix for f in files) == [
        ".json",
        ".svg",
    ]
    before = {f.name: (f.read_bytes(), f.stat().st_mtime_ns) for f in files}
    run(project).assert_outcomes(passed=1)
    after = {
        f.name: (f.read_bytes(), f.stat().st_mtime_ns) for f in (project.path / "results").iterdir()
    }
    assert after == before  # same seed -> same numbers and plot -> nothing rewritten
    rec = _record(project, "test_u.py::test_exp")
    plot = rec["latest"]["plots"][0]
    assert plot["name"] == "curve" and plot["caption"] == "the draws"
    assert (project.path / "results" / plot["file"]).read_bytes().startswith(b"<?xml")


def test_moved_metric_is_reported(project: pytest.Pytester) -> None:
    src = (
        HEADER
        + """
@pytest.mark.claim("mv")
def test_exp(measure):
    measure.metric("m", [SHIFT + 1.0, SHIFT + 1.1, SHIFT + 0.9])
"""
    )
    project.makepyfile(test_mv=src.replace("SHIFT", "0"))
    run(project).assert_outcomes(passed=1)
    project.makepyfile(test_mv=src.replace("SHIFT", "5"))
    result = run(project)
    result.stdout.fnmatch_lines(
        [
            "*notegen: measurements that moved*",
            "test_mv.py::test_exp",
            "  m = 6 is outside the previous 95% CI*(was 1)",
        ]
    )
    # After a broken run, a new measurement is compared with the last good one.
    project.makepyfile(test_mv=src.replace("SHIFT", "5") + "    1 / 0\n")
    assert "measurements that moved" not in run(project).stdout.str()
    project.makepyfile(test_mv=src.replace("SHIFT", "0"))
    run(project).stdout.fnmatch_lines(
        [
            "*notegen: measurements that moved*",
            "test_mv.py::test_exp",
            "  m = 1 is outside the previous 95% CI*(was 6)",
        ]
    )


def test_seeding_determinism_and_device(project: pytest.Pytester) -> None:
    """Each experiment starts from the same seeds with deterministic torch on one thread;
    ordinary tests afterwards see torch's settings as they were."""
    project.makepyfile(
        test_seed=HEADER
        + """
import random
import numpy as np
import torch

VALUES = []
BEFORE = (torch.are_deterministic_algorithms_enabled(), torch.get_num_threads())

@pytest.mark.claim("s1")
def test_one(measure):
    VALUES.append((random.random(), float(np.random.rand()), float(torch.rand(1))))
    assert torch.are_deterministic_algorithms_enabled()
    assert torch.get_num_threads() == 1

@pytest.mark.claim("s2")
def test_two(measure, device):
    VALUES.append((random.random(), float(np.random.rand()), float(torch.rand(1))))
    assert device.type == ("cuda" if torch.cuda.is_available() else "cpu")
    measure.metric("x", torch.ones(3, device=device).sum())

def test_ordinary_after():
    assert VALUES[0] == VALUES[1]
    assert (torch.are_deterministic_algorithms_enabled(), torch.get_num_threads()) == BEFORE
"""
    )
    run(project).assert_outcomes(passed=3)
    rec = _record(project, "test_seed.py::test_two")
    assert rec["latest"]["metrics"] == {"x": 3.0}
    assert rec["latest"]["environment"]["device"] in ("cpu", "cuda") or rec["latest"][
        "environment"
    ]["device"].startswith("cuda (")
    assert rec["latest"]["environment"]["threads"] == 1


def test_bad_marker_measure_misuse_and_no_record(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_bad=HEADER
        + """
@pytest.mark.claim("x", expect="maybe")
def test_bad(measure):
    pass

def test_not_an_experiment(measure):
    pass

@pytest.mark.claim("fine")
def test_fine(measure):
    pass
"""
    )
    result = run(project, "--notegen-no-record")
    result.assert_outcomes(errors=2, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_bad.py:6: expect='maybe' is not one of 'supported', 'refuted', 'inconclusive'*",
            "*test_bad.py:9: test_not_an_experiment uses the measure fixture, which is "
            "for experiments; mark the test @pytest.mark.claim*",
        ],
        consecutive=False,
    )
    assert "plugin.py" not in result.stdout.str()  # notegen's own frame is not shown
    assert not (project.path / "results").exists()


def test_concurrent_writes_under_xdist(project: pytest.Pytester) -> None:
    """Many experiments on two workers, run twice: every file is a valid record."""
    body = HEADER + "\n".join(
        f"""
@pytest.mark.claim("c{i}")
@pytest.mark.parametrize("k", [1, 2, 3])
def test_exp{i}(measure, k):
    measure.metric("v", [k, k + {i}, k * 2.0])
    measure.summary("run " + "x" * 2000)
"""
        for i in range(6)
    )
    project.makepyfile(test_many=body)
    for _ in range(2):
        result = run(project, "-n", "2", "--notegen-results-dir", "res")
        result.assert_outcomes(passed=18)
    files = sorted((project.path / "res").iterdir())
    assert len(files) == 18
    for f in files:
        json.loads(f.read_text("utf-8"))
    loaded, diags = load_results(project.path / "res", project.path)
    assert diags == [] and len(loaded) == 18
    assert not any(r.stale for r in loaded.values())


def test_helpers_found_through_a_conftest_folder_are_hashed(project: pytest.Pytester) -> None:
    """pytest puts each conftest's folder on sys.path: helpers imported through it are
    part of the code hash, so editing them makes the result stale."""
    project.makepyfile(
        **{
            "examples/conftest": "",
            "examples/helpers/__init__": "",
            "examples/helpers/a": "K = 1.0\n",
            "examples/vision/test_v": HEADER
            + """
from helpers.a import K

@pytest.mark.claim("v")
def test_v(measure):
    measure.metric("k", K)
""",
        }
    )
    run(project, "examples").assert_outcomes(passed=1)
    rec = _record(project, "examples/vision/test_v.py::test_v")
    assert set(rec["latest"]["files"]) == {
        "examples/conftest.py",
        "examples/helpers/__init__.py",
        "examples/helpers/a.py",
        "examples/vision/test_v.py",
    }
    (project.path / "examples/helpers/a.py").write_text("K = 2.0\n", encoding="utf-8")
    [loaded] = load_results(project.path / "results", project.path)[0].values()
    assert loaded.why_stale() == "examples/helpers/a.py changed"


def test_collection_error_records_the_modules_experiments_as_broken(
    project: pytest.Pytester,
) -> None:
    """A module that cannot be imported runs none of its experiments: each one the scan
    or the store knows there is recorded broken, naming the error and its line, and
    keeps its last good measurement."""
    good = (
        HEADER
        + """
@pytest.mark.claim("one")
def test_one(measure):
    measure.metric("m", 1.0)

@pytest.mark.claim("two")
@pytest.mark.parametrize("k", [1, 2])
def test_two(measure, k):
    measure.metric("m", float(k))
"""
    )
    project.makepyfile(test_c=good)
    run(project).assert_outcomes(passed=3)
    ids = ["test_c.py::test_one", "test_c.py::test_two[1]", "test_c.py::test_two[2]"]

    added = """
@pytest.mark.claim("three")
def test_three(measure):
    pass
"""
    project.makepyfile(
        test_c=good.replace("import pytest\n", "import pytest\nimport nope\n") + added
    )
    result = run(project)
    assert result.ret == 2  # pytest: errors during collection
    for node in ids:
        rec = read_record(record_path(project.path / "results", node))
        assert rec.latest.verdict == "broken"
        assert rec.latest.message == (
            "could not be collected: ModuleNotFoundError: No module named 'nope' (test_c.py:3)"
        )
        assert rec.latest.location == "test_c.py:3"
        assert rec.last_good is not None and rec.last_good.verdict == "supported"
    # Never measured, but known from the source: broken too.
    three = read_record(record_path(project.path / "results", "test_c.py::test_three"))
    assert (three.latest.verdict, three.last_good) == ("broken", None)

    # A syntax error: the scan cannot read the module; the store still knows its experiments.
    project.makepyfile(test_c=good + "def broken(:\n")
    run(project)
    rec = read_record(record_path(project.path / "results", "test_c.py::test_one"))
    assert rec.latest.message.startswith("could not be collected: SyntaxError")
    assert rec.latest.location == f"test_c.py:{len(good.strip().splitlines()) + 1}"
    assert rec.last_good is not None and rec.last_good.metrics["m"].value == 1.0


def test_changing_notegen_seed_makes_results_stale(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_sd=HEADER
        + """
import random

@pytest.mark.claim("sd")
def test_exp(measure):
    measure.metric("draw", random.random())
"""
    )
    run(project).assert_outcomes(passed=1)
    [before] = load_results(project.path / "results", project.path)[0].values()
    assert (
        not before.stale
        and "notegen_seed" not in _record(project, "test_sd.py::test_exp")["latest"]
    )
    pyproject = project.path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text("utf-8") + '\nnotegen_seed = "1"\n', encoding="utf-8")
    [loaded] = load_results(project.path / "results", project.path)[0].values()
    assert loaded.why_stale() == "notegen_seed changed (0 → 1)"
    run(project).assert_outcomes(passed=1)
    [after] = load_results(project.path / "results", project.path)[0].values()
    assert not after.stale and after.record.latest.notegen_seed == 1
    assert after.record.latest.metrics["draw"] != before.record.latest.metrics["draw"]
