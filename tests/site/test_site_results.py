"""The built site shows what was measured: cards, plots, the claims page, the
experiment pages and the home summary, from the tinysite's real results; and
it still builds, saying what is wrong, when results are missing, unreadable,
broken or hostile."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
from bs4 import BeautifulSoup, Tag
from sitebuild import mkdocs_build

from notegen.link import build_graph
from notegen.render.measured import VERDICT_WORDS, format_number
from notegen.store import read_record, record_path

TESTS = Path(__file__).resolve().parents[1]
TINYSITE = TESTS / "tinysite"
REPO = TESTS.parent
NOTE = "notes/reading-embeddings/index.html"
NOTE_FILE = "notes/pages/Reading%3F Embeddings.md"
TENX = "examples/test_tiny.py::test_warm_start_is_ten_times_faster"
LR01 = "examples/test_tiny.py::test_warm_start_needs_fewer_steps[0.1]"
WORDS = tuple(VERDICT_WORDS.values())


def copy_tinysite(dest: Path) -> Path:
    shutil.copytree(TINYSITE, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def edit_experiment(project: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) by ``new`` in the project's test_tiny.py."""
    test_file = project / "examples" / "test_tiny.py"
    source = test_file.read_text(encoding="utf-8")
    assert old in source
    test_file.write_text(source.replace(old, new), encoding="utf-8")


def article(site: Path, page: str) -> Tag:
    html = (site / page).read_text(encoding="utf-8")
    found = BeautifulSoup(html, "html.parser").find("article")
    assert isinstance(found, Tag), f"{page} has no <article>"
    return found


def text(node: Tag) -> str:
    return " ".join(node.get_text(" ").split())


def summary(card: Tag) -> str:
    found = card.find("summary")
    assert isinstance(found, Tag)
    return text(found)


def own_cards(block: Tag) -> list[Tag]:
    return block.select(":scope > details.ng-card")


def resolve(site: Path, page: str, href: str) -> Path:
    """The file a relative link of ``page`` leads to (directory URLs: its index.html)."""
    target = unquote(urljoin("/" + page, href).split("#")[0]).lstrip("/")
    path = site / target
    return path / "index.html" if path.is_dir() else path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The tinysite built with ``--strict``, and the build's log."""
    site_dir = tmp_path_factory.mktemp("measured") / "site"
    done = mkdocs_build(TINYSITE / "mkdocs.yml", site_dir, "--strict")
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stderr}"
    return site_dir, done.stderr


@pytest.fixture(scope="module")
def site(built: tuple[Path, str]) -> Iterator[Path]:
    yield built[0]


def test_mkdocs_finds_every_link_and_anchor_of_the_result_pages(built: tuple[Path, str]) -> None:
    # MkDocs reports links to missing pages or anchors at INFO level.
    assert "contains a link" not in built[1], built[1]


# --- the measured tinysite ---------------------------------------------------------------


def test_cards_under_the_claim_and_every_annotation(site: Path) -> None:
    page = article(site, NOTE)
    highlight = page.select_one("div.ng-highlight")
    assert highlight is not None
    (card,) = own_cards(highlight)
    assert "ng-supported" in card["class"]
    assert summary(card).startswith("Supported 2 experiments, all supported: warm start saves")
    labels = [text(lab) for lab in card.select(".tabbed-labels label")]
    assert labels == ["0.1 · supported", "0.3 · supported"]
    first, second = page.select("div.ng-annotation")
    (tenx,) = own_cards(first)
    record = read_record(record_path(TINYSITE / "results", TENX))
    assert summary(tenx) == f"Refuted {record.latest.summary}"
    (inherited,) = own_cards(second)
    assert "ng-inherited" in inherited["class"]
    for each in (card, tenx, inherited):
        assert summary(each).split()[0] in WORDS


