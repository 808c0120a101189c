"""Markdown for what an experiment measured, shared by result cards and experiment pages.

Verdict badges (an icon from notegen's stylesheet *and* a word, never colour
alone), metrics tables (mean, 95% CI, n, unit, per-seed values), plots (a
link to the full-size SVG around the image, alt text naming the claim and the
metrics), the experiment's docstring, provenance, and what is wrong with a
stale, broken or missing result. Every text that comes from a note, a test
file or a results file goes through :func:`~notegen.render.inline.escape_plain`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from notegen.render.evidence import Evidence, ResultsIndex, ShownVerdict
from notegen.render.inline import escape_plain, markdown_link
from notegen.store.schema import Measurement, Metric, Plot

__all__ = [
    "VERDICT_WORDS",
    "badge",
    "code_spans",
    "doc_lines",
    "error_lines",
    "format_duration",
    "format_number",
    "format_started",
    "measurement_lines",
    "metric_cells",
    "metrics_table",
    "one_line",
    "plot_lines",
    "plural",
    "prose",
    "provenance_line",
    "source_anchor",
    "text_lines",
    "verdict_class",
]

MINUS = "\u2212"
"""The minus sign of numbers shown on the site (a hyphen reads as a dash)."""
TIMES = "\u00d7"
"""The multiplication sign (in powers of ten and in counts such as "Supported, 2 times")."""

VERDICT_WORDS: Mapping[ShownVerdict, str] = {
    "supported": "Supported",
    "refuted": "Refuted",
    "inconclusive": "Inconclusive",
    "broken": "Broken",
    "stale": "Stale",
    "not measured": "Not measured",
}
"""The word shown beside each verdict's icon."""


def verdict_class(verdict: str) -> str:
    """The CSS class of a verdict (``ng-supported``, ``ng-not-measured``)."""
    return "ng-" + re.sub(r"[^a-z]+", "-", verdict.lower()).strip("-")


def badge(verdict: ShownVerdict, label: str | None = None) -> str:
    """An inline badge: the verdict's icon (CSS) and word (or ``label``, escaped)."""
    text = escape_plain(label if label is not None else VERDICT_WORDS[verdict])
    return f"<span class='ng-badge {verdict_class(verdict)}' data-verdict='{verdict}'>{text}</span>"


def format_number(x: float) -> str:
    """A measured number, to 4 significant digits (``nan``/``inf`` spelled out)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "∞" if x > 0 else MINUS + "∞"
    if x == 0:
        return "0"
    text = f"{x:.4g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        text = f"{mantissa}{TIMES}10{str(int(exp)).translate(_SUPERSCRIPT)}"
    return text.replace("-", MINUS)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_started(started: str) -> str:
    """``2026-12-04T20:31:31Z`` -> ``2026-12-04 20:31 UTC`` (unparsable input as given)."""
    try:
        when = dt.datetime.fromisoformat(started.replace("Z", "+00:00"))
    except ValueError:
        return started
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return when.strftime("%Y-%m-%d %H:%M") + " UTC"


def measured_date(started: str) -> str:
    """The day of a start time (``2026-12-04``), for tables."""
    return format_started(started)[:10]


def format_duration(seconds: float) -> str:
    """``0.4 s``, ``12 s``, ``3 min 5 s``, ``1 h 2 min``."""
    if not math.isfinite(seconds) or seconds < 0:
        return "?"
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _level(metric: Metric) -> str:
    return f"{metric.confidence:.0%}" if metric.confidence is not None else "95%"


def metric_cells(metric: Metric) -> tuple[str, str, str, str]:
    """A metric's mean, interval, n and unit as table cells (escaped)."""
    mean = format_number(metric.value)
    if metric.ci_low is not None and metric.ci_high is not None:
        ci = f"{format_number(metric.ci_low)} … {format_number(metric.ci_high)}"
        if metric.confidence is not None and abs(metric.confidence - 0.95) > 1e-9:
            ci += f" ({_level(metric)})"
    else:
        ci = "—"
    n = str(metric.n) if metric.n is not None else "—"
    unit = escape_plain(metric.unit) if metric.unit else ""
    return mean, ci, n, unit


def metric_text(metric: Metric) -> str:
    """One metric in a line: ``21.6 steps (95% CI 2.7 … 40.5, n=5)``."""
    mean, ci, n, unit = metric_cells(metric)
    unit = f" {unit}" if unit else ""
    if ci == "—":
        return f"{mean}{unit}"
    return f"{mean}{unit} ({_level(metric)} CI {ci}, n={n})"


