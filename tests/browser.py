"""Browser tests: Debian's Chromium driven by Playwright, phone-sized pages, a second origin,
axe-core, bytes on the wire and screenshots.

The async API runs on the suite's session event loop. The sync API cannot: between its calls it
marks its own event loop as running in the main thread (playwright/_impl/_greenlets.py), so every
async test after it fails with "cannot be called from a running event loop"."""

import asyncio
import re
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol
from weakref import WeakSet

from playwright.async_api import Browser, BrowserContext, Page, Playwright

from tests.serving import ROOT

CHROMIUM = Path("/usr/bin/chromium")
AXE_DIR = ROOT / ".data" / "axe-core"
SCREENSHOTS = ROOT / "tests" / "portal" / "screenshots"
PHONE = {"width": 360, "height": 640}
SETUP_HINT = "scripts/setup.sh --browser (run by `make test`) installs it"

# As root Chromium refuses to start without --no-sandbox; the tests open only their own local
# pages. The rest keep it off the network, which is closed here: it would try Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # nothing but localhost and 127.0.0.1 resolves: Chromium asks no resolver for Google's hosts,
    # and a page that needs another host fails at once, as it would on the closed network
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]

Violation = dict[str, Any]
BLOCKING_IMPACTS = ("serious", "critical")
# A page with JavaScript off as it was parsed, for axe elsewhere: without its scripts, and with
# what its <noscript> elements hold shown in an inline element of another name.
SCRIPTLESS_DOM = """() => {
  const copy = document.documentElement.cloneNode(true);
  for (const script of copy.querySelectorAll('script')) script.remove();
  for (const noscript of copy.querySelectorAll('noscript')) {
    const shown = document.createElement('axe-noscript');
    shown.append(...noscript.childNodes);
    noscript.replaceWith(shown);
  }
  const doctype = document.doctype ? `<!DOCTYPE ${document.doctype.name}>` : '';
  return doctype + copy.outerHTML;
}"""
_scriptless: "WeakSet[BrowserContext]" = WeakSet()


def chromium() -> Path:
    """Debian's Chromium; a missing browser is a failure, never a skip."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: {SETUP_HINT}"
    return CHROMIUM


async def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless."""
    return await playwright.chromium.launch(
        executable_path=chromium(), headless=True, args=CHROMIUM_ARGS
    )


async def new_phone(
    browser: Browser,
    *,
    locale: str = "bn-BD",
    geolocation: tuple[float, float] | None = None,
    javascript: bool = True,
    offline: bool = False,
) -> Page:
    """A page in a fresh context like a phone: 360×640 CSS pixels at device scale 2, touch,
    `locale`, Dhaka's time zone, service workers allowed; the geolocation permission is granted
    only with `geolocation` (latitude, longitude). `page.context.set_offline()` toggles the
    network later."""
    major = browser.version.split(".")[0]
    context = await browser.new_context(
        viewport={"width": PHONE["width"], "height": PHONE["height"]},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        # Chrome on Android's reduced user agent, so pages see a phone
        user_agent=(
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
            f"Chrome/{major}.0.0.0 Mobile Safari/537.36"
        ),
        locale=locale,
        timezone_id="Asia/Dhaka",
        geolocation=(
            {"latitude": geolocation[0], "longitude": geolocation[1]} if geolocation else None
        ),
        permissions=["geolocation"] if geolocation else [],
        java_script_enabled=javascript,
        offline=offline,
        service_workers="allow",
    )
    # fail within seconds rather than Playwright's 30 s: every page here is local
    context.set_default_timeout(10_000)
    if not javascript:
        _scriptless.add(context)
    return await context.new_page()


class Phone(Protocol):
    """The `phone` fixture: `await phone(...)` opens a page as new_phone does."""

    async def __call__(
        self,
        *,
        locale: str = "bn-BD",
        geolocation: tuple[float, float] | None = None,
        javascript: bool = True,
        offline: bool = False,
    ) -> Page: ...


@dataclass
class SiteRequest:
    """A request a StaticSite received: its path (without the query) and headers (lower case)."""

    path: str
    headers: dict[str, str]


@dataclass
class StaticSite:
    """A tiny HTTP server on a port of its own, by default named `localhost`: another site than
    the API on 127.0.0.1, as a partner's web page embedding the directory would be. Serves what
    `put` gives it, 404 otherwise, and records the requests."""

    host: str = "localhost"
    files: dict[str, tuple[int, bytes, dict[str, str]]] = field(default_factory=dict)
    requests: list[SiteRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                headers = {name.lower(): value for name, value in self.headers.items()}
                site.requests.append(SiteRequest(path=path, headers=headers))
                status, body, answer = site.files.get(
                    path, (404, b"not found", {"Content-Type": "text/plain"})
                )
                self.send_response(status)
                for name, value in answer.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # a short poll, so that close() (shutdown) returns at once
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._server.server_address[1]}"

    def put(
        self,
        path: str,
        body: str | bytes,
        *,
        content_type: str = "text/html; charset=utf-8",
        headers: Mapping[str, str] | None = None,
        status: int = 200,
    ) -> str:
        """Serve `body` at `path` (with `status` and `headers`); returns its URL."""
        data = body.encode() if isinstance(body, str) else body
        self.files[path] = (status, data, {"Content-Type": content_type, **(headers or {})})
        return self.url + path

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@cache
def axe_source() -> str:
    """axe.min.js as scripts/setup.sh unpacked it, at the version pinned in browser-deps.txt."""
    script = AXE_DIR / "axe.min.js"
    assert script.exists(), f"{script} is missing: {SETUP_HINT}"
    return script.read_text(encoding="utf-8")


