"""Which experiments exist, read statically from ``examples/`` with :mod:`ast`.

Nothing is imported (no torch, no pytest collection), so ``notegen check``,
``notegen status``, a no-op ``notegen run`` and the site can list experiments
in milliseconds, including ones never run ("not measured").

An experiment is a test function (``test*`` in ``test_*.py`` / ``*_test.py``,
at module level or in a ``Test*`` class) carrying a ``claim`` marker, given as
a decorator (``@pytest.mark.claim(...)``, ``@mark.claim(...)``) on the
function or its class, or in a module's or class's ``pytestmark``. Several
``claim`` markers on one test add up their claim ids; ``expect`` and
``timeout`` come from the one nearest the function.

Parametrized experiments: the node ids pytest will give them are computed for
literal parameter values of the kinds pytest names by value (str, int, float,
bool, None, explicit ``ids=`` / ``pytest.param(..., id=...)``), given in the
decorator or as a module-level name bound once to a list or tuple display and
never changed. When they cannot be known statically, :attr:`Experiment.params`
is None: callers match results by the base id (``file::function``) instead, and
``notegen run`` hands pytest the function, so that instances nobody measured
yet are collected and run too.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from notegen.diagnostics import Code, Diagnostic, SourceSpan
from notegen.model.properties import CLAIM_ID
from notegen.store.codehash import relpath
from notegen.store.load import LoadedResult
from notegen.store.schema import EXPECTATIONS, Expectation

_SKIP_DIRS = frozenset({".venv", "venv", "node_modules", "__pycache__", ".git", "site-packages"})


@dataclass(frozen=True, slots=True)
class Experiment:
    """One experiment as declared in the source, before anything runs."""

    experiment_id: str
    """The base pytest node id, relative to the project root: ``examples/test_x.py::test_y``
    (``::TestC::test_y`` in a class); parametrized instances add ``[...]``."""
    path: str
    """The test file, relative to the project root, ``/``-separated."""
    function: str
    """The function's qualified name: ``test_y`` or ``TestC.test_y``."""
    span: SourceSpan
    """From the ``def`` line to the function's last line."""
    doc: str
    """The docstring, cleaned (``inspect.cleandoc``); empty when there is none."""
    claims: tuple[str, ...]
    """Claim ids from every ``claim`` marker that applies, in order, without duplicates."""
    expect: Expectation = "supported"
    """The declared verdict."""
    timeout: float | None = None
    """The marker's time limit in seconds (None: the configured default)."""
    params: tuple[str, ...] | None = ()
    """Parameter ids of a parametrized test (``()`` when not parametrized, None when
    they cannot be known statically)."""
    skipped: bool = False
    """True when the test carries an unconditional ``skip`` marker."""

    @property
    def node_ids(self) -> tuple[str, ...]:
        """The node ids pytest gives the experiment's instances (the base id when unknown)."""
        if not self.params:
            return (self.experiment_id,)
        return tuple(f"{self.experiment_id}[{p}]" for p in self.params)

    def owns(self, node_id: str) -> bool:
        """Whether ``node_id`` (e.g. from a results file) is an instance of this experiment."""
        if node_id == self.experiment_id:
            return True
        if not node_id.startswith(self.experiment_id + "["):
            return False
        return self.params is None or node_id in self.node_ids


@dataclass(slots=True)
class _Marker:
    claims: list[str] = field(default_factory=list)
    expect: str | None = None
    timeout: float | None = None
    has_timeout: bool = False
    line: int = 0


class _Unknown(Exception):
    """A value that cannot be evaluated statically."""


def _mark_name(node: ast.expr) -> str | None:
    """``pytest.mark.NAME`` / ``mark.NAME`` (called or not) -> NAME."""
    if isinstance(node, ast.Call):
        node = node.func
    if not isinstance(node, ast.Attribute):
        return None
    base = node.value
    if isinstance(base, ast.Attribute) and base.attr == "mark":
        return node.attr
    if isinstance(base, ast.Name) and base.id == "mark":
        return node.attr
    return None


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as e:
        raise _Unknown from e


