"""Gather what the site shows about each claim: its experiments and their results.

Everything is read before any page is rendered: the experiments declared under
``examples/`` (statically, nothing is imported or run), every results file
(with its staleness), and the claims of the linked graph. :func:`gather_results`
pairs them into :class:`Evidence` (one claim, one experiment instance, its
stored result) and collects what is wrong as diagnostics, so that a bad or
missing results file becomes a warning and a card that says so, never a crash.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from notegen.diagnostics import Code, Diagnostic
from notegen.link.experiments import Experiment, match_results, scan_experiments
from notegen.link.graph import ClaimSite, Graph
from notegen.store.codehash import relpath
from notegen.store.files import record_path
from notegen.store.load import LoadedResult, load_results
from notegen.store.schema import Measurement, ResultRecord

__all__ = [
    "EXPERIMENTS_DIR",
    "PLOTS_DIR",
    "SHOWN_VERDICTS",
    "Evidence",
    "ExperimentFile",
    "ResultsIndex",
    "ShownVerdict",
    "claim_verdict",
    "experiment_page_uri",
    "gather_results",
    "load_results_index",
    "plot_source",
]

ShownVerdict = Literal["supported", "refuted", "inconclusive", "broken", "stale", "not measured"]
"""What the site says about a result: a measured verdict, or ``broken``, ``stale``
(code or pinned versions changed since) or ``not measured`` (DESIGN.md "Verdicts")."""

SHOWN_VERDICTS: tuple[ShownVerdict, ...] = (
    "supported",
    "refuted",
    "inconclusive",
    "broken",
    "stale",
    "not measured",
)

# When one claim's experiments disagree, the claim counts under the verdict a
# reader most needs to act on.
_URGENCY: tuple[ShownVerdict, ...] = (
    "broken",
    "stale",
    "not measured",
    "refuted",
    "inconclusive",
    "supported",
)

PLOTS_DIR = "assets/results"
"""Where the plots of ``results/`` are copied in the site."""
EXPERIMENTS_DIR = "experiments"
"""Where the experiment pages go in the site."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """What is known about one claim from one experiment instance."""

    claim_id: str
    """The claim."""
    node_id: str
    """The experiment instance's pytest node id; ``""`` when no experiment checks the claim."""
    experiment: Experiment | None
    """The experiment as declared under ``examples/``; None when none checks the
    claim, or when a stored result's experiment is gone from the source."""
    result: LoadedResult | None
    """The stored result with its staleness; None when never measured (or unreadable)."""
    problems: tuple[str, ...] = ()
    """What is wrong, in words for the card: an unreadable results file, a result
    whose experiment is gone, a skipped experiment. (A missing plot is said on the
    card where the plot would be.)"""

    @property
    def record(self) -> ResultRecord | None:
        """The stored record, if any."""
        return self.result.record if self.result is not None else None

    @property
    def verdict(self) -> ShownVerdict:
        """What the site says: broken, else stale, else the measured verdict;
        ``not measured`` without a result."""
        if self.result is None:
            return "not measured"
        if self.result.record.latest.verdict == "broken":
            return "broken"
        if self.result.stale:
            return "stale"
        return self.result.record.latest.verdict

    @property
    def latest(self) -> Measurement | None:
        """The newest measurement, whatever its outcome."""
        return self.result.record.latest if self.result is not None else None

    @property
    def last_good(self) -> Measurement | None:
        """The newest as-declared measurement, when the latest is broken or contradicts
        the declared verdict (None otherwise)."""
        rec = self.record
        if rec is None or rec.latest.as_declared:
            return None
        return rec.last_good

    @property
    def function(self) -> str:
        """The test function's qualified name (``""`` without an experiment)."""
        if self.experiment is not None:
            return self.experiment.function
        return self.record.function if self.record is not None else ""

    @property
    def params(self) -> str:
        """The instance's parameter id (``0.1`` of ``test_x[0.1]``), or ``""``."""
        _, sep, rest = self.node_id.partition("[")
        return rest.removesuffix("]") if sep else ""

    @property
    def label(self) -> str:
        """The instance's short name: ``test_x`` or ``test_x[0.1]``."""
        if not self.node_id:
            return ""
        name = self.function or self.node_id.rsplit("::", 1)[-1]
        return f"{name}[{self.params}]" if self.params else name

    @property
    def source_path(self) -> str | None:
        """The test file, relative to the project root."""
        if self.experiment is not None:
            return self.experiment.path
        return self.record.source.path if self.record is not None else None

    @property
    def source_line(self) -> int | None:
        """The ``def`` line of the test function."""
        if self.experiment is not None:
            return self.experiment.span.line_start
        return self.record.source.line_start if self.record is not None else None

    @property
    def doc(self) -> str:
        """The experiment's docstring (from the source, else from the record)."""
        if self.experiment is not None and self.experiment.doc:
            return self.experiment.doc
        return self.record.doc if self.record is not None else ""

    @property
    def expected(self) -> str:
        """The declared verdict (``""`` without an experiment)."""
        if self.experiment is not None:
            return self.experiment.expect
        return self.record.expected if self.record is not None else ""


