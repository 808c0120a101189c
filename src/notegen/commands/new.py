"""``notegen new``: link a highlight (or any block) to a new experiment.

Writes the ``claim::`` property into the note where Logseq reads it (every
other byte of the note unchanged) and scaffolds the experiment: a new test
module under ``examples/``, or a new test function appended to an existing
one. Nothing the user wrote is overwritten: an existing test function of the
same name, a claim id already used in the graph, or a block that cannot be
found stops the command before anything is written.
"""

from __future__ import annotations

import argparse
import ast
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from notegen.errors import LinkError, NotegenError

if TYPE_CHECKING:
    from notegen.link import Graph, GraphPage
    from notegen.model import Note, NoteBlock

HELP = "link a block of a note to a new experiment: write its claim:: and scaffold the test"

_EXCERPT = 240


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``notegen new``."""
    parser.add_argument(
        "block",
        metavar="NOTE[:LINE]",
        help="the note file (or its page name) and a line of the block that makes the claim, "
        "e.g. 'notes/pages/x.md:16'; use --match instead of the line to find the block by text",
    )
    parser.add_argument("claim", metavar="CLAIM_ID", help="the new claim id ([a-z0-9-]+)")
    parser.add_argument(
        "--match",
        metavar="TEXT",
        help="find the block whose text contains TEXT (it must be the only one in the note)",
    )
    parser.add_argument(
        "--experiment",
        type=Path,
        metavar="FILE",
        help="the test module to write the experiment into (default: "
        "examples/test_<claim id>.py); appended to when it exists",
    )
    parser.add_argument("--notes", default="notes", metavar="DIR", help="the Logseq graph")
    parser.add_argument("--root", type=Path, default=None, metavar="DIR", help="project root")
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be written, write nothing"
    )


@dataclass(frozen=True, slots=True)
class Plan:
    """What ``notegen new`` will write."""

    note_path: Path
    """The note file to update."""
    note_bytes: bytes
    """The note's new bytes (only the ``claim::`` property differs)."""
    claim_value: str
    """The block's new ``claim::`` value."""
    block_line: int
    """The first line of the block that makes the claim."""
    experiment_path: Path
    """The test module to create or append to."""
    experiment_text: str
    """The module's new full text."""
    test_name: str
    """The scaffolded test function."""
    created: bool
    """Whether the test module is new."""


def run(args: argparse.Namespace) -> int:
    """Plan, then write the experiment and the note; print the next steps."""
    from notegen.commands._project import find_root

    root = args.root.resolve() if args.root else find_root(Path.cwd())
    plan = make_plan(
        root,
        block=args.block,
        claim=args.claim,
        match=args.match,
        experiment=args.experiment,
        notes=Path(args.notes),
    )
    rel_note = _rel(plan.note_path, root)
    rel_exp = _rel(plan.experiment_path, root)
    if args.dry_run:
        print(f"would set claim:: {plan.claim_value} on {rel_note}:{plan.block_line}")
        verb = "create" if plan.created else "append to"
        print(f"would {verb} {rel_exp} with {plan.test_name}():\n")
        print(plan.experiment_text)
        return 0
    from notegen.atomic import atomic_write_bytes

    # The experiment first: if writing the note fails, the user has lost nothing.
    try:
        atomic_write_bytes(plan.experiment_path, plan.experiment_text.encode("utf-8"))
        atomic_write_bytes(plan.note_path, plan.note_bytes)
    except OSError as e:
        raise NotegenError(f"cannot write {e.filename or 'a file'}: {e.strerror or e}") from e
    print(f"{rel_note}:{plan.block_line}: claim:: {plan.claim_value}")
    print(f"{rel_exp}: {'created with' if plan.created else 'added'} {plan.test_name}()")
    print(
        "next: write the experiment (its docstring says what to fill in); measure it with\n"
        f"  pytest {rel_exp}::{plan.test_name}\n"
        "then publish its result under the block with\n"
        "  notegen build",
        file=sys.stderr,
    )
    return 0