def metrics_table(metrics: Mapping[str, Metric]) -> list[str]:
    """A Markdown table of metrics: name, mean, 95% CI, n, unit (and per-seed values)."""
    if not metrics:
        return ["*No metrics recorded.*"]
    with_samples = any(m.samples for m in metrics.values())
    header = "| Metric | Mean | 95% CI | n | Unit |"
    rule = "| --- | ---: | :---: | ---: | --- |"
    if with_samples:
        header += " Per seed |"
        rule += " --- |"
    out = [header, rule]
    for name, metric in metrics.items():
        cells = [f"`{_code_text(name)}`", *metric_cells(metric)]
        if with_samples:
            cells.append(", ".join(format_number(x) for x in metric.samples))
        out.append("| " + " | ".join(cells) + " |")
    return out


def _code_text(text: str) -> str:
    # Inside `...`: no backticks, no table pipes, no line breaks.
    return text.replace("`", "'").replace("|", "¦").replace("\n", " ")


def source_anchor(line: int) -> str:
    """The anchor of a source line on an experiment page (pymdownx.highlight's
    ``anchor_linenums``: the page's first code block is block 0)."""
    return f"__codelineno-0-{line}"


def experiment_anchor(function: str) -> str:
    """The anchor of an experiment's section on its experiment page."""
    return "exp-" + re.sub(r"[^A-Za-z0-9_-]+", "-", function).strip("-")


def plot_lines(
    plots: Sequence[Plot],
    *,
    index: ResultsIndex,
    src_uri: str,
    alt_subject: str,
    metrics: Iterable[str],
) -> list[str]:
    """Each plot as a linked image (the link opens the full-size SVG) with its caption.

    Args:
        plots: The measurement's plots.
        index: Where plot files are in the site.
        src_uri: The page the Markdown goes on (links are relative to it).
        alt_subject: Who drew it, for the alt text (``claim x, experiment test_y``).
        metrics: The measurement's metric names, for the alt text.
    """
    from notegen.render.pages import relative_uri

    names = ", ".join(metrics)
    out: list[str] = []
    for plot in plots:
        uri = index.plots.get(plot.file)
        if uri is None:
            out += [
                f"**Plot missing:** {escape_plain(index.results_dir + '/' + plot.file)} "
                f"({escape_plain(plot.name)}) is not on disk; re-run the experiment to redraw it.",
                "{: .ng-problem }",
                "",
            ]
            continue
        url = relative_uri(uri, src_uri)
        alt = f"Plot {plot.name!r} of {alt_subject}"
        if plot.caption:
            alt += f": {plot.caption}"
        if names:
            alt += f" (metrics: {names})"
        image = f"![{escape_plain(one_line(alt))}](<{url}>){{ loading=lazy }}"
        out += [f'[{image}](<{url}> "Open the plot full size"){{ .ng-plot }}', ""]
        if plot.caption.strip():
            out += [*text_lines(plot.caption), "{: .ng-caption }", ""]
    return out


def doc_lines(doc: str) -> list[str]:
    """An experiment's docstring as paragraphs (:func:`prose`: literals as code,
    emphasis kept, the rest escaped)."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n", doc.strip()):
        words = " ".join(line.strip() for line in para.splitlines() if line.strip())
        if words:
            out += [_safe_start(prose(words)), "{: .ng-doc }", ""]
    return out


_PROSE = re.compile(
    r"``(?P<literal>[^`\n]+?)``"
    r"|`(?P<code>[^`\n]+)`"
    r"|\*\*(?P<strong>[^*\s](?:[^*\n]*[^*\s])?)\*\*"
    # reST's rule: *emphasis* starts before a non-space and ends after one, and
    # touches no word on either side (so ``a*b*c`` and ``*.json and *.svg`` stay).
    r"|(?<![\w*])\*(?P<em>[^*\s](?:[^*\n]*[^*\s])?)\*(?![\w*])"
)


def prose(text: str, *, emphasis: bool = True) -> str:
    """Text written in docstring style as safe Markdown: ````literal```` and
    ```code``` become code, ``**strong**`` and ``*emphasis*`` stay (unless
    ``emphasis`` is false); everything else is escaped (:func:`escape_plain`), so
    no HTML, link or attribute list can come from it."""
    out: list[str] = []
    pos = 0
    for m in _PROSE.finditer(text):
        if not emphasis and m["code"] is None and m["literal"] is None:
            continue
        out.append(escape_plain(text[pos : m.start()]))
        if m["strong"] is not None:
            out.append(f"**{escape_plain(m['strong'])}**")
        elif m["em"] is not None:
            out.append(f"*{escape_plain(m['em'])}*")
        else:
            # A code span shows its text as written; Markdown escapes its HTML.
            out.append(f"`{m['literal'] or m['code']}`")
        pos = m.end()
    out.append(escape_plain(text[pos:]))
    return "".join(out)


def code_spans(text: str) -> str:
    """:func:`prose` without emphasis: for messages, whose ``*`` are globs and the like."""
    return prose(text, emphasis=False)


def text_lines(
    text: str, *, keep_indent: bool = False, render: Callable[[str], str] = escape_plain
) -> list[str]:
    """Plain text (from a results file or a test) as the lines of one Markdown
    paragraph that shows it as written, line breaks included.

    Each line is escaped and ends in a hard break (``<br>``) but the last; blank
    lines are kept as breaks, so the text stays one paragraph. No line can start a
    block (a list, a rule, a heading, an admonition, a code block): a first
    character that is ASCII punctuation or a digit is written as a character
    reference.

    Args:
        text: The text.
        keep_indent: Keep each line's leading spaces (as ``&nbsp;``), as in a traceback.
        render: How each line becomes Markdown: :func:`escape_plain`, or
            :func:`code_spans` for a message that marks commands with backticks.
    """
    lines = text.strip("\n").rstrip().splitlines() or [""]
    out = []
    for line in lines:
        stripped = line.lstrip(" \t") if keep_indent else line.strip()
        pad = "&nbsp;" * (len(line) - len(stripped)) if keep_indent else ""
        out.append(pad + _safe_start(render(stripped)))
    return [line + "<br>" for line in out[:-1]] + out[-1:]


def _safe_start(markdown: str) -> str:
    # Rendered text holds a backtick, a `*` or a `&` only where a code span,
    # emphasis or a character reference begins: none of them starts a block.
    first = markdown[:1]
    if first.isascii() and not first.isalpha() and first not in ("", "`", "*", "&"):
        return f"&#{ord(first)};" + markdown[1:]
    return markdown


def plural(n: int, noun: str) -> str:
    """``1 claim``, ``2 claims``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def one_line(text: str) -> str:
    """Text with its line breaks and runs of white space folded into single spaces
    (for a table cell, a title or an alt text; not escaped)."""
    return " ".join(text.split())