@dataclass(frozen=True, slots=True)
class ExperimentFile:
    """One test file of ``examples/`` and its page in the site."""

    path: str
    """The file, relative to the project root (``examples/test_hash.py``)."""
    src_uri: str
    """Its page in the site (``experiments/test_hash.md``)."""
    experiments: tuple[Experiment, ...]
    """The experiments it declares, in source order."""
    source: str | None
    """The file's text (None when it cannot be read)."""
    doc: str = ""
    """The module's docstring."""


@dataclass(frozen=True, slots=True)
class ResultsIndex:
    """Everything the site shows about claims, experiments and results."""

    claims: Mapping[str, tuple[Evidence, ...]]
    """Every claim of the graph (in graph order) -> its evidence: one per experiment
    instance that checks it (never empty: a claim without experiment has one
    :class:`Evidence` with no experiment)."""
    files: Mapping[str, ExperimentFile] = field(default_factory=dict)
    """Experiment files by path (relative to the project root), in scan order."""
    evidence: Mapping[str, tuple[Evidence, ...]] = field(default_factory=dict)
    """Node id -> its evidence (one per claim it checks), for experiment pages."""
    plots: Mapping[str, str] = field(default_factory=dict)
    """Plot file name (relative to the results folder) -> its path in the site,
    for every plot file that exists."""
    results_dir: str = "results"
    """The results folder as the user would type it (for messages)."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Problems to report: unreadable results, missing plots, claims without results."""

    @classmethod
    def empty(cls, graph: Graph) -> ResultsIndex:
        """No experiments and no results: every claim is "not measured"."""
        return gather_results(graph, [], {})

    def for_claims(self, claim_ids: Iterable[str]) -> tuple[Evidence, ...]:
        """The evidence of each claim, in order (unknown claims: no experiment)."""
        out: list[Evidence] = []
        for claim_id in claim_ids:
            out += self.claims.get(claim_id, (_no_experiment(claim_id),))
        return tuple(out)

    def experiment_page(self, path: str | None) -> str | None:
        """The experiment page (``src_uri``) of a test file, if it has one."""
        found = self.files.get(path) if path else None
        return found.src_uri if found is not None else None

    def claim_verdicts(self) -> dict[str, ShownVerdict]:
        """Each claim's overall verdict (:func:`claim_verdict`), in graph order."""
        return {claim_id: claim_verdict(ev) for claim_id, ev in self.claims.items()}

    def results(self) -> list[LoadedResult]:
        """Every stored result shown on the site, once each."""
        seen: dict[str, LoadedResult] = {}
        for group in (*self.claims.values(), *self.evidence.values()):
            for ev in group:
                if ev.result is not None:
                    seen.setdefault(ev.result.experiment, ev.result)
        return list(seen.values())


