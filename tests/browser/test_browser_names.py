"""HTML in titles, tags and page names never runs: no dialog opens on any page of
tests/fixtures/html_names/, nor while searching for those names."""

from __future__ import annotations

from served import Site, all_pages, require_playwright

require_playwright()  # skip (or fail under NOTEGEN_REQUIRE_BROWSER=1) without Playwright
from playwright.sync_api import Browser, Dialog, expect  # noqa: E402


def test_no_name_runs_as_script_on_any_page_or_in_search(
    names_site: Site, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    context.on("dialog", dismiss)
    page = context.new_page()
    page.set_default_timeout(15_000)
    for url in all_pages(names_site):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    # Search results show titles and tag chips (Material writes them as HTML).
    for query in ("note", "test"):
        page.goto(names_site.url)
        page.wait_for_load_state("networkidle")
        page.locator("label.md-search__icon, .md-search__input").first.click()
        box = page.locator("input.md-search__input")
        box.fill(query)
        box.press("End")  # Material's search reads the query on key events
        results = page.locator(".md-search-result")
        expect(results).to_contain_text("Test <script>alert('x')</script> note")
        expect(results).to_contain_text("<b>bold-tag</b>")
    page.wait_for_timeout(300)
    context.close()
    assert not dialogs
