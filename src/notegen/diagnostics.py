"""Diagnostics are data: every stage returns them, adapters print them.

A diagnostic prints as ``path:line: message [notegen.code]``. Stages collect
all of them and never stop at the first; ``--strict`` turns warnings fatal.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class SourceSpan:
    """Where something came from in the user's files."""

    path: str
    """File path as the user would type it (relative to the project root when possible)."""
    line_start: int
    """First line, 1-based."""
    line_end: int
    """Last line, 1-based, inclusive."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line_start}"


class Code(enum.Enum):
    """Every diagnostic notegen can emit. The value is printed as ``[notegen.<value>]``.

    Each member's docstring-like comment says when it is used; the severity is
    fixed per code so that ``--strict`` and exit codes behave predictably.
    """

    # --- reading files (errors) ---
    UNREADABLE = "unreadable"  # a file cannot be read (permissions, vanished)
    NOT_UTF8 = "not-utf8"  # bytes that are not UTF-8
    # --- Logseq syntax Logseq accepts but the writer probably did not mean (warnings) ---
    UNCLOSED_FENCE = "unclosed-fence"
    UNCLOSED_LINK = "unclosed-link"  # an unclosed [[
    PROPERTY_NO_KEY = "property-no-key"  # a line like ":: value"
    BAD_PROPERTY_KEY = "bad-property-key"  # a key Logseq ignores (holds a backtick)
    PAGE_PROPERTIES_NOT_FIRST = "page-properties-not-first"  # page properties after a blank line
    IGNORED_PROPERTIES = "ignored-properties"  # a block's second property group
    MIXED_INDENT = "mixed-indent"  # tabs and spaces mixed in one indentation
    EMPTY_FILE = "empty-file"
    BAD_FRONT_MATTER = "bad-front-matter"  # YAML front matter that does not parse
    BAD_DATE = "bad-date"  # a date:: property in no known form
    # --- claims (errors) ---
    BAD_CLAIM_ID = "bad-claim-id"  # not [a-z0-9-]+
    DUPLICATE_CLAIM = "duplicate-claim"  # the same claim id on two blocks of the graph
    # --- links between notes, claims and experiments (warnings) ---
    CLAIM_WITHOUT_EXPERIMENT = "claim-without-experiment"
    EXPERIMENT_WITHOUT_CLAIM = "experiment-without-claim"  # its claim id is in no note
    ANNOTATION_WITHOUT_CLAIM = "annotation-without-claim"  # no claim on it or above it
    DUPLICATE_PAGE = "duplicate-page"  # two page files claim the same page name
    UNKNOWN_BLOCK_REF = "unknown-block-ref"  # ((uuid)) naming no block's id:: in the graph
    CLAIM_IN_TEXT = "claim-in-text"  # a claim:: line Logseq reads as text (e.g. after a quote)
    CLAIM_ON_PAGE = "claim-on-page"  # a claim:: in the page properties: it names no block
    # --- experiments (warnings) ---
    EXPERIMENT_INVALID = "experiment-invalid"  # a test file or claim marker notegen cannot read
    # --- results (warnings) ---
    RESULT_INVALID = "result-invalid"  # a results file that is not valid JSON / schema
    RESULT_MISSING = "result-missing"  # a linked experiment has never been measured
    PLOT_MISSING = "plot-missing"  # a results file names a plot file that is not there
    RESULT_STALE = "result-stale"
    RESULT_BROKEN = "result-broken"


ERROR_CODES = frozenset({Code.UNREADABLE, Code.NOT_UTF8, Code.BAD_CLAIM_ID, Code.DUPLICATE_CLAIM})


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the user's files."""

    span: SourceSpan
    """The file and line the user has to look at."""
    code: Code
    """What kind of problem; fixes the severity."""
    message: str
    """What is wrong and how to fix it, naming the bad value and the valid choices."""

    @property
    def severity(self) -> Severity:
        return "error" if self.code in ERROR_CODES else "warning"

    def __str__(self) -> str:
        return (
            f"{self.span.path}:{self.span.line_start}: {self.message} [notegen.{self.code.value}]"
        )


def has_errors(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> bool:
    """True when any diagnostic is an error (any at all under ``strict``)."""
    return any(strict or d.severity == "error" for d in diagnostics)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in file, then line order, duplicates removed."""
    unique = dict.fromkeys(diagnostics)
    return sorted(unique, key=lambda d: (d.span.path, d.span.line_start, d.code.value, d.message))