def axe_version() -> str:
    """The axe-core version pinned in scripts/browser-deps.txt."""
    deps = (ROOT / "scripts" / "browser-deps.txt").read_text(encoding="utf-8")
    match = re.search(r"^axe-core (\S+) ", deps, re.MULTILINE)
    assert match, deps
    return match.group(1)


async def axe(page: Page, options: Mapping[str, Any] | None = None) -> list[Violation]:
    """axe-core's violations on the page as it is now, its frames included (`options` as
    axe.run takes them)."""
    if page.context in _scriptless:
        return await _axe_scriptless(page, options)
    # evaluated over the DevTools protocol, not as a <script>: a strict CSP cannot block it;
    # in every frame, so that axe in the page gathers the frames' results too, from any origin
    # (an embed is another origin than its host page)
    for frame in page.frames:
        if not await frame.evaluate("typeof window.axe === 'object'"):
            await frame.evaluate(axe_source())
            await frame.evaluate("axe.configure({allowedOrigins: ['<unsafe_all_origins>']})")
    violations: list[Violation] = await page.evaluate(
        "async (options) => (await axe.run(document, options)).violations",
        {"resultTypes": ["violations"], **(options or {})},
    )
    return violations


async def _axe_scriptless(page: Page, options: Mapping[str, Any] | None) -> list[Violation]:
    """axe on a page with JavaScript off: there its promises and timers never settle, so axe
    cannot run. Its DOM as parsed (SCRIPTLESS_DOM) is checked instead in a phone page with
    JavaScript on, served at the same URL so that its styles and images load alike; the
    elements of its <noscript> are named `axe-noscript` there."""
    html = await page.evaluate(SCRIPTLESS_DOM)
    locale = await page.evaluate("navigator.language")
    browser = page.context.browser
    assert browser is not None
    copy = await new_phone(browser, locale=locale)
    try:
        url = page.url
        await copy.route(
            lambda requested: requested == url,
            lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"),
        )
        await copy.goto(url)
        return await axe(copy, options)
    finally:
        await copy.context.close()


def blocking(violations: list[Violation]) -> list[Violation]:
    """The serious and critical ones."""
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def describe(violations: list[Violation]) -> str:
    """Violations for a reader: rule, impact, help and link, then each element and its fix."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            for fix in str(node.get("failureSummary") or "").splitlines():
                lines.append(f"     {fix.strip()}")
    return "\n".join(lines)


async def assert_accessible(page: Page, options: Mapping[str, Any] | None = None) -> None:
    """No serious or critical axe-core violation on the page; otherwise fail naming each."""
    found = blocking(await axe(page, options))
    assert not found, (
        f"{len(found)} serious or critical accessibility violation(s) "
        f"(axe-core {axe_version()}) on {page.url}:\n{describe(found)}"
    )


async def transferred_bytes(
    page: Page,
    action: Callable[[], Awaitable[object]],
    *,
    quiet_seconds: float = 0.25,
    settle_seconds: float = 10,
) -> int:
    """Bytes the page received over the network (headers and encoded bodies, as Chromium counts
    them: CDP Network.loadingFinished encodedDataLength, plus redirect responses) while `action`
    ran and until its requests ended and the network was quiet for `quiet_seconds` (a request
    started later is not counted). Responses from the HTTP cache or a service worker are not
    counted; requests a service worker makes itself (its precache) are on the worker's own
    target and are not seen here."""
    cdp = await page.context.new_cdp_session(page)
    loop = asyncio.get_running_loop()
    last_event = loop.time()
    pending: dict[str, str] = {}
    received: dict[str, int] = {}
    redirects: list[int] = []
    not_network: set[str] = set()

    def sent(event: dict[str, Any]) -> None:
        nonlocal last_event
        last_event = loop.time()
        pending[event["requestId"]] = event["request"]["url"]
        redirect = event.get("redirectResponse")
        if redirect:
            redirects.append(int(redirect.get("encodedDataLength", 0)))

    def answered(event: dict[str, Any]) -> None:
        if event["response"].get("fromServiceWorker"):
            not_network.add(event["requestId"])

    def finished(event: dict[str, Any]) -> None:
        nonlocal last_event
        last_event = loop.time()
        received[event["requestId"]] = int(event["encodedDataLength"])
        pending.pop(event["requestId"], None)

    def failed(event: dict[str, Any]) -> None:
        nonlocal last_event
        last_event = loop.time()
        pending.pop(event["requestId"], None)

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.requestServedFromCache", lambda event: not_network.add(event["requestId"]))
    cdp.on("Network.responseReceived", answered)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.loadingFailed", failed)
    await cdp.send("Network.enable")
    try:
        await action()
        deadline = loop.time() + settle_seconds
        while pending or loop.time() - last_event < quiet_seconds:
            assert loop.time() < deadline, (
                f"requests still open after {settle_seconds} s: {sorted(pending.values())}"
            )
            await asyncio.sleep(0.02)
    finally:
        await cdp.detach()
    network = [size for request, size in received.items() if request not in not_network]
    return sum(network) + sum(redirects)


async def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """A PNG of the page in tests/portal/screenshots/`name`.png (not committed)."""
    assert re.fullmatch(r"[A-Za-z0-9._-]+", name), f"not a plain file name: {name!r}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=path, full_page=full_page)
    return path