def test_the_card_body_holds_metrics_plot_and_provenance(site: Path) -> None:
    highlight = article(site, NOTE).select_one("div.ng-highlight")
    assert highlight is not None
    tab = highlight.select(".tabbed-block")[0]
    record = read_record(record_path(TINYSITE / "results", LR01))
    m = record.latest
    rows = {
        text(tr.find_all("td")[0]): [text(td) for td in tr.find_all("td")]
        for tr in tab.select("table tbody tr")
    }
    saved = m.metrics["steps_saved"]
    assert rows["steps_saved"][1:5] == [
        format_number(saved.value),
        f"{format_number(saved.ci_low or 0)} … {format_number(saved.ci_high or 0)}",
        str(saved.n),
        "steps",
    ]
    image = tab.select_one("a.ng-plot img")
    assert image is not None
    assert resolve(site, NOTE, str(image["src"])).is_file()
    assert "claim pretrain-converges" in str(image["alt"]) and "steps_saved" in str(image["alt"])
    link = tab.select_one("a.ng-plot")
    assert link is not None and link["href"] == image["src"]  # click to enlarge
    provenance = text(tab.select_one(".ng-provenance"))  # type: ignore[arg-type]
    for part in (
        f"Python {m.environment.python}",
        "numpy",
        "device cpu",
        "seeds 0, 1, 2, 3, 4",
        m.code_hash[:10],
    ):
        assert part in provenance
    assert record.doc.split("\n")[0] in text(tab)


def test_card_links_lead_to_the_experiment_and_its_source_line(site: Path) -> None:
    about = article(site, NOTE).select_one("div.ng-highlight .ng-about")
    assert about is not None
    links = {text(a).split(":")[0]: str(a["href"]) for a in about.select("a")}
    record = read_record(record_path(TINYSITE / "results", LR01))
    for href in links.values():
        target = resolve(site, NOTE, href)
        anchor = href.split("#")[1]
        html = target.read_text(encoding="utf-8")
        assert f'id="{anchor}"' in html, href
    assert links["examples/test_tiny.py"].endswith(f"#__codelineno-0-{record.source.line_start}")


def test_the_claims_page_lists_every_claim_with_its_verdict(site: Path) -> None:
    page = article(site, "claims/index.html")
    graph = build_graph(TINYSITE / "notes", TINYSITE)
    rows = page.select(".ng-claims-table table tbody tr")
    claims = [text(tr.find_all("td")[0]) for tr in rows]
    assert sorted(set(claims)) == sorted(graph.claims)
    verdicts = {text(tr.find_all("td")[0]): text(tr.find_all("td")[1]) for tr in rows}
    assert verdicts == {"pretrain-converges": "Supported", "ten-x-faster": "Refuted"}
    counts = text(page.select_one(".ng-counts"))  # type: ignore[arg-type]
    # The counts are of rows, as the filter shows them.
    assert counts == "2 claims in 3 rows Supported: 2 Refuted: 1"
    for a in page.select(".ng-claims-table a"):
        assert resolve(site, "claims/index.html", str(a["href"])).is_file(), a["href"]


def test_the_experiment_page_has_results_history_and_numbered_source(site: Path) -> None:
    page = article(site, "experiments/test_tiny/index.html")
    assert text(page.find("h1")) == "examples/test_tiny.py"  # type: ignore[arg-type]
    record = read_record(record_path(TINYSITE / "results", LR01))
    history = next(t for t in page.select("table") if "Measured" in text(t.find("tr")))
    verdicts = [text(tr.find_all("td")[1]) for tr in history.select("tbody tr")]
    expected = [record.latest.verdict, *(h.verdict for h in reversed(record.history))]
    assert verdicts == [VERDICT_WORDS[v] for v in expected]  # type: ignore[index]
    assert len(verdicts) >= 2, "the tinysite's results keep an earlier measurement"
    source = (TINYSITE / "examples" / "test_tiny.py").read_text(encoding="utf-8")
    lines = source.rstrip("\n").count("\n") + 1
    html = (site / "experiments/test_tiny/index.html").read_text(encoding="utf-8")
    assert f'id="__codelineno-0-{lines}"' in html
    assert "def test_warm_start_is_ten_times_faster" in text(page)
    back = next(a for a in page.select("a") if text(a) == "pretrain-converges")
    assert str(back["href"]).endswith("notes/reading-embeddings/#b7")


def test_the_home_page_summarises_the_knowledge_base(site: Path) -> None:
    summary_box = article(site, "index.html").select_one(".ng-home-summary")
    assert summary_box is not None
    items = [text(li) for li in summary_box.select("li")]
    assert items[:3] == ["3 notes", "1 highlight", "2 annotations"]
    assert items[3] == "2 claims Supported: 1 Refuted: 1"
    assert items[4] == "0 stale results"
    assert items[5].startswith("last measured 20")


def test_plots_script_and_navigation_are_in_the_site(site: Path) -> None:
    for svg in (TINYSITE / "results").glob("*.svg"):
        assert (site / "assets" / "results" / svg.name).read_bytes() == svg.read_bytes()
    html = (site / NOTE).read_text(encoding="utf-8")
    assert re.search(r'<script src="[./]*assets/notegen/notegen\.js', html)
    nav = BeautifulSoup(html, "html.parser").select("nav.md-nav--primary a.md-nav__link")
    assert any(text(a) == "Claims" for a in nav)


