"""The results store: schema round trip, names, loss-free merges, staleness, bad files."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from notegen.diagnostics import Code, SourceSpan
from notegen.errors import StoreError
from notegen.store import (
    CodeHasher,
    Environment,
    Measurement,
    Metric,
    Plot,
    ResultRecord,
    load_results,
    read_record,
    record_path,
    record_stem,
    save_measurement,
    staleness,
)
from notegen.store.codehash import combine_hashes, pinned_versions
from notegen.store.files import dumps_record


def _measurement(
    root: Path | None = None, test: str = "examples/test_ctr.py", **kw: object
) -> Measurement:
    files = CodeHasher(root).file_hashes(root / test) if root else {"x.py": "0" * 64}
    base = Measurement(
        verdict="supported",
        expected="supported",
        message="measured supported",
        summary="gain +0.01",
        metrics={"gain": Metric(0.01, "AUC", 0.0, 0.02, 5, 0.95, (0.0, 0.01, 0.02, 0.01, 0.01))},
        plots=(),
        seeds=(0, 1, 2, 3, 4),
        code_hash=combine_hashes(files),
        files=files,
        environment=Environment(
            "3.11.7", "Linux", "x86_64", "cpu", 1, {**pinned_versions(), "scipy": "1.17.1"}
        ),
        started="2025-01-01T00:00:00Z",
        duration_s=1.5,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def _record(
    m: Measurement, node: str = "examples/test_ctr.py::test_end_to_end_is_better"
) -> ResultRecord:
    return ResultRecord(
        experiment=node,
        claims=("end-to-end-better",),
        expected=m.expected,
        function=node.rsplit("::", 1)[1],
        source=SourceSpan(node.split("::")[0], 9, 16),
        doc="Doc.",
        latest=m,
        notegen_version="0.1.0",
    )


def test_record_json_round_trip() -> None:
    m = _measurement(
        metrics={
            "gain": Metric(0.01, "AUC", 0.0, 0.02, 5, 0.95, (0.0, 0.01, 0.02, 0.01, 0.01)),
            "rate": Metric(0.39, "share"),
            "plain": Metric(3.0),
            "bad": Metric(float("nan")),
        },
        plots=(Plot("sweep", "x--sweep.svg", "AUC vs buckets", "ab" * 32),),
        notes=("n",),
        location="examples/test_ctr.py:12",
    )
    rec = replace(_record(m), last_good=_measurement(), history=())
    data = json.loads(json.dumps(rec.to_json(), allow_nan=False))
    assert data["latest"]["metrics"]["plain"] == 3.0
    assert data["latest"]["metrics"]["rate"] == {"value": 0.39, "unit": "share"}
    assert data["latest"]["metrics"]["bad"] == "nan"
    back = ResultRecord.from_json(data)
    assert back.to_json() == rec.to_json()
    assert back.latest.metrics["rate"] == Metric(0.39, "share")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("experiment"), "record.experiment: expected a string, got null"),
        (
            lambda d: d["latest"].update(verdict="maybe"),
            "record.latest.verdict: 'maybe' is not one of supported, refuted, inconclusive, broken",
        ),
        (
            lambda d: d["latest"]["metrics"].update(gain="high"),
            "record.latest.metrics.gain: expected a number, got str",
        ),
        (lambda d: d.update(schema=99), "version 99 is not supported"),
    ],
)
def test_invalid_records_name_the_field(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    data = _record(_measurement()).to_json()
    mutate(data)
    with pytest.raises(StoreError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ResultRecord.from_json(data)


@pytest.mark.parametrize(
    ("node", "stem"),
    [
        ("examples/test_hash.py::test_same_size", "examples.test_hash.test_same_size"),
        ("examples/test_hash.py::test_sweep[0.5-adam]", "examples.test_hash.test_sweep-0.5-adam"),
        ("test_x.py::test_y", "test_x.test_y"),
    ],
)
def test_record_stem_is_readable_when_lossless(node: str, stem: str) -> None:
    assert record_stem(node) == stem


def test_record_stem_disambiguates_lossy_and_case() -> None:
    a = record_stem("examples/test_h.py::test_x[a/b]")
    b = record_stem("examples/test_h.py::test_x[a_b]")
    assert a != b and a.startswith("examples.test_h.test_x-a_b-")
    c1 = record_stem("examples/test_h.py::TestA::test_x")
    c2 = record_stem("examples/test_h.py::Testa::test_x")
    assert c1.lower() != c2.lower()
    long = record_stem("examples/test_h.py::test_x[" + "p" * 500 + "]")
    assert len(long) <= 130
    assert all(ch.isalnum() or ch in "._-" for ch in a + c1 + long)


def test_save_keeps_last_good_and_history(tmp_path: Path) -> None:
    good = _record(_measurement())
    first = save_measurement(tmp_path, good)
    assert first.action == "created" and first.record.last_good is None
    again = save_measurement(tmp_path, good)
    assert again.action == "unchanged"
    # Another machine, another time, same numbers: nothing to write.
    other = replace(
        good, latest=replace(good.latest, started="2026-01-01T00:00:00Z", duration_s=9.0)
    )
    assert save_measurement(tmp_path, other).action == "unchanged"
    broken = replace(
        good, latest=replace(good.latest, verdict="broken", message="RuntimeError: x", metrics={})
    )
    out = save_measurement(tmp_path, broken)
    assert out.action == "updated"
    stored = read_record(out.path)
    assert stored.latest.verdict == "broken"
    assert stored.last_good == good.latest
    assert [h.verdict for h in stored.history] == ["supported"]
    assert stored.history[0].metrics["gain"].samples == ()  # history keeps no samples
    # A contradicting (not broken) run also keeps the last as-declared one.
    refuted = replace(good, latest=replace(good.latest, verdict="refuted"))
    stored = save_measurement(tmp_path, refuted).record
    assert stored.last_good == good.latest


def test_decided_by_is_optional_and_added_in_place(tmp_path: Path) -> None:
    old = _record(_measurement())
    path = save_measurement(tmp_path, old).path
    before = path.read_bytes()
    assert "decided_by" not in json.loads(before)["latest"]  # older records lack it
    assert dumps_record(read_record(path)) == before  # and re-save unchanged
    # The same numbers, now naming the deciding metric: added in place, keeping
    # the start time and adding no history entry.
    later = replace(old.latest, started="2026-01-01T00:00:00Z", decided_by=("gain",))
    out = save_measurement(tmp_path, replace(old, latest=later))
    assert out.action == "updated"
    assert out.record == replace(old, latest=replace(old.latest, decided_by=("gain",)))
    assert json.loads(path.read_bytes())["latest"]["decided_by"] == ["gain"]
    assert read_record(path).latest.decided_by == ("gain",)
    assert save_measurement(tmp_path, replace(old, latest=later)).action == "unchanged"
    # New numbers: a new measurement, as always.
    moved = replace(later, summary="gain +0.02")
    stored = save_measurement(tmp_path, replace(old, latest=moved)).record
    assert stored.latest == moved and len(stored.history) == 1


def test_save_moves_an_invalid_file_aside(tmp_path: Path) -> None:
    rec = _record(_measurement())
    path = record_path(tmp_path, rec.experiment)
    path.write_text("{ not json", encoding="utf-8")
    save_measurement(tmp_path, rec)
    assert read_record(path).experiment == rec.experiment
    assert path.with_name(path.name + ".invalid-1").read_text("utf-8") == "{ not json"


def test_save_writes_plots_and_drops_unreferenced_ones(tmp_path: Path) -> None:
    node = "examples/test_ctr.py::test_end_to_end_is_better"
    from notegen.store.files import plot_entry

    p1 = plot_entry(node, "a", "first", b"<svg>1</svg>")
    rec = _record(_measurement(plots=(p1,)), node)
    save_measurement(tmp_path, rec, {p1.file: b"<svg>1</svg>"})
    assert (tmp_path / p1.file).read_bytes() == b"<svg>1</svg>"
    p2 = plot_entry(node, "b", "second", b"<svg>2</svg>")
    rec2 = _record(_measurement(plots=(p2,), summary="new"), node)
    save_measurement(tmp_path, rec2, {p2.file: b"<svg>2</svg>"})
    assert not (tmp_path / p1.file).exists()
    assert (tmp_path / p2.file).exists()


def test_load_results_reports_bad_files_as_diagnostics(tmp_path: Path) -> None:
    results = tmp_path / "results"
    save_measurement(results, _record(_measurement()))
    (results / "broken.json").write_text('{"schema": 1,\n  "experiment": }', encoding="utf-8")
    (results / "wrong.json").write_text('{"schema": 1}', encoding="utf-8")
    p = Plot("gone", "nowhere.svg")
    save_measurement(results, _record(_measurement(plots=(p,)), "examples/t.py::test_p"))
    loaded, diags = load_results(results, tmp_path)
    assert set(loaded) == {
        "examples/test_ctr.py::test_end_to_end_is_better",
        "examples/t.py::test_p",
    }
    by_file = {d.span.path: d for d in diags}
    assert by_file["results/broken.json"].code is Code.RESULT_INVALID
    assert by_file["results/broken.json"].span.line_start == 2
    assert "invalid JSON" in str(by_file["results/broken.json"])
    assert "not a valid results record: record.source" in by_file["results/wrong.json"].message
    plot = [d for d in diags if d.code is Code.PLOT_MISSING]
    assert len(plot) == 1 and "nowhere.svg" in plot[0].message
    assert load_results(tmp_path / "absent", tmp_path) == ({}, [])


def test_staleness_follows_imports(demo: Path) -> None:
    """Changing a helper marks exactly the experiments importing it stale."""
    results = demo / "results"
    ctr = "examples/test_ctr.py::test_end_to_end_is_better"
    other = "examples/test_other.py::test_half"
    save_measurement(results, _record(_measurement(demo, "examples/test_ctr.py"), ctr))
    save_measurement(results, _record(_measurement(demo, "examples/test_other.py"), other))
    loaded, _ = load_results(results, demo)
    assert set(loaded[ctr].record.latest.files) == {
        "examples/test_ctr.py",
        "examples/ctr/__init__.py",
        "examples/ctr/data.py",
    }
    assert not loaded[ctr].stale and not loaded[other].stale

    data = demo / "examples/ctr/data.py"
    data.write_text(data.read_text("utf-8") + "\n# tuned\n", encoding="utf-8")
    loaded, _ = load_results(results, demo)
    assert loaded[ctr].why_stale() == "examples/ctr/data.py changed"
    assert not loaded[other].stale

    # CRLF line endings alone change nothing.
    util = demo / "examples/other/util.py"
    util.write_bytes(util.read_bytes().replace(b"\n", b"\r\n"))
    assert not load_results(results, demo)[0][other].stale
    # A newly imported helper, and a removed test file.
    test_other = demo / "examples/test_other.py"
    test_other.write_text("import ctr.data\n" + test_other.read_text("utf-8"), encoding="utf-8")
    reasons = {str(r) for r in load_results(results, demo)[0][other].stale_reasons}
    assert reasons == {
        "examples/test_other.py changed",
        "examples/ctr/data.py is newly imported",
        "examples/ctr/__init__.py is newly imported",
    }
    test_other.unlink()
    reasons = {str(r) for r in load_results(results, demo)[0][other].stale_reasons}
    assert "examples/test_other.py is gone or no longer imported" in reasons


def test_pinned_version_change_marks_all_stale(demo: Path) -> None:
    ctr = "examples/test_ctr.py::test_end_to_end_is_better"
    rec = _record(_measurement(demo, "examples/test_ctr.py"), ctr)
    hasher = CodeHasher(demo)
    now = pinned_versions()
    assert staleness(rec, hasher, now) == ()
    moved = staleness(rec, hasher, {**now, "torch": "9.9.9"})
    assert [str(r) for r in moved] == [f"torch {now['torch']} → 9.9.9"]
    # A local build tag (+cpu / +cu121) is the same release.
    cpu = replace(
        rec,
        latest=replace(
            rec.latest,
            environment=replace(
                rec.latest.environment, packages={**now, "torch": now["torch"] + "+cpu"}
            ),
        ),
    )
    assert staleness(cpu, hasher, now) == ()


def test_results_files_get_the_usual_permissions_not_a_temp_files(tmp_path: Path) -> None:
    """A web server and collaborators must be able to read what the store writes."""
    from notegen.store import atomic_write_bytes

    old = os.umask(0o022)
    try:
        target = tmp_path / "results" / "x.json"
        atomic_write_bytes(target, b"{}\n")
        assert target.stat().st_mode & 0o777 == 0o644
        target.chmod(0o640)
        atomic_write_bytes(target, b"{}\n")  # a rewrite keeps the file's permissions
        assert target.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


@pytest.mark.parametrize(
    ("files", "seed"),
    [
        ({}, 0),
        ({"pyproject.toml": "[tool.pytest.ini_options]\nnotegen_seed = '3'\n"}, 3),
        ({"pyproject.toml": "[tool.pytest]\nnotegen_seed = 4\n"}, 4),
        ({"pytest.ini": "[pytest]\nnotegen_seed = 5\n", "tox.ini": "[pytest]\nnotegen_seed=9"}, 5),
        ({"pytest.ini": "", "pyproject.toml": "[tool.pytest]\nnotegen_seed = 4\n"}, 0),
        ({"pyproject.toml": "[tool.black]\n", "setup.cfg": "[tool:pytest]\nnotegen_seed = 6\n"}, 6),
        ({"pytest.toml": "[pytest]\nnotegen_seed = 7\n"}, 7),
        ({"pytest.ini": "[pytest]\nnotegen_seed = x\n"}, None),
    ],
)
def test_configured_seed_is_read_where_pytest_reads_it(
    tmp_path: Path, files: dict[str, str], seed: int | None
) -> None:
    from notegen.store.settings import configured_seed

    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert configured_seed(tmp_path) == seed
