"""What the browser tests share: where things are, a served site, a visitor that
records console errors and failed requests."""

from __future__ import annotations

import http.server
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Response

REPO = Path(__file__).resolve().parents[2]
TINYSITE = REPO / "tests" / "tinysite"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "apt-get update && apt-get install -y chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def unavailable(reason: str) -> None:
    """Skip (fail under ``NOTEGEN_REQUIRE_BROWSER=1``) because the browser cannot run."""
    import pytest

    if os.environ.get("NOTEGEN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (NOTEGEN_REQUIRE_BROWSER=1 requires the browser tests to run)")
    pytest.skip(reason, allow_module_level=True)


def require_playwright() -> None:
    """Make sure Playwright's Python package can be imported."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable(
            "the playwright package is not installed; "
            "install the test extras: pip install -c constraints.txt -e '.[test]'"
        )


@dataclass
class Site:
    """A built site served on localhost."""

    root: Path
    """The built site's folder."""
    url: str
    """Its address, ending in ``/``."""


def all_pages(site: Site) -> list[str]:
    """The address of every page of a built site."""
    return sorted(
        site.url + quote(p.relative_to(site.root).parent.as_posix() + "/").removeprefix("./")
        for p in site.root.rglob("index.html")
    )


@dataclass
class Visitor:
    """Opens pages and remembers every console error, page error and failed request."""

    context: BrowserContext
    problems: list[str] = field(default_factory=list)

    def open(self, url: str) -> Page:
        page = self.context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda m: self._console(url, m))
        page.on("pageerror", lambda e: self.problems.append(f"{url}: page error: {e}"))
        page.on(
            "requestfailed",
            lambda r: self.problems.append(f"{url}: request failed: {r.url} ({r.failure})"),
        )
        page.on("response", lambda r: self._response(url, r))
        page.goto(url)
        page.wait_for_load_state("networkidle")
        return page

    def _console(self, url: str, message: ConsoleMessage) -> None:
        if message.type not in ("error", "warning"):
            return
        # A document without an icon link (the full-size SVG of a plot) makes the
        # browser ask for /favicon.ico, which no MkDocs site has at its root.
        if message.location.get("url", "").endswith("/favicon.ico"):
            return
        self.problems.append(f"{url}: console {message.type}: {message.text}")

    def _response(self, url: str, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"{url}: HTTP {response.status} for {response.url}")
