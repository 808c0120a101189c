"""``notegen parse FILE [--json]``: show how notegen (and Logseq) read a page."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HELP = "parse one Logseq page file and print its block tree"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a Logseq Markdown page, e.g. notes/pages/x.md")
    parser.add_argument(
        "--json",
        action="store_true",
        help='print {"properties", "blocks": [{"content", "properties", "children"}]} as JSON',
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too")


def run(args: argparse.Namespace) -> int:
    from notegen.diagnostics import has_errors, sort_diagnostics
    from notegen.parse import read_page

    page = read_page(args.file, display_path=str(args.file))
    if args.json:
        print(json.dumps(page_to_json(page), ensure_ascii=False, indent=2))
    else:
        print(outline(page), end="")
    for diagnostic in sort_diagnostics(page.diagnostics):
        print(diagnostic, file=sys.stderr)
    return 1 if has_errors(page.diagnostics, strict=args.strict) else 0


def page_to_json(page: Any) -> dict[str, Any]:
    """DESIGN.md's JSON shape of a page."""

    def block(b: Any) -> dict[str, Any]:
        return {
            "content": b.content,
            "properties": dict(b.properties),
            "children": [block(c) for c in b.children],
        }

    return {"properties": dict(page.properties), "blocks": [block(b) for b in page.blocks]}


def outline(page: Any) -> str:
    """A readable outline: page properties, then one line per block, indented by depth."""
    lines: list[str] = []
    for key, value in page.properties.items():
        lines.append(f"{key}:: {value}")
    if page.properties:
        lines.append("")

    def walk(b: Any, depth: int) -> None:
        first, *rest = b.content.split("\n") if b.content else [""]
        marker = {"bullet": "-", "heading": "#", "preamble": "="}[b.kind]
        pad = "  " * depth
        more = f"  (+{len(rest)} lines)" if rest else ""
        lines.append(f"{pad}{marker} {_shorten(first)}{more}  [line {b.span.line_start}]")
        for key, value in b.properties.items():
            lines.append(f"{pad}  {key}:: {value}")
        for child in b.children:
            walk(child, depth + 1)

    for b in page.blocks:
        walk(b, 0)
    return "\n".join(lines) + "\n" if lines else ""


def _shorten(s: str, width: int = 100) -> str:
    return s if len(s) <= width else s[: width - 1] + "…"
