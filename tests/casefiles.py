"""Reading case files: a name line, then input and expected output, each closed by
a line holding only ``.`` (as markdown-it-py's test fixtures)."""

from __future__ import annotations

from pathlib import Path


def read_cases(path: Path) -> list[tuple[int, str, str, str]]:
    """(line, name, input, expected) for each case of the file at ``path``."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        start, name = i + 1, lines[i]
        assert lines[i + 1] == ".", f"{path}:{i + 2}: expected '.' after the case name"
        parts: list[list[str]] = [[], []]
        i += 2
        for part in parts:
            while lines[i] != ".":
                part.append(lines[i])
                i += 1
            i += 1
        cases.append((start, name, "\n".join(parts[0]), "\n".join(parts[1])))
    return cases
