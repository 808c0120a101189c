"""The built site in a real browser: cards, plots, search, the claims table,
no console errors or failed requests, and screenshots for review.

Screenshots go to ``test-artifacts/`` (git-ignored): open them to see what a
reader sees, in the light and the dark scheme.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from served import ARTIFACTS, REPO, TINYSITE, Site, Visitor, all_pages, require_playwright

from notegen.link import build_graph
from notegen.render.measured import VERDICT_WORDS

require_playwright()  # skip (or fail under NOTEGEN_REQUIRE_BROWSER=1) without Playwright
from playwright.sync_api import Page, expect  # noqa: E402

WORDS = set(VERDICT_WORDS.values())
TINY_NOTE = "notes/reading-embeddings/"

Visit = Callable[[str], Page]


def seed_page(site: Site) -> str:
    """The seed note's page: the only note page of the repository's site."""
    (page,) = [p for p in (site.root / "notes").glob("*/index.html")]
    return site.url + quote(f"notes/{page.parent.name}/")


def open_all_cards(page: Page) -> None:
    page.evaluate("() => document.querySelectorAll('details.ng-card').forEach(d => d.open = true)")


def wait_for_images(page: Page) -> None:
    """Load every image now, lazy ones and those in closed cards or hidden tabs too."""
    page.evaluate("() => document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")


# --- the seed note -------------------------------------------------------------------------


def test_every_annotation_has_a_visible_compact_card_with_a_verdict(
    repo_site: Site, visit: Visit
) -> None:
    page = visit(seed_page(repo_site))
    annotations = page.locator("div.ng-annotation")
    expect(annotations).to_have_count(9)
    for i in range(9):
        # One card per claim in effect (a highlight making two claims shows two).
        cards = annotations.nth(i).locator(":scope > details.ng-card")
        assert cards.count() >= 1, f"annotation {i} has no result card"
        for j in range(cards.count()):
            card = cards.nth(j)
            summary = card.locator(":scope > summary")
            expect(summary).to_be_visible()
            assert card.evaluate("d => d.open") is False, "cards start collapsed"
            box = summary.bounding_box()
            assert box is not None and box["height"] < 48, f"card {i}.{j} takes {box} (one line)"
            verdict = summary.locator(".ng-badge").first.inner_text().strip()
            assert verdict in WORDS, verdict


def test_measured_cards_on_the_seed_page_open_to_metrics_and_provenance(
    repo_site: Site, visit: Visit
) -> None:
    page = visit(seed_page(repo_site))
    cards = page.locator("details.ng-card")
    for i in range(cards.count()):
        card = cards.nth(i)
        verdict = card.locator(":scope > summary .ng-badge").first.inner_text().strip()
        card.locator(":scope > summary").click()
        assert card.evaluate("d => d.open") is True
        if verdict == "Not measured":
            expect(card.locator(".ng-problem").first).to_be_visible()
            continue
        tab = card.locator(".tabbed-block").first if card.locator(".tabbed-set").count() else card
        expect(tab.locator("table").first).to_be_visible()
        expect(tab.locator(".ng-provenance").first).to_contain_text("Python")


def test_every_plot_image_has_loaded(repo_site: Site, tiny_site: Site, visit: Visit) -> None:
    pages = [seed_page(repo_site), tiny_site.url + TINY_NOTE]
    pages += [u for u in all_pages(tiny_site) if "/experiments/" in u]
    seen = 0
    for url in pages:
        page = visit(url)
        open_all_cards(page)
        wait_for_images(page)
        for image in page.locator("img").all():
            width = image.evaluate("i => i.naturalWidth")
            assert width > 0, f"{url}: {image.get_attribute('src')} did not load"
            if "assets/results/" in (image.get_attribute("src") or ""):
                assert image.get_attribute("alt"), "a plot without alt text"
                seen += 1
    assert seen >= 4, "the tinysite's note and experiment pages show its plots"


def test_expanding_a_card_shows_metrics_and_provenance(tiny_site: Site, visit: Visit) -> None:
    page = visit(tiny_site.url + TINY_NOTE)
    card = page.locator("div.ng-highlight > details.ng-card")
    expect(card.locator(".ng-provenance").first).to_be_hidden()
    card.locator(":scope > summary").click()
    first = card.locator(".tabbed-block").nth(0)
    expect(first.locator("table th").nth(2)).to_have_text("95% CI")
    expect(first.locator("table td").first).to_have_text("steps_saved")
    expect(first.locator(".ng-provenance")).to_contain_text("Measured")
    expect(first.locator(".ng-provenance")).to_contain_text("seeds 0, 1, 2, 3, 4")
    expect(first.locator("a.ng-plot img")).to_be_visible()
    # The second experiment is a tab away.
    card.locator(".tabbed-labels label").nth(1).click()
    second = card.locator(".tabbed-block").nth(1)
    expect(second.locator(".ng-summary")).to_contain_text("lr=0.3")
    expect(first).to_be_hidden()


def test_the_plot_opens_full_size(tiny_site: Site, visit: Visit) -> None:
    page = visit(tiny_site.url + TINY_NOTE)
    open_all_cards(page)
    link = page.locator("a.ng-plot").first
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith(".svg")
    assert page.evaluate("() => document.documentElement.tagName.toLowerCase()") == "svg"


def test_the_home_pages_notes_table_fits_a_desktop_window(repo_site: Site, visit: Visit) -> None:
    page = visit(repo_site.url)
    for width in (1300, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        table = page.locator(".ng-notes-table table")
        expect(table).to_be_visible()
        # Material wraps a table in a box that scrolls sideways when it is too wide.
        overflow = table.evaluate(
            "t => { const box = t.closest('.md-typeset__scrollwrap') || t.parentElement;"
            " return box.scrollWidth - box.clientWidth; }"
        )
        assert overflow <= 0, f"the notes table is cut off at {width}px by {overflow}px"


# --- search, claims ----------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["预训练", "hash"])
def test_search_lists_the_seed_note(query: str, repo_site: Site, visit: Visit) -> None:
    page = visit(repo_site.url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    box.fill(query)
    box.press("End")  # Material's search reads the query on key events
    results = page.locator(".md-search-result__item a")
    expect(results.first).to_be_visible(timeout=15_000)
    hrefs = [unquote(a.get_attribute("href") or "") for a in results.all()]
    seed = unquote(seed_page(repo_site).removeprefix(repo_site.url))
    assert any(seed in href for href in hrefs), hrefs


def test_the_claims_page_lists_every_claim(repo_site: Site, tiny_site: Site, visit: Visit) -> None:
    for site, root in ((repo_site, REPO), (tiny_site, TINYSITE)):
        claims = set(build_graph(root / "notes", root).claims)
        page = visit(site.url + "claims/")
        if not claims:
            expect(page.locator("article")).to_contain_text("No claims yet")
            continue
        rows = page.locator(".ng-claims-table tbody tr")
        listed = {r.locator("td").first.inner_text().strip() for r in rows.all()}
        assert listed == claims
        for row in rows.all():
            assert row.locator("td").nth(1).inner_text().split("\n")[0].strip() in WORDS


def test_the_claims_table_sorts_and_filters(tiny_site: Site, visit: Visit) -> None:
    page = visit(tiny_site.url + "claims/")
    rows = page.locator(".ng-claims-table tbody tr")

    def first_column() -> list[str]:
        return [r.locator("td").first.inner_text().strip() for r in rows.all() if r.is_visible()]

    header = page.locator(".ng-claims-table thead th").first
    header.click()
    ascending = first_column()
    assert ascending == sorted(ascending)
    header.click()
    assert first_column() == sorted(ascending, reverse=True)
    expect(header).to_have_attribute("aria-sort", "descending")
    page.locator("input.ng-filter").fill("ten-x")
    assert first_column() == ["ten-x-faster"]
    page.locator("input.ng-filter").fill("")
    page.locator(".ng-counts [data-verdict='supported']").click()
    assert set(first_column()) == {"pretrain-converges"}
    page.locator(".ng-counts [data-verdict='supported']").click()
    assert len(first_column()) == rows.count()
    # Each count says how many rows its filter shows.
    for count in page.locator(".ng-counts [data-verdict]").all():
        count.click()
        shown = int(count.inner_text().rsplit(":", 1)[1])
        assert len(first_column()) == shown, count.inner_text()
        count.click()


def test_no_console_errors_and_no_failed_requests(
    repo_site: Site, tiny_site: Site, visit: Visit
) -> None:
    # `visit` fails the test on any console error, page error or failed request.
    for site in (repo_site, tiny_site):
        for url in all_pages(site):
            page = visit(url)
            open_all_cards(page)
            wait_for_images(page)
            page.close()


# --- light and dark ----------------------------------------------------------------------------

_CONTRAST = """(el) => {
  const parse = (c) => {
    const p = c.match(/[\\d.]+/g).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const layers = [];
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
    const bg = parse(getComputedStyle(n).backgroundColor);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] >= 1) break;
  }
  let base = [255, 255, 255];
  for (let i = layers.length - 1; i >= 0; i--) {
    const [r, g, b, a] = layers[i];
    base = [r * a + base[0] * (1 - a), g * a + base[1] * (1 - a), b * a + base[2] * (1 - a)];
  }
  const [r, g, b, a] = parse(getComputedStyle(el).color);
  const fg = [r * a + base[0] * (1 - a), g * a + base[1] * (1 - a), b * a + base[2] * (1 - a)];
  const lum = (c) => {
    const s = c.map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2];
  };
  const [hi, lo] = [lum(fg), lum(base)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_and_contrast_in_light_and_dark(
    scheme: str, repo_site: Site, tiny_site: Site, visitor_factory: Callable[[str], Visitor]
) -> None:
    visitor = visitor_factory(scheme)
    page = visitor.open(seed_page(repo_site))
    expected = "slate" if scheme == "dark" else "default"
    assert page.evaluate("() => document.body.dataset.mdColorScheme") == expected
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"seed-page-{scheme}.png"), full_page=True)
    tiny = visitor.open(tiny_site.url + TINY_NOTE)
    assert tiny.evaluate("() => document.body.dataset.mdColorScheme") == expected
    open_all_cards(tiny)
    wait_for_images(tiny)
    tiny.screenshot(path=str(ARTIFACTS / f"tinysite-cards-open-{scheme}.png"), full_page=True)
    for shown in (page, tiny):
        texts = shown.locator(
            "details.ng-card > summary .ng-badge, details.ng-card > summary .ng-line, "
            "details.ng-card td, details.ng-card .ng-summary"
        )
        assert texts.count() > 0
        ratios = {element.inner_text(): element.evaluate(_CONTRAST) for element in texts.all()}
        low = {t: round(r, 2) for t, r in ratios.items() if r < 4.5}
        assert not low, f"{scheme}: text below WCAG AA contrast (4.5:1): {low}"
    assert not visitor.problems, "\n".join(visitor.problems)
    assert Path(ARTIFACTS / f"seed-page-{scheme}.png").stat().st_size > 10_000
