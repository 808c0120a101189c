"""What code produced a result: the test module, its conftests and local helpers.

The code hash of an experiment covers

- its test module,
- every ``conftest.py`` pytest loads for it (from the project root down to the
  module's folder),
- and, recursively, every *local* module those import: a module found as a
  ``.py`` file (or package ``__init__.py``) under the project root, in one of
  the folders pytest's ``prepend`` (default) and ``append`` import modes put on
  ``sys.path`` for that test — the "basedir" of the test module and of each of
  its conftests (the first folder upwards without an ``__init__.py``) — in the
  importing file's own basedir, or at the project root.

Imports are resolved statically with :mod:`ast`; nothing is imported, so hashing
never imports torch. Installed packages (torch, numpy, notegen itself when
installed) are not local; their versions are tracked separately by
:func:`pinned_versions`. A change of any covered file marks exactly the
experiments whose code imports it stale.

Text is normalised before hashing (``\\r\\n`` → ``\\n``) so a checkout with other
line endings does not look changed. Hashes cover inputs only, never outputs or
times.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

PINNED_PACKAGES = ("torch", "numpy")
"""Packages whose version change marks every result stale."""

_SKIP_DIRS = frozenset({".venv", "venv", "site-packages", "node_modules", ".git", "__pycache__"})


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes with ``\\r\\n`` normalised to ``\\n``."""
    data = path.read_bytes().replace(b"\r\n", b"\n")
    return hashlib.sha256(data).hexdigest()


def combine_hashes(files: Mapping[str, str]) -> str:
    """One hash over ``{relative path: digest}``, independent of order."""
    h = hashlib.sha256()
    for rel in sorted(files):
        h.update(rel.encode("utf-8") + b"\0" + files[rel].encode("ascii") + b"\n")
    return h.hexdigest()


def _public(version: str) -> str:
    """``2.13.0+cpu`` -> ``2.13.0``: CPU and CUDA builds of one release compare equal."""
    return version.split("+", 1)[0]


def pinned_versions(packages: Iterable[str] = PINNED_PACKAGES) -> dict[str, str]:
    """Installed public versions of ``packages`` (absent ones are left out).

    Read from package metadata: torch is not imported.
    """
    out: dict[str, str] = {}
    for name in packages:
        try:
            out[name] = _public(metadata.version(name))
        except metadata.PackageNotFoundError:
            continue
    return out


