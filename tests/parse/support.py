"""Helpers for the parser tests: case files, the mldoc reference, comparisons."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from notegen.parse import Block, Page, normalize_key

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "parse"
MLDOC_DIR = ROOT / "tests" / "mldoc"
# The user's seed note exactly as exported (before claim:: lines were added);
# the parser is checked on it, and the repository's copy is checked against it.
SEED = ROOT / "tests" / "fixtures" / "seed" / "original.md"
SEED_IN_NOTES = next((ROOT / "notes" / "pages").glob("*Reading Highlights*.md"))

_OPTION_RE = re.compile(r"\[([a-z-]+)(?::\s*([^\]]*))?\]")


@dataclass(frozen=True)
class Case:
    """One case of a case file: a title, an input page, the expected result."""

    file: Path
    line: int
    title: str
    data: bytes
    expected: dict[str, Any]
    options: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.line}-{self.file.stem}-{_slug(self.title)}"

    @property
    def mldoc_differs(self) -> str | None:
        """Why this case deliberately differs from mldoc (``[mldoc-differs: why]``)."""
        return self.options.get("mldoc-differs")


def _slug(title: str) -> str:
    title = _OPTION_RE.sub("", title).strip().lower()
    return re.sub(r"[^a-z0-9]+", "-", title).strip("-")[:60]


def load_cases(path: Path) -> list[Case]:
    """Cases of an mdit-style case file.

    Each case is a title line, then ``.``, the input, ``.``, the expected JSON,
    ``.``. In inputs, ``␣`` stands for a space (to keep trailing spaces
    visible); tabs are written as tabs. Options in the title: ``[crlf]``
    (line endings ``\\r\\n``), ``[bom]`` (a UTF-8 byte-order mark first),
    ``[no-eol]`` (no line ending after the last line), ``[mldoc-differs: why]``.
    """
    lines = path.read_text(encoding="utf-8").split("\n")
    cases: list[Case] = []
    i = 0

    def block(start: int) -> tuple[list[str], int]:
        body: list[str] = []
        j = start
        while j < len(lines) and lines[j] != ".":
            body.append(lines[j])
            j += 1
        if j >= len(lines):
            raise ValueError(f"{path}:{start}: case not closed by a '.' line")
        return body, j + 1

    while i < len(lines):
        if not lines[i].strip() or lines[i].startswith("//"):
            i += 1
            continue
        title_line = i + 1
        title = lines[i]
        if i + 1 >= len(lines) or lines[i + 1] != ".":
            raise ValueError(f"{path}:{title_line}: expected '.' after the title {title!r}")
        source, i = block(i + 2)
        expected_lines, i = block(i)
        options = {m.group(1): (m.group(2) or "").strip() for m in _OPTION_RE.finditer(title)}
        text = "\n".join(source).replace("␣", " ")
        if "no-eol" not in options:
            text += "\n"
        if "crlf" in options:
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
        if "bom" in options:
            data = b"\xef\xbb\xbf" + data
        try:
            expected = json.loads("\n".join(expected_lines))
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}:{title_line}: expected output is not JSON: {e}") from e
        cases.append(Case(path, title_line, title, data, expected, options))
    return cases


def all_cases() -> list[Case]:
    return [case for path in sorted(FIXTURES.glob("*.md")) for case in load_cases(path)]


# --- what a parse looks like, for comparison with expectations ------------------


def block_json(block: Block, expected: dict[str, Any]) -> dict[str, Any]:
    """The parts of a block a case checks: always content, properties,
    children, kind and refs; line/lines/level when the case names them."""
    out: dict[str, Any] = {
        "content": block.content,
        "properties": dict(block.properties),
    }
    kids = expected.get("children", [])
    out["children"] = [
        block_json(child, kids[i] if i < len(kids) else {})
        for i, child in enumerate(block.children)
    ]
    if block.kind != "bullet" or "kind" in expected:
        out["kind"] = block.kind
    if block.refs or "refs" in expected:
        out["refs"] = [[r.kind, r.target, r.line] for r in block.refs]
    if "line" in expected:
        out["line"] = block.span.line_start
    if "lines" in expected:
        out["lines"] = [block.span.line_start, block.span.line_end]
    if "level" in expected:
        out["level"] = block.level
    return out


def page_json(page: Page, expected: dict[str, Any]) -> dict[str, Any]:
    """The parts of a page a case checks: properties, blocks and diagnostics,
    and the page properties' refs when the case names them."""
    blocks = expected.get("blocks", [])
    out = {
        "properties": dict(page.properties),
        "blocks": [
            block_json(b, blocks[i] if i < len(blocks) else {}) for i, b in enumerate(page.blocks)
        ],
        "diagnostics": [[d.code.value, d.span.line_start] for d in page.diagnostics],
    }
    if "refs" in expected:
        out["refs"] = [[r.kind, r.target, r.line] for r in page.refs]
    return out


def normalize_expected(expected: dict[str, Any]) -> dict[str, Any]:
    out = dict(expected)
    out.setdefault("diagnostics", [])
    return out


# --- mldoc ------------------------------------------------------------------------


class MldocMissingError(RuntimeError):
    pass


