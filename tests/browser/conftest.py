"""Browser tests of the built site: Playwright (the Python package) driving
Debian's Chromium at /usr/bin/chromium. No browser is ever downloaded.

The repository's own site and the tinysite (which holds measured results) are
each built once per session into a temporary folder and served on localhost
by the standard library's HTTP server in a thread.

Without Chromium the tests skip, saying how to install it; with
``NOTEGEN_REQUIRE_BROWSER=1`` (set by ``.ci/run``) they fail instead.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from served import (
    CHROMIUM,
    CHROMIUM_ARGS,
    INSTALL,
    REPO,
    TINYSITE,
    QuietHandler,
    Site,
    Visitor,
    require_playwright,
    unavailable,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    if not CHROMIUM.is_file():
        unavailable(f"Chromium is not installed at {CHROMIUM}; install it with `{INSTALL}`")
    require_playwright()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _build_and_serve(config: Path, site_dir: Path) -> Iterator[Site]:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(site_dir)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, f"mkdocs build of {config} failed:\n{done.stderr}"
    handler = functools.partial(QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(site_dir, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def repo_site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The repository's own site (its mkdocs.yml, notes and results), built once."""
    yield from _build_and_serve(REPO / "mkdocs.yml", tmp_path_factory.mktemp("repo") / "site")


@pytest.fixture(scope="session")
def tiny_site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The tinysite, whose experiments have measured results (plots, history)."""
    yield from _build_and_serve(TINYSITE / "mkdocs.yml", tmp_path_factory.mktemp("tiny") / "site")


@pytest.fixture(scope="session")
def names_site(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A graph whose titles, tags and linked page names hold HTML (tests/fixtures/html_names/)."""
    project = REPO / "tests" / "fixtures" / "html_names"
    yield from _build_and_serve(project / "mkdocs.yml", tmp_path_factory.mktemp("names") / "site")


@pytest.fixture
def visit(browser: Browser) -> Iterator[Callable[[str], Page]]:
    """Open a page in a fresh light-scheme context; at the end of the test, fail on
    any console error, page error or failed request met on the way."""
    context = browser.new_context(color_scheme="light", viewport={"width": 1200, "height": 900})
    visitor = Visitor(context)
    yield visitor.open
    context.close()
    assert not visitor.problems, "\n".join(visitor.problems)


@pytest.fixture
def visitor_factory(browser: Browser) -> Iterator[Callable[[str], Visitor]]:
    """Visitors with a given colour scheme (``light`` or ``dark``)."""
    contexts: list[BrowserContext] = []

    def make(scheme: str) -> Visitor:
        context = browser.new_context(
            color_scheme=scheme,  # type: ignore[arg-type]
            viewport={"width": 1200, "height": 900},
        )
        contexts.append(context)
        return Visitor(context)

    yield make
    for context in contexts:
        context.close()