def claim_verdict(evidence: Sequence[Evidence]) -> ShownVerdict:
    """One verdict for a claim: its experiments' common verdict; when they differ,
    the one that most needs attention (broken, stale, not measured, refuted,
    inconclusive, supported)."""
    verdicts = {ev.verdict for ev in evidence}
    if not verdicts:
        return "not measured"
    return next(v for v in _URGENCY if v in verdicts)


def _no_experiment(claim_id: str) -> Evidence:
    return Evidence(claim_id, "", None, None)


def experiment_page_uri(path: str, examples_rel: str) -> str:
    """The page of a test file: ``examples/ctr/test_x.py`` -> ``experiments/ctr/test_x.md``."""
    rel = path
    prefix = examples_rel.rstrip("/") + "/"
    if examples_rel not in ("", ".") and rel.startswith(prefix):
        rel = rel[len(prefix) :]
    rel = rel.removesuffix(".py")
    parts = [re.sub(r"[^\w.-]+", "-", p).strip("-.") or "x" for p in rel.split("/") if p]
    return f"{EXPERIMENTS_DIR}/{'/'.join(parts) or 'experiment'}.md"


def gather_results(
    graph: Graph,
    experiments: Sequence[Experiment],
    results: Mapping[str, LoadedResult],
    *,
    load_diagnostics: Sequence[Diagnostic] = (),
    results_dir: Path | None = None,
    root: Path | None = None,
    examples_rel: str = "examples",
    sources: Mapping[str, str | None] | None = None,
) -> ResultsIndex:
    """Pair the graph's claims with the experiments that check them and their results.

    Args:
        graph: The linked notes.
        experiments: The experiments declared under ``examples/``.
        results: Stored results by experiment id (:func:`~notegen.store.load_results`).
        load_diagnostics: What :func:`~notegen.store.load_results` reported (invalid
            files, missing plots); an experiment whose results file is among them
            gets a card saying so.
        results_dir: The results folder (to find plot files and name results files).
        root: The project root that paths are shown relative to.
        examples_rel: The experiments folder relative to the root (for page names).
        sources: Test file path -> its text, for the experiment pages.

    Returns:
        The index; its diagnostics are ``load_diagnostics`` plus a
        ``claim-without-experiment`` or ``result-missing`` warning at the
        ``claim::`` line of every claim that has no result to show.
    """
    root = root or Path.cwd()
    shown_results = relpath(results_dir, root) if results_dir is not None else "results"
    invalid = {d.span.path: d for d in load_diagnostics if d.code is Code.RESULT_INVALID}
    states, orphans = match_results(experiments, results)

    # Evidence per experiment instance, and per claim.
    by_claim: dict[str, list[Evidence]] = {}
    by_node: dict[str, list[Evidence]] = {}
    for st in states:
        # A missing plot is said where the plot would be (measured.plot_lines).
        problems: tuple[str, ...] = ()
        if st.result is None and st.experiment.skipped:
            problems += ("the experiment is marked skip, so it is never measured",)
        if st.result is None and results_dir is not None:
            expected_file = relpath(record_path(results_dir, st.node_id), root)
            bad = invalid.get(expected_file)
            if bad is not None:
                problems += (f"{expected_file}:{bad.span.line_start}: {bad.message}",)
        for claim_id in st.experiment.claims:
            ev = Evidence(claim_id, st.node_id, st.experiment, st.result, problems)
            by_claim.setdefault(claim_id, []).append(ev)
            by_node.setdefault(st.node_id, []).append(ev)
    for orphan in orphans:
        problems = (
            f"the experiment {orphan.experiment} is no longer under examples/ "
            f"(renamed or deleted); delete {relpath(orphan.path, root)} if that was on purpose",
        )
        for claim_id in orphan.record.claims:
            ev = Evidence(claim_id, orphan.experiment, None, orphan, problems)
            by_claim.setdefault(claim_id, []).append(ev)
            by_node.setdefault(orphan.experiment, []).append(ev)

    claims: dict[str, tuple[Evidence, ...]] = {}
    diagnostics = list(load_diagnostics)
    for claim_id, site in graph.claims.items():
        found = tuple(by_claim.get(claim_id, ())) or (_no_experiment(claim_id),)
        claims[claim_id] = found
        diagnostics += _missing_diagnostics(site, found)

    files: dict[str, ExperimentFile] = {}
    taken: set[str] = set()
    for exp in experiments:
        if exp.path in files:
            continue
        uri = experiment_page_uri(exp.path, examples_rel)
        base, n = uri.removesuffix(".md"), 1
        while uri.lower() in taken:
            n += 1
            uri = f"{base}-{n}.md"
        taken.add(uri.lower())
        text = (sources or {}).get(exp.path)
        files[exp.path] = ExperimentFile(
            path=exp.path,
            src_uri=uri,
            experiments=tuple(e for e in experiments if e.path == exp.path),
            source=text,
            doc=_module_doc(text),
        )

    plots: dict[str, str] = {}
    if results_dir is not None:
        for result in results.values():
            for m in (result.record.latest, result.record.last_good):
                for plot in m.plots if m is not None else ():
                    if _plot_file(results_dir, plot.file) is not None:
                        plots[plot.file] = f"{PLOTS_DIR}/{plot.file}"
    return ResultsIndex(
        claims=claims,
        files=files,
        evidence={k: tuple(v) for k, v in by_node.items()},
        plots=plots,
        results_dir=shown_results,
        diagnostics=tuple(diagnostics),
    )


