"""The interactive docs, /docs (Swagger UI) and /redoc (ReDoc), from the app's own files: pages
that name no other host and hold no inline code, their assets, their policy, and in a real
browser cut off from every other host, both pages working under that policy."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from httpx import AsyncClient
from playwright.async_api import Browser, ConsoleMessage, Page, Route, expect

from tests.serving import Server

DOCS_PAGES = ("/docs", "/redoc")
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
LOCAL_HOSTS = ("127.0.0.1", "localhost")
# every violation of the page's policy, as the page sees it (added before any of its scripts)
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', event => window.cspViolations.push(
  `${event.effectiveDirective} refused ${event.blockedURI || 'inline'}`));
"""


class DocsPage(HTMLParser):
    """The URLs a page loads or links to, and its inline code."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self.inline_styles = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.urls += [values[name] for name in ("src", "href", "spec-url") if name in values]
        self.urls += [value for name, value in values.items() if name.startswith("data-") and value]
        if tag == "script" and "src" not in values:
            self.inline_scripts += 1
        if tag == "style" or "style" in values:
            self.inline_styles += 1


@pytest.mark.parametrize("path", DOCS_PAGES)
async def test_a_docs_page_names_only_its_own_files(client: AsyncClient, path: str) -> None:
    response = await client.get(path)
    page = DocsPage(response.text)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert not re.search(r"https?:|//[a-z]", response.text, re.IGNORECASE), response.text
    assert page.urls
    local = re.compile(r"(/[\w./-]*(\?v=[0-9a-f]+)?|data:,)")
    assert [url for url in page.urls if not local.fullmatch(url)] == []
    assert page.inline_scripts == page.inline_styles == 0
    # a reader without JavaScript is told where the description is, in English and Bangla
    assert "needs JavaScript" in response.text and "জাভাস্ক্রিপ্ট লাগে" in response.text


@pytest.mark.parametrize("path", DOCS_PAGES)
async def test_the_docs_assets_answer_with_their_types(client: AsyncClient, path: str) -> None:
    page = DocsPage((await client.get(path)).text)
    assets = [url for url in page.urls if url.startswith("/static/docs/")]

    assert assets
    for url in assets:
        response = await client.get(url)
        assert response.status_code == 200, url
        suffix = re.search(r"\.\w+(?=\?|$)", url)
        assert suffix, url
        assert response.headers["content-type"].startswith(CONTENT_TYPES[suffix.group()]), url


async def test_the_vendored_assets_carry_their_licences(client: AsyncClient) -> None:
    swagger_ui = await client.get("/static/docs/vendor/swagger-ui/LICENSE")
    notice = await client.get("/static/docs/vendor/swagger-ui/NOTICE")
    redoc = await client.get("/static/docs/vendor/redoc/LICENSE")

    assert "Apache License" in swagger_ui.text
    assert "SmartBear" in notice.text
    assert "MIT License" in redoc.text


@pytest.mark.parametrize("path", DOCS_PAGES)
async def test_the_docs_policy_allows_no_other_host_and_no_inline_script(
    client: AsyncClient, path: str
) -> None:
    response = await client.get(path)
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))

    assert not re.search(r"https?:|\*", policy), policy
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["x-frame-options"] == "DENY"


async def test_the_api_keeps_its_own_policy(client: AsyncClient) -> None:
    described = await client.get("/openapi.json")
    asset = await client.get("/static/docs/docs.js")

    for response in (described, asset):
        assert response.headers["content-security-policy"].startswith("default-src 'none'")


@dataclass
class Watched:
    """A page cut off from every host but this one, and what it tried and complained of."""

    page: Page
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def violations(self) -> list[str]:
        found: list[str] = await self.page.evaluate("window.cspViolations")
        return found


@pytest.fixture
async def watched(browser: Browser) -> AsyncIterator[Watched]:
    """A desktop-sized page whose requests to any other host are refused and recorded; its
    console errors, uncaught exceptions and policy violations are recorded too."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(10_000)
    watched = Watched(page=await context.new_page())

    async def refuse(route: Route) -> None:
        watched.outside.append(route.request.url)
        await route.abort("blockedbyclient")

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watched.errors.append(message.text)

    await context.route(lambda url: urlsplit(url).hostname not in LOCAL_HOSTS, refuse)
    await context.add_init_script(RECORD_VIOLATIONS)
    watched.page.on("console", console)
    watched.page.on("pageerror", lambda error: watched.errors.append(str(error)))
    yield watched
    await context.close()


async def test_swagger_ui_lists_the_operations_and_tries_one_offline(
    watched: Watched, api_server: Server
) -> None:
    page = watched.page
    await page.goto(api_server.url + "/docs")

    search = page.locator('.opblock-get:has(.opblock-summary-path[data-path="/services"])')
    await expect(search.locator(".opblock-summary-method")).to_have_text("GET")
    await search.locator(".opblock-summary").click()
    await search.get_by_role("button", name="Try it out").click()
    await search.get_by_role("button", name="Execute").click()
    # the request went to the API itself, which the page's policy allows
    status = search.locator(".live-responses-table .response .response-col_status")
    await expect(status).to_have_text("200")

    assert watched.outside == []
    assert await watched.violations() == []
    assert watched.errors == []


async def test_redoc_shows_the_api_and_searches_it_offline(
    watched: Watched, api_server: Server
) -> None:
    page = watched.page
    await page.goto(api_server.url + "/redoc")

    await expect(
        page.get_by_role("heading", name=re.compile(r"^Referral-network service directory"))
    ).to_be_visible()
    operation = page.locator("h2", has_text=re.compile(r"^Search Services\s*$"))
    await expect(operation).to_be_visible()
    # its search runs in a worker of its own
    await page.get_by_placeholder("Search...").fill("Search Services")
    await expect(page.locator('[data-role="search:results"] li').first).to_be_visible()

    assert watched.outside == []
    assert await watched.violations() == []
    assert watched.errors == []