def relpath(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` with ``/`` separators (absolute if outside root)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def user_relpath(path: Path, root: Path) -> str | None:
    """:func:`relpath` of one of the user's own files; None for a file outside
    ``root`` or in an installed package or a virtual environment (a traceback's
    frames there are not where the user should look)."""
    shown = relpath(path, root)
    if shown.startswith("/") or any(part in ("site-packages", ".venv") for part in path.parts):
        return None
    return shown


def _import_base(path: Path) -> Path:
    """The folder pytest's ``prepend``/``append`` import modes put on ``sys.path`` for
    ``path`` (a test module or a conftest): the first folder upwards that is not a package."""
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        folder = folder.parent
    return folder


class CodeHasher:
    """Resolves and hashes the code files of experiments, caching per file.

    One instance is meant for one pass over a tree (a test session, one
    ``load_results``); files are assumed not to change during that pass.

    Args:
        root: The project root; only files under it count as local code.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._digests: dict[Path, str | None] = {}
        self._imports: dict[tuple[Path, tuple[Path, ...]], tuple[Path, ...]] = {}
        self._closure: dict[Path, tuple[Path, ...]] = {}

    # -- digests -------------------------------------------------------------------------

    def digest(self, path: Path) -> str | None:
        """The file's digest, or None when it cannot be read."""
        path = path.resolve()
        if path not in self._digests:
            try:
                self._digests[path] = file_digest(path)
            except OSError:
                self._digests[path] = None
        return self._digests[path]

    # -- import resolution ---------------------------------------------------------------

    def _local(self, path: Path) -> bool:
        try:
            rel = path.relative_to(self.root)
        except ValueError:
            return False
        return not any(part in _SKIP_DIRS for part in rel.parts)

    def _find_module(self, dotted: str, bases: Iterable[Path]) -> list[Path]:
        """Files executed by ``import dotted``: parent packages' ``__init__`` and the module."""
        parts = dotted.split(".")
        for base in bases:
            found: list[Path] = []
            folder = base
            for i, part in enumerate(parts):
                last = i == len(parts) - 1
                pkg_init = folder / part / "__init__.py"
                mod = folder / f"{part}.py"
                if pkg_init.is_file():
                    found.append(pkg_init)
                    folder = folder / part
                elif last and mod.is_file():
                    found.append(mod)
                elif (folder / part).is_dir() and not last:
                    folder = folder / part  # a namespace package
                else:
                    found = []
                    break
            if found:
                return [p for p in found if self._local(p)]
        return []

    def _package_dir(self, path: Path, level: int) -> Path | None:
        """The folder a relative import of ``level`` dots in ``path`` starts from."""
        folder = path.parent
        for _ in range(level - 1):
            if not (folder / "__init__.py").is_file():
                return None
            folder = folder.parent
        return folder

    def imports_of(self, path: Path, search: Iterable[Path] = ()) -> tuple[Path, ...]:
        """Local files ``path`` imports directly (anywhere in it, conditional ones too).

        Args:
            path: A Python file.
            search: Folders on ``sys.path`` when it runs (:meth:`search_path`), searched
                after ``path``'s own basedir and before the project root.
        """
        path = path.resolve()
        bases = list(dict.fromkeys([_import_base(path), *search, self.root]))
        key = (path, tuple(bases))
        if key in self._imports:
            return self._imports[key]
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (OSError, SyntaxError, ValueError):
            self._imports[key] = ()
            return ()
        found: dict[Path, None] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.update(dict.fromkeys(self._find_module(alias.name, bases)))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    start = self._package_dir(path, node.level)
                    if start is None:
                        continue
                    if node.module:
                        targets = self._find_module(node.module, [start])
                        prefix = node.module + "."
                        sub_bases = [start]
                    else:
                        targets = []
                        prefix = ""
                        sub_bases = [start]
                else:
                    if not node.module:
                        continue
                    targets = self._find_module(node.module, bases)
                    prefix = node.module + "."
                    sub_bases = bases
                found.update(dict.fromkeys(targets))
                # ``from pkg import mod`` may name submodules.
                for alias in node.names:
                    if alias.name != "*":
                        sub = self._find_module(prefix + alias.name, sub_bases)
                        if sub:
                            found[sub[-1]] = None
        found.pop(path, None)
        result = tuple(p.resolve() for p in found)
        self._imports[key] = result
        return result

    def conftests_for(self, test_file: Path) -> list[Path]:
        """``conftest.py`` files pytest loads for ``test_file``, root first."""
        test_file = test_file.resolve()
        out: list[Path] = []
        folder = test_file.parent
        chain: list[Path] = []
        while True:
            chain.append(folder)
            if folder == self.root or folder.parent == folder:
                break
            folder = folder.parent
        for d in reversed(chain):
            c = d / "conftest.py"
            if c.is_file() and c != test_file:
                out.append(c)
        return out

    def search_path(self, test_file: Path) -> tuple[Path, ...]:
        """The folders pytest puts on ``sys.path`` for ``test_file`` (``prepend`` and
        ``append`` import modes): the basedir of the test module, then those of its
        conftests, deepest first (the order ``prepend`` leaves them in)."""
        test_file = test_file.resolve()
        conftests = reversed(self.conftests_for(test_file))
        return tuple(dict.fromkeys(_import_base(p) for p in [test_file, *conftests]))

    def code_files(self, test_file: Path) -> tuple[Path, ...]:
        """The test module, its conftests and every local module they import, recursively."""
        test_file = test_file.resolve()
        if test_file in self._closure:
            return self._closure[test_file]
        search = self.search_path(test_file)
        seen: dict[Path, None] = {}
        todo = [test_file, *self.conftests_for(test_file)]
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen[p] = None
            todo.extend(q for q in self.imports_of(p, search) if q not in seen)
        result = tuple(sorted(seen))
        self._closure[test_file] = result
        return result

    def file_hashes(self, test_file: Path) -> dict[str, str]:
        """``{path relative to root: digest}`` for :meth:`code_files`; unreadable files
        are left out (the test module itself missing gives an empty map)."""
        out: dict[str, str] = {}
        for p in self.code_files(test_file):
            d = self.digest(p)
            if d is not None:
                out[relpath(p, self.root)] = d
        return out
