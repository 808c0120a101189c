"""``notegen serve``: preview the site, rebuilt when notes, results or experiments change."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from notegen.commands.build import ensure_docs_dir

HELP = "serve the site on localhost; rebuild when notes, results or experiments change"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``notegen serve``."""
    parser.add_argument(
        "-a",
        "--dev-addr",
        default=None,
        metavar="IP:PORT",
        help="address to serve on (default: MkDocs', 127.0.0.1:8000)",
    )
    parser.add_argument(
        "-f",
        "--config-file",
        default="mkdocs.yml",
        metavar="FILE",
        help="the MkDocs config (default: mkdocs.yml)",
    )
    parser.add_argument("--strict", action="store_true", help="fail on any warning")


def run(args: argparse.Namespace) -> int:
    """``mkdocs serve``; experiments are not run (use ``notegen run``; results reload)."""
    config = Path(args.config_file)
    if not config.is_file():
        print(
            f"notegen serve: {str(config)!r} not found; run from the project root "
            "or pass -f path/to/mkdocs.yml",
            file=sys.stderr,
        )
        return 2
    ensure_docs_dir(config)
    command = [sys.executable, "-m", "mkdocs", "serve", "--config-file", str(config)]
    if args.dev_addr:
        command += ["--dev-addr", args.dev_addr]
    if args.strict:
        command.append("--strict")
    return subprocess.call(command)