def mldoc_available() -> str | None:
    """Why mldoc cannot run, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed (Logseq's parser mldoc runs on Node.js)"
    if not (MLDOC_DIR / "node_modules" / "mldoc").is_dir():
        return "mldoc is not installed: run `npm ci --prefix tests/mldoc`"
    return None


def run_mldoc(docs: Sequence[str]) -> list[dict[str, Any]]:
    """mldoc's top-level nodes and Logseq's blocks for each document."""
    why = mldoc_available()
    if why is not None:
        raise MldocMissingError(why)
    result = subprocess.run(
        ["node", str(MLDOC_DIR / "outline.js")],
        input=json.dumps(list(docs)),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        raise MldocMissingError(f"tests/mldoc/outline.js failed: {result.stderr.strip()}")
    out: list[dict[str, Any]] = json.loads(result.stdout)
    return out


@dataclass
class _OurBlock:
    start: int
    parent: int | None
    properties: list[tuple[str, str]]
    pages: set[str]
    block_refs: set[str]


def _our_blocks(text: str, page: Page) -> list[_OurBlock]:
    out: list[_OurBlock] = []
    starts: dict[int, int] = {}
    offset = len(page.front)

    def visit(block: Block, parent: int | None) -> None:
        nonlocal offset
        start = offset
        starts[id(block)] = start
        offset += len(block.raw)
        out.append(
            _OurBlock(
                start,
                parent,
                [(p.key, p.value) for p in block.property_list],
                {r.target for r in block.refs if r.kind != "block"},
                {r.target for r in block.refs if r.kind == "block"},
            )
        )
        for child in block.children:
            visit(child, start)

    for block in page.blocks:
        visit(block, None)
    return out


def _norm_props(props: Sequence[Sequence[str]]) -> list[tuple[str, str]]:
    return [(normalize_key(k), v.strip()) for k, v in props if "`" not in k and normalize_key(k)]


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _their_pages(block: dict[str, Any]) -> set[str]:
    """The pages Logseq's block refers to, less the one deliberate difference:
    a piece of a ``tags::``/``alias::`` value holding an unclosed ``[[`` names
    a page for Logseq (``[[b``); notegen warns (``unclosed-link``) instead."""
    unclosed = {p for p in block["comma_pages"] if "[[" in p}
    return set(block["pages"]) - unclosed


def compare(
    text: str, page: Page, reference: dict[str, Any], *, check_page: bool = True
) -> list[str]:
    """Differences between our parse of ``text`` and Logseq's (via mldoc).

    Compared: where blocks start, which block is whose child, each block's
    properties, its references (those in ``tags::`` and ``alias::`` values
    too), and the page properties and their references. Not compared: block
    content (Logseq keeps property lines in it; notegen's leaves them out).
    """
    problems: list[str] = []
    theirs = reference["page"]
    ours = _our_blocks(text, page)
    blocks = theirs["blocks"]
    # Logseq's pre-block holding only page properties is no block for us:
    # its children belong to the page.
    pre_real = any(b.start == 0 for b in ours) or not blocks
    starts = [b["start"] for b in blocks]
    theirs_cmp = []
    for b in blocks:
        if b["pre"] and not pre_real:
            # Its references are the page properties' (page.refs).
            mine = {r.target for r in page.refs if r.kind != "block"}
            if _their_pages(b) != mine:
                problems.append(
                    f"page properties: page refs {sorted(mine)}, Logseq's {sorted(_their_pages(b))}"
                )
            continue
        parent = b["parent"]
        parent_start = None if parent < 0 else starts[parent]
        if parent >= 0 and blocks[parent]["pre"] and not pre_real:
            parent_start = None
        theirs_cmp.append((b, parent_start))
    their_starts = [(_line(text, b["start"]), b["start"]) for b, _ in theirs_cmp]
    our_starts = [(_line(text, b.start), b.start) for b in ours]
    if their_starts != our_starts:
        problems.append(
            f"blocks start at lines {[s for s, _ in our_starts]}, "
            f"Logseq's at {[s for s, _ in their_starts]}"
        )
        return problems
    for (b, parent_start), mine in zip(theirs_cmp, ours, strict=True):
        where = f"block at line {_line(text, mine.start)}"
        if parent_start != mine.parent:
            got = "the page" if mine.parent is None else f"line {_line(text, mine.parent)}"
            want = "the page" if parent_start is None else f"line {_line(text, parent_start)}"
            problems.append(f"{where}: parent is {got}, Logseq's is {want}")
        their_props = _norm_props(b["properties"])
        if their_props != mine.properties:
            problems.append(f"{where}: properties {mine.properties}, Logseq's {their_props}")
        their_pages = _their_pages(b)
        if their_pages != mine.pages:
            problems.append(
                f"{where}: page refs {sorted(mine.pages)}, Logseq's {sorted(their_pages)}"
            )
        if set(b["block_refs"]) != mine.block_refs:
            problems.append(
                f"{where}: block refs {sorted(mine.block_refs)}, Logseq's {sorted(b['block_refs'])}"
            )
    if check_page:
        their_page = _norm_props(theirs["properties"] or [])
        mine_page = [(p.key, p.value) for p in page.property_list]
        if their_page != mine_page:
            problems.append(f"page properties {mine_page}, Logseq's {their_page}")
    return problems


def graph_files(root: Path) -> Iterator[Path]:
    """The page files of a Logseq graph folder (pages/, journals/, or any .md)."""
    for path in sorted(root.rglob("*.md")):
        parts = set(path.relative_to(root).parts)
        if parts & {"bak", ".recycle", "node_modules", ".git"}:
            continue
        yield path


def text_of(data: bytes) -> str:
    """The text mldoc is given for a file: decoded, without a byte-order mark."""
    text = data.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text