def _marks_in(value: ast.expr) -> list[ast.expr]:
    """Marker expressions in a ``pytestmark = ...`` value (one, or a list/tuple)."""
    if isinstance(value, ast.List | ast.Tuple):
        return list(value.elts)
    return [value]


def _pytestmark(body: Iterable[ast.stmt]) -> list[ast.expr]:
    out: list[ast.expr] = []
    for stmt in body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        if value is not None and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in targets
        ):
            out.extend(_marks_in(value))
    return out


def _module_constants(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level names bound exactly once, to a list or tuple display, and never
    touched otherwise (no attribute, item or rebinding anywhere in the module): the
    values a ``parametrize`` naming them certainly sees."""
    displays: dict[str, ast.expr] = {}
    for stmt in tree.body:
        target: ast.expr | None = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            target = stmt.target
        value = getattr(stmt, "value", None)
        if isinstance(target, ast.Name) and isinstance(value, ast.List | ast.Tuple):
            displays[target.id] = value
    bindings: dict[str, int] = {}
    touched: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names = [node.id]
        elif isinstance(node, ast.alias):
            if node.name == "*":
                return {}  # a star import may rebind any of them
            names = [(node.asname or node.name).split(".")[0]]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names = [node.name]
        elif isinstance(node, ast.Attribute | ast.Subscript) and isinstance(node.value, ast.Name):
            touched.add(node.value.id)  # SIZES.append(4), SIZES[0] = 2, ...
        elif isinstance(node, ast.Global | ast.Nonlocal):
            touched.update(node.names)
        for name in names:
            bindings[name] = bindings.get(name, 0) + 1
    return {
        name: value
        for name, value in displays.items()
        if bindings.get(name) == 1 and name not in touched
    }


class _FileScan:
    def __init__(self, path: Path, shown: str, root_rel: str) -> None:
        self.path = path
        self.shown = shown
        self.node_path = root_rel
        self.diagnostics: list[Diagnostic] = []
        self.experiments: list[Experiment] = []
        self.constants: dict[str, ast.expr] = {}

    def diag(self, line: int, code: Code, message: str) -> None:
        self.diagnostics.append(Diagnostic(SourceSpan(self.shown, line, line), code, message))

    # -- markers -------------------------------------------------------------------------

    def claim_marker(self, node: ast.expr, where: str) -> _Marker | None:
        if _mark_name(node) != "claim":
            return None
        m = _Marker(line=node.lineno)
        if not isinstance(node, ast.Call):
            self.diag(
                node.lineno,
                Code.BAD_CLAIM_ID,
                f"claim marker on {where} names no claim id; write "
                '@pytest.mark.claim("claim-id") with the id of a `claim::` in a note',
            )
            return m
        for arg in node.args:
            try:
                value = _literal(arg)
            except _Unknown:
                self.diag(
                    arg.lineno,
                    Code.EXPERIMENT_INVALID,
                    f"claim id of {where} is not a literal string; notegen reads claim "
                    "ids without running the code: write it as a string literal",
                )
                continue
            if not isinstance(value, str) or not CLAIM_ID.fullmatch(value):
                self.diag(
                    arg.lineno,
                    Code.BAD_CLAIM_ID,
                    f"claim id {value!r} of {where} is not made of a-z, 0-9 and '-'; "
                    "use the id of a `claim::` property in a note",
                )
                continue
            if value not in m.claims:
                m.claims.append(value)
        for kw in node.keywords:
            if kw.arg == "expect":
                try:
                    value = _literal(kw.value)
                except _Unknown:
                    value = None
                if value not in EXPECTATIONS:
                    self.diag(
                        kw.value.lineno,
                        Code.EXPERIMENT_INVALID,
                        f"expect= of {where} must be one of "
                        f"{', '.join(map(repr, EXPECTATIONS))}, got "
                        f"{ast.unparse(kw.value)}",
                    )
                else:
                    m.expect = str(value)
            elif kw.arg == "timeout":
                try:
                    value = _literal(kw.value)
                except _Unknown:
                    value = "?"
                if value is not None and (
                    isinstance(value, bool) or not isinstance(value, int | float) or value < 0
                ):
                    self.diag(
                        kw.value.lineno,
                        Code.EXPERIMENT_INVALID,
                        f"timeout= of {where} must be a number of seconds (0: no limit) "
                        f"or None, got {ast.unparse(kw.value)}",
                    )
                else:
                    m.timeout = None if value is None else float(cast(float, value))
                    m.has_timeout = True
            else:
                self.diag(
                    kw.value.lineno,
                    Code.EXPERIMENT_INVALID,
                    f"unknown argument {kw.arg}= in the claim marker of {where}; "
                    "known: expect=, timeout=",
                )
        return m

    # -- parametrize ---------------------------------------------------------------------

    @staticmethod
    def _id_of(value: object) -> str | None:
        if isinstance(value, str):
            escaped = value.encode("unicode_escape").decode("ascii")
            return escaped if escaped.isprintable() else None
        if value is None or isinstance(value, bool | int | float | complex):
            return str(value)
        return None

    def param_ids(self, node: ast.Call) -> list[str] | None:
        """The ids one ``parametrize`` call produces, or None when not knowable."""
        if len(node.args) < 2:
            return None
        try:
            names = _literal(node.args[0])
        except _Unknown:
            return None
        if isinstance(names, str):
            argnames = [n.strip() for n in names.split(",") if n.strip()]
        elif isinstance(names, list | tuple) and all(isinstance(n, str) for n in names):
            argnames = list(cast(list[str], names))
        else:
            return None
        values_node = node.args[1]
        if isinstance(values_node, ast.Name):
            values_node = self.constants.get(values_node.id, values_node)
        if not isinstance(values_node, ast.List | ast.Tuple):
            return None
        explicit: list[object] | None = None
        for kw in node.keywords:
            if kw.arg == "ids":
                try:
                    got = _literal(kw.value)
                except _Unknown:
                    return None
                if not isinstance(got, list | tuple):
                    return None
                explicit = list(got)
            elif kw.arg == "indirect":
                return None
        ids: list[str] = []
        for idx, elt in enumerate(values_node.elts):
            given: str | None = None
            if (
                isinstance(elt, ast.Call)
                and isinstance(elt.func, ast.Attribute)
                and elt.func.attr == "param"
            ):
                for kw in elt.keywords:
                    if kw.arg == "id":
                        try:
                            v = _literal(kw.value)
                        except _Unknown:
                            return None
                        given = v if isinstance(v, str) else None
                        if given is None:
                            return None
                values = list(elt.args)
            elif len(argnames) == 1:
                values = [elt]
            elif isinstance(elt, ast.List | ast.Tuple):
                values = list(elt.elts)
            else:
                return None
            if explicit is not None and idx < len(explicit) and explicit[idx] is not None:
                one = self._id_of(explicit[idx])
                if one is None:
                    return None
                ids.append(one)
                continue
            if given is not None:
                escaped = self._id_of(given)
                if escaped is None:
                    return None
                ids.append(escaped)
                continue
            parts: list[str] = []
            for name, v in zip(argnames, values, strict=False):
                try:
                    lit = _literal(v)
                except _Unknown:
                    # pytest names a value by what it is at run time (an int, a
                    # function's __name__, an enum member, else argname+index).
                    return None
                if isinstance(lit, bytes):
                    return None
                part = self._id_of(lit)
                parts.append(part if part is not None else f"{name}{idx}")
            ids.append("-".join(parts))
        if len(set(ids)) != len(ids):
            return None  # pytest would add counters; leave it to the base-id match
        return ids

    # -- functions -----------------------------------------------------------------------

    def function(
        self,
        fn: ast.FunctionDef | ast.AsyncFunctionDef,
        inherited: list[_Marker],
        inherited_skip: bool,
        cls: str | None,
    ) -> None:
        qual = f"{cls}.{fn.name}" if cls else fn.name
        where = f"{self.shown}::{qual.replace('.', '::')}"
        own: list[_Marker] = []
        param_sets: list[list[str] | None] = []
        skipped = inherited_skip
        for dec in fn.decorator_list:
            name = _mark_name(dec)
            if name == "claim":
                m = self.claim_marker(dec, where)
                if m is not None:
                    own.append(m)
            elif name == "parametrize" and isinstance(dec, ast.Call):
                param_sets.append(self.param_ids(dec))
            elif name == "skip":
                skipped = True
        # Nearest first: the function's own decorators (bottom-most first), then class, module.
        markers = list(reversed(own)) + inherited
        if not markers:
            return
        claims: list[str] = []
        for m in reversed(markers):
            claims.extend(c for c in m.claims if c not in claims)
        expect = next((m.expect for m in markers if m.expect is not None), "supported")
        timeout = next((m.timeout for m in markers if m.has_timeout), None)
        params: tuple[str, ...] | None
        if not param_sets:
            params = ()
        elif any(p is None for p in param_sets):
            params = None
        else:
            # The decorator nearest the function comes first in pytest's ids.
            ordered = [cast(list[str], p) for p in reversed(param_sets)]
            params = tuple("-".join(combo) for combo in itertools.product(*ordered))
        end = fn.end_lineno or fn.lineno
        node_id = f"{self.node_path}::{cls}::{fn.name}" if cls else f"{self.node_path}::{fn.name}"
        self.experiments.append(
            Experiment(
                experiment_id=node_id,
                path=self.node_path,
                function=qual,
                span=SourceSpan(self.shown, fn.lineno, end),
                doc=ast.get_docstring(fn) or "",
                claims=tuple(claims),
                expect=cast(Expectation, expect),
                timeout=timeout,
                params=params,
                skipped=skipped,
            )
        )

    def markers_of(self, exprs: Iterable[ast.expr], where: str) -> tuple[list[_Marker], bool]:
        found: list[_Marker] = []
        skip = False
        for e in exprs:
            if _mark_name(e) == "skip":
                skip = True
            m = self.claim_marker(e, where)
            if m is not None:
                found.append(m)
        return found, skip

    def scan(self, tree: ast.Module) -> None:
        self.constants = _module_constants(tree)
        module_marks, module_skip = self.markers_of(_pytestmark(tree.body), self.shown)
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name.startswith(
                "test"
            ):
                self.function(stmt, module_marks, module_skip, None)
            elif isinstance(stmt, ast.ClassDef) and stmt.name.startswith("Test"):
                if any(isinstance(s, ast.FunctionDef) and s.name == "__init__" for s in stmt.body):
                    continue  # pytest does not collect classes with __init__
                where = f"{self.shown}::{stmt.name}"
                cls_marks, cls_skip = self.markers_of(
                    [*reversed(stmt.decorator_list), *_pytestmark(stmt.body)], where
                )
                for sub in stmt.body:
                    if isinstance(
                        sub, ast.FunctionDef | ast.AsyncFunctionDef
                    ) and sub.name.startswith("test"):
                        self.function(
                            sub, cls_marks + module_marks, module_skip or cls_skip, stmt.name
                        )


def _test_files(examples_dir: Path) -> Iterator[Path]:
    if examples_dir.is_file():
        yield examples_dir
        return
    for p in sorted(examples_dir.rglob("*.py")):
        rel = p.relative_to(examples_dir)
        if any(part in _SKIP_DIRS or part.startswith(".") for part in rel.parts[:-1]):
            continue
        if p.name.startswith("test_") or p.name.endswith("_test.py"):
            yield p


def scan_file(path: Path, root: Path) -> tuple[list[Experiment], list[Diagnostic]]:
    """The experiments declared in one test file, and problems found reading them."""
    rel = relpath(path, root)
    scan = _FileScan(path, rel, rel)
    try:
        source = path.read_bytes()
    except OSError as e:
        scan.diag(1, Code.UNREADABLE, f"cannot read test file: {e}")
        return [], scan.diagnostics
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as e:
        scan.diag(
            e.lineno or 1,
            Code.EXPERIMENT_INVALID,
            f"test file does not parse: {e.msg}; its experiments cannot be listed or run",
        )
        return [], scan.diagnostics
    except ValueError as e:
        scan.diag(1, Code.EXPERIMENT_INVALID, f"test file does not parse: {e}")
        return [], scan.diagnostics
    scan.scan(tree)
    return scan.experiments, scan.diagnostics


def scan_experiments(examples_dir: Path, root: Path) -> tuple[list[Experiment], list[Diagnostic]]:
    """Every experiment under ``examples_dir`` and the problems found in their markers.

    Diagnostics: ``bad-claim-id`` for an id not made of ``[a-z0-9-]``,
    ``experiment-invalid`` for a file that does not parse or a marker argument
    that cannot be read statically, ``unreadable`` for a file that cannot be read.
    """
    experiments: list[Experiment] = []
    diagnostics: list[Diagnostic] = []
    if not examples_dir.exists():
        return experiments, diagnostics
    for path in _test_files(examples_dir):
        found, diags = scan_file(path, root)
        experiments.extend(found)
        diagnostics.extend(diags)
    return experiments, diagnostics


def collect_experiments(examples_dir: Path, root: Path) -> list[Experiment]:
    """Every experiment under ``examples_dir``, read statically (nothing is imported).

    Args:
        examples_dir: The experiments folder (or one test file).
        root: The project root; ids and paths are relative to it, as pytest's node
            ids are when pytest runs with this root as its rootdir.

    Returns:
        The experiments in file, then source order. Problems in markers are left
        out here; :func:`scan_experiments` returns them as diagnostics.
    """
    return scan_experiments(examples_dir, root)[0]


# --- experiments against stored results ---------------------------------------------------

ExperimentStateKind = Literal["not-measured", "stale", "fresh"]


@dataclass(frozen=True, slots=True)
class ExperimentState:
    """One experiment instance (a node id) and what is stored for it."""

    experiment: Experiment
    """The experiment as declared in the source."""
    node_id: str
    """The instance's node id (the base id when a parametrized one was never measured and
    its parameter ids are not known statically)."""
    result: LoadedResult | None
    """The stored result, if any."""

    @property
    def kind(self) -> ExperimentStateKind:
        """``not-measured``, ``stale`` or ``fresh``."""
        if self.result is None:
            return "not-measured"
        return "stale" if self.result.stale else "fresh"

    @property
    def why(self) -> str:
        """Why it would run: ``not measured`` or the staleness reasons; empty when fresh."""
        if self.result is None:
            return "not measured"
        return self.result.why_stale()

    @property
    def as_declared(self) -> bool:
        """True when there is a result and its latest verdict is the declared one."""
        return self.result is not None and self.result.record.latest.as_declared


def match_results(
    experiments: Iterable[Experiment], results: Mapping[str, LoadedResult]
) -> tuple[list[ExperimentState], list[LoadedResult]]:
    """Pair each experiment instance with its stored result.

    Returns:
        ``(states, orphans)``: a state per instance in source order, and results
        whose experiment no longer exists (renamed or deleted tests), by id.
    """
    states: list[ExperimentState] = []
    claimed: set[str] = set()
    for exp in experiments:
        if exp.params is None:
            owned = sorted(k for k in results if exp.owns(k))
            if not owned:
                states.append(ExperimentState(exp, exp.experiment_id, None))
            for k in owned:
                states.append(ExperimentState(exp, k, results[k]))
                claimed.add(k)
            continue
        for node_id in exp.node_ids:
            states.append(ExperimentState(exp, node_id, results.get(node_id)))
            claimed.add(node_id)
    orphans = [r for k, r in sorted(results.items()) if k not in claimed]
    return states, orphans