def _plot_file(results_dir: Path, name: str) -> Path | None:
    # A plot is a file inside the results folder, never a path leading out of it.
    if not name or "/" in name or "\\" in name or name in (".", ".."):
        return None
    path = results_dir / name
    return path if path.is_file() else None


def _missing_diagnostics(site: ClaimSite, evidence: Sequence[Evidence]) -> list[Diagnostic]:
    if len(evidence) == 1 and evidence[0].experiment is None and evidence[0].result is None:
        return [
            Diagnostic(
                site.span,
                Code.CLAIM_WITHOUT_EXPERIMENT,
                f"claim {site.claim_id!r} has no experiment, so its card says 'not measured'; "
                f"write a test marked @pytest.mark.claim({site.claim_id!r}) under examples/",
            )
        ]
    out = []
    for ev in evidence:
        if ev.result is None:
            why = f" ({ev.problems[0]})" if ev.problems else ""
            out.append(
                Diagnostic(
                    site.span,
                    Code.RESULT_MISSING,
                    f"claim {site.claim_id!r}: experiment {ev.node_id} has no readable "
                    f"result{why}, so its card says 'not measured'; run `notegen run`",
                )
            )
    return out


def _module_doc(text: str | None) -> str:
    if not text:
        return ""
    import ast

    try:
        return ast.get_docstring(ast.parse(text)) or ""
    except (SyntaxError, ValueError):
        return ""


def load_results_index(
    graph: Graph, examples_dir: Path, results_dir: Path, root: Path
) -> ResultsIndex:
    """Read the experiments (statically) and the results files, and pair them with
    the graph's claims (:func:`gather_results`). Never runs an experiment.

    Args:
        graph: The linked notes.
        examples_dir: The experiments folder (missing: no experiments).
        results_dir: The results folder (missing: nothing measured).
        root: The project root (node ids and recorded paths are relative to it).

    Returns:
        The index, with every problem met as a diagnostic (scan problems of the
        test files included).
    """
    experiments, scan_diagnostics = scan_experiments(examples_dir, root)
    results, load_diagnostics = load_results(results_dir, root)
    sources: dict[str, str | None] = {}
    for exp in experiments:
        if exp.path not in sources:
            try:
                sources[exp.path] = (root / exp.path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                sources[exp.path] = None
    return gather_results(
        graph,
        experiments,
        results,
        load_diagnostics=[*scan_diagnostics, *load_diagnostics],
        results_dir=results_dir,
        root=root,
        examples_rel=relpath(examples_dir, root),
        sources=sources,
    )


def plot_source(results_dir: Path, name: str) -> Path | None:
    """The plot file ``name`` in ``results_dir``, if it is there (and inside it)."""
    return _plot_file(results_dir, name)
