"""``notegen build``: run the stale experiments, then build the site with MkDocs."""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

HELP = "run stale and unmeasured experiments, then build the site (mkdocs build)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``notegen build``."""
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail on any warning (a problem in a note, a broken link), as mkdocs build --strict",
    )
    parser.add_argument(
        "--no-run", action="store_true", help="build from the results on disk; run no experiment"
    )
    parser.add_argument(
        "-f",
        "--config-file",
        default="mkdocs.yml",
        metavar="FILE",
        help="the MkDocs config (default: mkdocs.yml)",
    )
    parser.add_argument(
        "-d", "--site-dir", default=None, metavar="DIR", help="where to write the site"
    )


def run(args: argparse.Namespace) -> int:
    """Run experiments (unless ``--no-run``), then ``mkdocs build``.

    The site is built even when an experiment fails (its card then says so);
    the exit status is non-zero when the run or the build failed.
    """
    config = Path(args.config_file)
    if not config.is_file():
        print(
            f"notegen build: {str(config)!r} not found; run from the project root "
            "or pass -f path/to/mkdocs.yml",
            file=sys.stderr,
        )
        return 2
    ensure_docs_dir(config)
    run_status = 0 if args.no_run else run_experiments(config.parent)
    command = [sys.executable, "-m", "mkdocs", "build", "--config-file", str(config)]
    if args.strict:
        command.append("--strict")
    if args.site_dir:
        command += ["--site-dir", args.site_dir]
    build_status = subprocess.call(command)
    if build_status != 0:
        print("notegen build: mkdocs build failed (see above)", file=sys.stderr)
        return build_status
    return run_status


_DOCS_DIR = re.compile(r"^docs_dir:\s*(?P<q>['\"]?)(?P<dir>[^'\"#\n]*?)(?P=q)\s*(?:#.*)?$", re.M)


def ensure_docs_dir(config: Path) -> None:
    """Create the ``docs_dir`` of ``config`` (``docs/`` unless set) when it is missing.

    MkDocs refuses to build without it, but a notegen site needs no hand-written
    page: notegen generates every page from the notes and results.
    """
    try:
        text = config.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return  # MkDocs will say what is wrong with it
    found = _DOCS_DIR.search(text)
    docs = config.parent / (found["dir"].strip() if found and found["dir"].strip() else "docs")
    if not docs.exists():
        docs.mkdir(parents=True)
        print(
            f"notegen: created {docs} (MkDocs needs a docs_dir; hand-written pages go there, "
            "notegen generates the others)",
            file=sys.stderr,
        )


def run_experiments(root: Path) -> int:
    """``notegen run`` in ``root``: the stale and never-measured experiments.

    Returns:
        Its exit status; 0 (with a note) when ``notegen run`` is not installed.
    """
    if importlib.util.find_spec("notegen.commands.run") is None:
        print(
            "notegen build: experiments not run (`notegen run` is not installed); "
            "building from the results on disk",
            file=sys.stderr,
        )
        return 0
    return subprocess.call([sys.executable, "-m", "notegen", "run"], cwd=root)