# --- what goes wrong -------------------------------------------------------------------


def test_without_results_the_site_builds_and_every_card_says_not_measured(tmp_path: Path) -> None:
    project = copy_tinysite(tmp_path / "p")
    shutil.rmtree(project / "results")
    site = tmp_path / "site"
    done = mkdocs_build(project / "mkdocs.yml", site)
    assert done.returncode == 0, done.stderr
    assert f"{NOTE_FILE}:15: claim 'ten-x-faster'" in done.stderr
    cards = article(site, NOTE).select("details.ng-card")
    assert len(cards) == 3
    assert all(summary(c).startswith("Not measured") for c in cards)
    assert mkdocs_build(project / "mkdocs.yml", site, "--strict").returncode != 0


def test_bad_results_are_warnings_and_cards_that_say_what_is_wrong(tmp_path: Path) -> None:
    project = copy_tinysite(tmp_path / "p")
    bad = record_path(project / "results", TENX)
    bad.write_text("{ not json", encoding="utf-8")
    plot = read_record(record_path(project / "results", LR01)).latest.plots[0]
    (project / "results" / plot.file).unlink()
    site = tmp_path / "site"
    done = mkdocs_build(project / "mkdocs.yml", site)
    assert done.returncode == 0, done.stderr
    bad_rel = bad.relative_to(project).as_posix()
    assert f"{bad_rel}:1: invalid JSON" in done.stderr
    assert f"{plot.file!r}, which is not in results/" in done.stderr
    first = article(site, NOTE).select("div.ng-annotation")[0]
    (card,) = own_cards(first)
    assert summary(card).startswith("Not measured")
    assert f"{bad_rel}:1: invalid JSON" in text(card)
    assert "notegen run --all" in [text(c) for c in card.select("p.ng-problem code")]
    highlight = article(site, NOTE).select_one("div.ng-highlight")
    assert highlight is not None and f"Plot missing: results/{plot.file}" in text(highlight)
    assert mkdocs_build(project / "mkdocs.yml", site, "--strict").returncode != 0


def test_a_broken_rerun_shows_the_error_and_the_last_good_numbers(tmp_path: Path) -> None:
    project = copy_tinysite(tmp_path / "p")
    marker = "    seeds = measure.seeds(range(5))\n    ratio = measure.metric("
    edit_experiment(project, marker, '    raise RuntimeError("lost <the> data")\n' + marker)
    good = read_record(record_path(project / "results", TENX)).latest
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "examples",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "ten_times",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode != 0, run.stdout  # a broken experiment fails the run
    record = read_record(record_path(project / "results", TENX))
    assert record.latest.verdict == "broken" and record.last_good == good
    site = tmp_path / "site"
    done = mkdocs_build(project / "mkdocs.yml", site)
    assert done.returncode == 0, done.stderr
    (card,) = own_cards(article(site, NOTE).select("div.ng-annotation")[0])
    assert summary(card).startswith("Broken")
    body = text(card)
    assert "lost <the> data" in body
    assert re.search(r"Error at examples/test_tiny\.py:\d+", body)
    assert "Last good measurement: refuted, as declared." in body
    assert format_number(good.metrics["speedup"].value) in body


def test_text_from_results_files_is_shown_as_text(tmp_path: Path) -> None:
    project = copy_tinysite(tmp_path / "p")
    path = record_path(project / "results", TENX)
    data = json.loads(path.read_text(encoding="utf-8"))
    hostile = '<script>alert(1)</script> [x](javascript:alert(2)) {: onclick="alert(3)" } **b**'
    data["latest"]["summary"] = hostile
    data["doc"] = hostile
    data["latest"]["metrics"]["<img src=x onerror=alert(4)>"] = {"value": 1.0, "unit": hostile}
    path.write_text(json.dumps(data), encoding="utf-8")
    site = tmp_path / "site"
    done = mkdocs_build(project / "mkdocs.yml", site)
    assert done.returncode == 0, done.stderr
    page = article(site, NOTE)
    (card,) = own_cards(page.select("div.ng-annotation")[0])
    assert "<script>alert(1)</script>" in summary(card)
    assert not card.find_all("script")
    assert not card.find_all("img", attrs={"onerror": True})
    assert not [a for a in card.find_all("a") if "javascript" in str(a.get("href", ""))]
    assert not card.find_all(attrs={"onclick": True})
    assert "**b**" in text(card)