def error_lines(message: str, location: str | None) -> list[str]:
    """A broken run's error, line by line (escaped, indentation kept)."""
    lines = message.rstrip().splitlines() or ["(no message)"]
    shown = text_lines("\n".join(lines[:40]), keep_indent=True)
    if len(lines) > 40:
        shown[-1] += "<br>"
        shown.append(f"… ({len(lines) - 40} more lines)")
    where = f" at `{_code_text(location)}`" if location else ""
    return [f"**Error**{where}:", "", *shown, "{: .ng-error }", ""]


def provenance_line(m: Measurement) -> list[str]:
    """When, how long, with what and where it was measured, on one line."""
    env = m.environment
    parts = [
        f"**Measured** {escape_plain(format_started(m.started))}",
        f"**took** {format_duration(m.duration_s)}",
        f"**Python** {escape_plain(env.python)}",
    ]
    for package in ("torch", "numpy"):
        version = env.packages.get(package)
        if version:
            parts.append(f"**{package}** {escape_plain(version)}")
    device = escape_plain(env.device or "?")
    if env.threads:
        device += f" ({plural(env.threads, 'thread')})"
    parts.append(f"**device** {device}")
    seeds = ", ".join(str(s) for s in m.seeds) if m.seeds else "none recorded"
    parts.append(f"**seeds** {seeds}")
    parts.append(f"**code** `{_code_text(m.code_hash[:10])}`")
    if env.commit:
        parts.append(f"**commit** `{_code_text(env.commit[:10])}`")
    return [" · ".join(parts), "{: .ng-provenance }", ""]


def measurement_lines(
    m: Measurement,
    *,
    ev: Evidence,
    index: ResultsIndex,
    src_uri: str,
    with_summary: bool = True,
    provenance: bool = True,
) -> list[str]:
    """One measurement: summary, metrics table, plots, remarks (and provenance)."""
    out: list[str] = []
    if with_summary and m.summary:
        out += [*text_lines(m.summary), "{: .ng-summary }", ""]
    out += [*metrics_table(m.metrics), ""]
    subject = f"claim {ev.claim_id}, experiment {ev.label or ev.node_id}"
    out += plot_lines(
        m.plots, index=index, src_uri=src_uri, alt_subject=subject, metrics=m.metrics.keys()
    )
    for note in m.notes:
        first, *rest = text_lines(note)
        out += [f"*Note:* {first}", *rest, ""]
    if provenance:
        out += provenance_line(m)
    return out


def link_to(label: str, target_uri: str, src_uri: str, anchor: str = "") -> str:
    """A Markdown link to another page of the site (relative, with an anchor)."""
    from notegen.render.pages import relative_uri

    url = relative_uri(target_uri, src_uri) + (f"#{anchor}" if anchor else "")
    return markdown_link(label, url)
