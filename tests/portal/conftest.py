"""Fixtures of the portal's browser tests: phone pages and a second origin (see tests/browser.py);
the session's Chromium and the API as a subprocess are tests/conftest.py's."""

from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser, Page

from tests.browser import Phone, StaticSite, new_phone


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


@pytest.fixture
def second_origin() -> Iterator[StaticSite]:
    """A static site on another origin (and site) than the API; the test puts its pages."""
    site = StaticSite()
    yield site
    site.close()