def make_plan(
    root: Path,
    *,
    block: str,
    claim: str,
    match: str | None,
    experiment: Path | None,
    notes: Path,
) -> Plan:
    """Work out every byte ``notegen new`` will write, writing nothing.

    Raises:
        LinkError: The claim id is invalid or used already, or the note or block
            cannot be found.
        NotegenError: The experiment module cannot take the new test.
    """
    from notegen.link import build_graph
    from notegen.model.properties import CLAIM_ID, suggest_claim_id
    from notegen.parse import set_block_property

    if not CLAIM_ID.fullmatch(claim):
        raise LinkError(
            f"claim id {claim!r} is not valid: use lower-case letters, digits and '-', "
            f"e.g. {suggest_claim_id(claim) or 'my-claim'!r}"
        )
    notes_dir = notes if notes.is_absolute() else root / notes
    graph = build_graph(notes_dir, root)
    if claim in graph.claims:
        site = graph.claims[claim]
        raise LinkError(f"claim id {claim!r} is used already at {site.span}; pick another id")

    target, line = _split_target(block)
    note_page = _find_note(graph, root, target)
    note = note_page.note
    assert note is not None  # _find_note returns pages with a file
    chosen = _find_block(note, line=line, match=match)

    existing = list(chosen.claim_ids)
    value = ", ".join([*existing, claim])
    note_path = root / note.path
    new_bytes = set_block_property(note.page, chosen.block, "claim", value)

    exp_path = experiment or Path("examples") / f"test_{claim.replace('-', '_')}.py"
    exp_path = exp_path if exp_path.is_absolute() else root / exp_path
    test_name = f"test_{claim.replace('-', '_')}"
    quote = " ".join(chosen.text.split())
    if len(quote) > _EXCERPT:
        quote = quote[: _EXCERPT - 1] + "…"
    function = _function_text(
        claim=claim,
        test_name=test_name,
        where=f"{note.path}:{chosen.span.line_start}",
        role=chosen.role,
        quote=quote,
    )
    if exp_path.exists():
        try:
            old = exp_path.read_text(encoding="utf-8")
            tree = ast.parse(old, filename=str(exp_path))
        except (OSError, UnicodeDecodeError, SyntaxError) as e:
            raise NotegenError(
                f"{_rel(exp_path, root)}: cannot add an experiment to it ({e}); "
                "fix the file or pass --experiment with another file"
            ) from e
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        if test_name in names:
            raise NotegenError(
                f"{_rel(exp_path, root)} already has {test_name}(); "
                "pass --experiment with another file or pick another claim id"
            )
        missing_imports = [imp for imp in _IMPORTS if imp not in old]
        header = ""
        if missing_imports:
            # Appended imports keep the new function self-contained (ruff may move them).
            header = "\n" + "\n".join(missing_imports) + "\n"
        text = old.rstrip("\n") + "\n\n" + header + "\n" + function
        created = False
    else:
        text = _module_text(note.title) + function
        created = True
    return Plan(
        note_path=note_path,
        note_bytes=new_bytes,
        claim_value=value,
        block_line=chosen.span.line_start,
        experiment_path=exp_path,
        experiment_text=text,
        test_name=test_name,
        created=created,
    )


_IMPORTS = ("import pytest", "from notegen.stats import decide, paired_difference")


def _module_text(title: str) -> str:
    return (
        f'"""Experiments checking claims of the note {title!r}."""\n\n'
        "from __future__ import annotations\n\n" + "\n".join(_IMPORTS) + "\n\n\n"
    )


def _function_text(*, claim: str, test_name: str, where: str, role: str, quote: str) -> str:
    quote = quote.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    body = f'''\
    @pytest.mark.claim("{claim}")
    def {test_name}(measure, device):
        """TODO: the claim in one sentence.

        The {role} ({where}):
        {quote}

        Simulated: TODO what data and models this experiment simulates.
        Why this tests the claim: TODO.
        Anchor: TODO the published figure to compare with, and whether we agree.
        """
        seeds = measure.seeds([0, 1, 2, 3, 4])
        # For each seed, measure both arms on the same data, e.g. AUCs:
        #   effect = paired_difference(auc_new, auc_baseline)   # mean and 95% CI over seeds
        #   measure.metric("delta_auc", effect, unit="AUC")
        #   measure.figure(fig, name="arms", caption="AUC per arm, 5 seeds")
        #   measure.summary(f"new vs baseline: AUC {{effect.mean:+.4f}} (95% CI "
        #                   f"{{effect.ci_low:+.4f}}…{{effect.ci_high:+.4f}}), {{effect.n}} seeds")
        #   measure.verdict(decide(effect, above=0.0))   # what the claim says
        del seeds, device
        raise NotImplementedError("write the experiment for claim '{claim}' ({where})")
    '''
    return textwrap.dedent(body)


def _split_target(block: str) -> tuple[str, int | None]:
    head, sep, tail = block.rpartition(":")
    if sep and tail.isdigit():
        return head, int(tail)
    return block, None


def _find_note(graph: Graph, root: Path, target: str) -> GraphPage:
    path = Path(target)
    candidates = [path if path.is_absolute() else Path.cwd() / path, root / path]
    for candidate in candidates:
        if candidate.is_file():
            resolved = candidate.resolve()
            for page, note in graph.note_pages():
                if (root / note.path).resolve() == resolved:
                    return page
            raise LinkError(f"{target}: not a page of the graph (only notes under the graph count)")
    resolved_page = graph.resolve(target)
    if resolved_page is not None and resolved_page.note is not None:
        return resolved_page
    known = ", ".join(repr(n.path) for _, n in graph.note_pages()) or "none"
    raise LinkError(f"no note {target!r}: give a note file or page name; notes: {known}")


def _find_block(note: Note, *, line: int | None, match: str | None) -> NoteBlock:
    blocks = list(note.walk())
    if line is not None and match is not None:
        raise LinkError("give a line (NOTE:LINE) or --match, not both")
    if line is not None:
        # The innermost block whose own lines hold the line.
        hits = [b for b in blocks if b.span.line_start <= line <= b.span.line_end]
        if not hits:
            starts = ", ".join(str(b.span.line_start) for b in blocks)
            raise LinkError(f"{note.path}:{line}: no block there; blocks start at lines {starts}")
        return hits[-1]
    if match is not None:
        hits = [b for b in blocks if match in b.block.content]
        if len(hits) != 1:
            found = ", ".join(f"{note.path}:{b.span.line_start}" for b in hits) or "none"
            raise LinkError(
                f"--match {match!r} must find exactly one block of {note.path}; found: {found}"
            )
        return hits[0]
    raise LinkError(
        f"say which block of {note.path} makes the claim: {note.path}:LINE or --match TEXT"
    )


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