def test_docstring_literals_are_code_and_the_rest_is_text(tmp_path: Path) -> None:
    project = copy_tinysite(tmp_path / "p")
    doc = '"""A warm start is not ten times faster: the speed-up is far smaller.'
    markup = " in ``ctrsim.world``, *true* of ``<b>x</b>`` <i>y</i> [z](javascript:1)."
    edit_experiment(project, doc, doc[:-1] + markup)
    site = tmp_path / "site"
    done = mkdocs_build(project / "mkdocs.yml", site)
    assert done.returncode == 0, done.stderr
    (card,) = own_cards(article(site, NOTE).select("div.ng-annotation")[0])
    (doc_line,) = [p for p in card.select("p.ng-doc") if "ctrsim" in text(p)]
    assert [text(c) for c in doc_line.select("code")] == ["ctrsim.world", "<b>x</b>"]
    assert [text(e) for e in doc_line.select("em")] == ["true"]
    assert "<i>y</i> [z](javascript:1)." in text(doc_line)
    assert not doc_line.select("b, i, a") and "``" not in text(doc_line)


def test_text_of_several_lines_stays_inside_its_card(tmp_path: Path) -> None:
    project = copy_tinysite(tmp_path / "p")
    error = [
        "Traceback (most recent call last):",
        '  File "examples/test_tiny.py", line 75, in test',
        "    1. raise RuntimeError(x)",
        "-----",
        "!!! note",
        "",
        "RuntimeError: lost",
    ]
    path = record_path(project / "results", TENX)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["latest"]["notes"] = ["first note line\n- second note line\n\n# third note line"]
    data["last_good"] = data["latest"]
    data["latest"] = {**data["latest"], "verdict": "broken", "message": "\n".join(error)}
    path.write_text(json.dumps(data), encoding="utf-8")
    path = record_path(project / "results", LR01)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["latest"]["plots"][0]["caption"] = "caption line one\n\n1. caption line two"
    path.write_text(json.dumps(data), encoding="utf-8")
    site = tmp_path / "site"
    done = mkdocs_build(project / "mkdocs.yml", site)
    assert done.returncode == 0, done.stderr
    page = article(site, NOTE)
    # Nothing of it became a block of its own: a rule, a list, a heading, an admonition.
    assert not page.select("hr, article > ol, .ng-block > ol, .admonition, .ng-block h1")
    (card,) = own_cards(page.select("div.ng-annotation")[0])
    (shown,) = card.select(".ng-error")
    lines = [" ".join(line.split()) for line in shown.get_text().split("\n")]
    assert lines == [" ".join(line.split()) for line in error]
    assert "\u00a0\u00a0File" in shown.get_text()  # indentation kept
    note = card.find(string=re.compile("first note line"))
    assert note is not None
    assert text(note.parent) == "Note: first note line - second note line # third note line"
    highlight = page.select_one("div.ng-highlight")
    assert highlight is not None
    tab = own_cards(highlight)[0].select(".tabbed-block")[0]  # lr=0.1
    (caption,) = tab.select(".ng-caption")
    assert caption.get_text().split("\n") == ["caption line one", "", "1. caption line two"]
    (image,) = tab.select("img")
    assert "caption line one 1. caption line two" in str(image["alt"])
    assert "\n" not in str(image["alt"])


def test_the_repository_without_results_builds_with_not_measured_cards(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    project.mkdir()
    shutil.copy(REPO / "mkdocs.yml", project)
    for folder in ("notes", "docs", "examples"):
        if (REPO / folder).is_dir():
            shutil.copytree(
                REPO / folder, project / folder, ignore=shutil.ignore_patterns("__pycache__")
            )
    assert not (project / "results").exists()
    site = tmp_path / "site"
    done = mkdocs_build(project / "mkdocs.yml", site)
    assert done.returncode == 0, done.stderr
    (note,) = [p for p in (site / "notes").glob("*/index.html")]
    page = article(site, str(note.relative_to(site)))
    annotations = page.select("div.ng-annotation")
    assert len(annotations) == 9
    for block in annotations:
        cards = own_cards(block)
        assert cards, "every annotation has a card"
        assert all(summary(card).startswith("Not measured") for card in cards)
    cards = page.select("details.ng-card")
    assert all(summary(c).startswith("Not measured") for c in cards)
