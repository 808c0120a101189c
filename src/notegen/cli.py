"""The ``notegen`` command line: a thin adapter over the pipeline stages.

Each subcommand lives in ``notegen.commands.<name>`` and provides ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``. Command modules import
their heavy dependencies (mkdocs, torch, pytest) inside ``run`` so that
``notegen --help`` and a no-op ``notegen run`` stay fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

from notegen import __version__
from notegen.errors import NotegenError

# Order is the order shown by --help.
COMMANDS = ("parse", "check", "run", "status", "build", "serve", "new")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="notegen",
        description="Compile Logseq highlight notes into a MkDocs-Material site "
        "whose claims are checked by PyTorch experiments.",
    )
    parser.add_argument("--version", action="version", version=f"notegen {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"notegen.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"notegen.commands.{name}":
                raise
            continue  # a command not written yet
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``notegen`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args._run(args)
    except NotegenError as e:
        print(f"notegen: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`notegen status | head`): stop quietly. Point stdout at
        # /dev/null so that flushing it at exit does not raise again.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 141  # as a process ended by SIGPIPE
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
