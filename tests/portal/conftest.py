"""Fixtures of the browser tests: one Chromium for the session, phone pages, the API as a
subprocess and a second origin (see tests/browser.py)."""

from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.browser import Phone, StaticSite, launch, new_phone
from tests.serving import Server, serve


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, started once for the session."""
    async with async_playwright() as playwright:
        chromium = await launch(playwright)
        yield chromium
        await chromium.close()


@pytest.fixture
async def phone(browser: Browser) -> AsyncIterator[Phone]:
    """`await phone(locale=..., geolocation=..., javascript=..., offline=...)`: a page in a new
    context of its own (see new_phone); every context is closed after the test."""
    pages: list[Page] = []

    async def open_phone(
        *,
        locale: str = "bn-BD",
        geolocation: tuple[float, float] | None = None,
        javascript: bool = True,
        offline: bool = False,
    ) -> Page:
        page = await new_phone(
            browser, locale=locale, geolocation=geolocation, javascript=javascript, offline=offline
        )
        pages.append(page)
        return page

    yield open_phone
    for page in pages:
        await page.context.close()


@pytest.fixture(scope="session")
def api_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`directory serve` on a free port against the test database, for the session."""
    log = tmp_path_factory.mktemp("portal") / "server.log"
    with serve(database_url, log) as server:
        yield server


@pytest.fixture
def second_origin() -> Iterator[StaticSite]:
    """A static site on another origin (and site) than the API; the test puts its pages."""
    site = StaticSite()
    yield site
    site.close()
