"""The browser test helpers work, without the portal: Debian's Chromium at phone size, axe-core,
JavaScript off, geolocation, bytes on the wire, offline, a service worker, screenshots and the
API's own server."""

import asyncio
import json
import os
import struct

import pytest
from playwright.async_api import Browser, Error

from tests.browser import (
    CHROMIUM,
    SCREENSHOTS,
    Phone,
    StaticSite,
    assert_accessible,
    axe,
    axe_version,
    blocking,
    screenshot,
    transferred_bytes,
)
from tests.serving import Server

VIEWPORT_META = '<meta name="viewport" content="width=device-width, initial-scale=1">'
GOOD_PAGE = f"""<!DOCTYPE html>
<html lang="bn">
<head><meta charset="utf-8">{VIEWPORT_META}<title>সেবা খুঁজুন</title></head>
<body>
  <main>
    <h1>সেবা খুঁজুন</h1>
    <form action="/find">
      <label for="q">কী খুঁজছেন?</label>
      <input id="q" name="q" type="search">
      <button type="submit">খুঁজুন</button>
    </form>
    <p lang="en">Find a service</p>
  </main>
</body>
</html>"""
BAD_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8">{VIEWPORT_META}<title>Bad</title></head>
<body>
  <main>
    <h1>Bad page</h1>
    <img src="/logo.png">
    <p style="color: #bbbbbb; background: #ffffff">Barely readable</p>
  </main>
</body>
</html>"""


async def test_the_browser_is_debians_chromium_as_a_phone(
    browser: Browser, phone: Phone, second_origin: StaticSite
) -> None:
    version = await asyncio.create_subprocess_exec(
        CHROMIUM, "--version", stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
    )
    printed = (await version.communicate())[0].decode()
    assert browser.version in printed, printed

    url = second_origin.put("/", GOOD_PAGE)
    for locale in ("bn-BD", "en-US"):
        page = await phone(locale=locale)
        await page.goto(url)
        seen = await page.evaluate(
            """() => ({
              width: innerWidth, height: innerHeight, scale: devicePixelRatio,
              touch: navigator.maxTouchPoints > 0 && matchMedia('(pointer: coarse)').matches,
              language: navigator.language,
              zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
              mobile: navigator.userAgent.includes('Mobile'),
            })"""
        )
        assert seen == {
            "width": 360,
            "height": 640,
            "scale": 2,
            "touch": True,
            "language": locale,
            "zone": "Asia/Dhaka",
            "mobile": True,
        }
        # the server sees the language too, as the portal will
        assert second_origin.requests[-1].headers["accept-language"].startswith(locale)


async def test_axe_finds_what_is_wrong_and_passes_what_is_not(
    phone: Phone, second_origin: StaticSite
) -> None:
    page = await phone(locale="en-US")
    await page.goto(second_origin.put("/bad", BAD_PAGE))

    found = {v["id"]: v["impact"] for v in await axe(page)}
    assert found["image-alt"] == "critical"
    assert found["color-contrast"] == "serious"
    with pytest.raises(AssertionError) as failure:
        await assert_accessible(page)
    message = str(failure.value)
    assert f"2 serious or critical accessibility violation(s) (axe-core {axe_version()})" in message
    assert "- image-alt (critical): Images must have alternative text" in message
    assert '<img src="/logo.png">' in message
    assert "- color-contrast (serious)" in message
    assert await page.evaluate("axe.version") == axe_version()

    # a strict Content-Security-Policy does not keep axe out
    good = second_origin.put(
        "/good", GOOD_PAGE, headers={"Content-Security-Policy": "default-src 'self'"}
    )
    await page.goto(good)
    assert blocking(await axe(page)) == []
    await assert_accessible(page)


async def test_axe_sees_into_frames_of_another_origin(
    phone: Phone, second_origin: StaticSite
) -> None:
    # the embed case: a host page on one site, a frame from another
    embedded = StaticSite(host="127.0.0.1")
    try:
        frame = embedded.put(
            "/embed", '<!DOCTYPE html><html lang="en"><title>f</title><img src="x.png">'
        )
        host = f"""<!DOCTYPE html><html lang="en"><head><title>Host</title></head>
          <body><main><h1>A partner's page</h1>
          <iframe title="Directory" src="{frame}"></iframe>
          <iframe title="Missing" src="{embedded.url}/missing"></iframe></main></body></html>"""
        page = await phone(locale="en-US")
        await page.goto(second_origin.put("/host", host))

        violations = await axe(page)
    finally:
        embedded.close()

    image_alt = [v for v in violations if v["id"] == "image-alt"]
    assert [node["target"] for node in image_alt[0]["nodes"]] == [
        ['iframe[title="Directory"]', "img"]
    ]


async def test_javascript_off_shows_noscript_and_axe_checks_that_page(
    phone: Phone, second_origin: StaticSite
) -> None:
    url = second_origin.put(
        "/",
        f"""<!DOCTYPE html><html lang="en"><head>{VIEWPORT_META}<title>t</title></head>
        <body><main><h1>Services</h1>
        <noscript><p id="plain">Search works without JavaScript.</p><img src="/map.png"></noscript>
        <script>document.querySelector('main').insertAdjacentHTML('beforeend',
          '<p id="enhanced">Enhanced</p>')</script>
        </main></body></html>""",
    )
    without = await phone(locale="en-US", javascript=False)
    await without.goto(url)
    # Playwright's text locators skip <noscript>: find its content by CSS
    assert await without.locator("#plain").is_visible()
    assert await without.locator("#enhanced").count() == 0

    scripted = await phone(locale="en-US")
    await scripted.goto(url)
    assert not await scripted.locator("#plain").is_visible()
    assert await scripted.locator("#enhanced").is_visible()

    # axe checks what a reader without JavaScript gets: the <noscript> image has no text
    assert [v["id"] for v in blocking(await axe(without))] == ["image-alt"]
    assert blocking(await axe(scripted)) == []
    # and the page itself was left as it was
    assert await without.locator("noscript #plain").is_visible()


GEOLOCATE = """() => new Promise(resolve => navigator.geolocation.getCurrentPosition(
  position => resolve([position.coords.latitude, position.coords.longitude]),
  error => resolve({error: error.code})))"""


async def test_geolocation_is_given_only_when_granted(
    phone: Phone, second_origin: StaticSite
) -> None:
    url = second_origin.put("/", GOOD_PAGE)
    # Jashore
    granted = await phone(geolocation=(23.1664, 89.2081))
    await granted.goto(url)
    assert await granted.evaluate(GEOLOCATE) == [23.1664, 89.2081]

    refused = await phone()
    await refused.goto(url)
    assert await refused.evaluate(GEOLOCATE) == {"error": 1}  # PERMISSION_DENIED


async def test_transferred_bytes_counts_what_came_over_the_network(
    phone: Phone, second_origin: StaticSite
) -> None:
    script = f"/*{os.urandom(20_000).hex()}*/"
    # no favicon: the browser would ask for /favicon.ico
    html = (
        '<!DOCTYPE html><html lang="en"><title>t</title><link rel="icon" href="data:,">'
        '<script src="/app.js"></script>'
    )
    url = second_origin.put("/", html, headers={"Cache-Control": "no-store"})
    second_origin.put(
        "/app.js", script, content_type="text/javascript", headers={"Cache-Control": "max-age=600"}
    )
    page = await phone()

    first = await transferred_bytes(page, lambda: page.goto(url))

    bodies = len(html) + len(script)
    # the two bodies and their two response heads
    assert bodies < first < bodies + 2 * 300, (first, bodies)
    assert [request.path for request in second_origin.requests] == ["/", "/app.js"]
    # loaded again, the script comes from the HTTP cache: only the page counts
    again = await transferred_bytes(page, lambda: page.reload())
    assert len(html) < again < len(html) + 300, again
    assert [request.path for request in second_origin.requests][2:] == ["/"]
    # a fetch started by the action is waited for
    fetched = await transferred_bytes(
        page, lambda: page.evaluate("() => { fetch('/app.js', {cache: 'no-store'}); }")
    )
    assert len(script) < fetched < len(script) + 300, fetched
    # a redirect's response counts too
    moved = second_origin.put("/moved", "", headers={"Location": "/"}, status=302)
    redirected = await transferred_bytes(page, lambda: page.goto(moved))
    assert len(html) + 2 * 100 < redirected < len(html) + 2 * 300, redirected


async def test_offline_fails_fetches_until_back_online(
    phone: Phone, second_origin: StaticSite
) -> None:
    page = await phone()
    await page.goto(second_origin.put("/", GOOD_PAGE))
    second_origin.put("/data", '{"ok": true}', content_type="application/json")
    fetch = "() => fetch('/data').then(r => r.json(), e => e.name + ': ' + e.message)"

    await page.context.set_offline(True)
    assert await page.evaluate("navigator.onLine") is False
    # the page learns it is offline at once; Chromium's network service may take a moment longer
    # on a loaded machine (one fetch went through there), so the first few may still reach it
    failed = None
    for _ in range(50):
        failed = await page.evaluate(fetch)
        if failed != {"ok": True}:
            break
        await asyncio.sleep(0.1)
    assert failed == "TypeError: Failed to fetch"
    assert await page.evaluate(fetch) == "TypeError: Failed to fetch"

    await page.context.set_offline(False)
    assert await page.evaluate(fetch) == {"ok": True}
    # online, still no other host than this one resolves: the tests never leave the machine
    with pytest.raises(Error, match="ERR_NAME_NOT_RESOLVED"):
        await page.goto("http://example.org/")


SERVICE_WORKER = """
self.addEventListener('install', event => {
  event.waitUntil(
    caches.open('v1').then(cache => cache.add('/app')).then(() => self.skipWaiting()));
});
self.addEventListener('activate', event => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', event => {
  event.respondWith(caches.match(event.request).then(hit => hit || fetch(event.request)));
});
"""


async def test_a_service_worker_serves_the_page_offline(
    phone: Phone, second_origin: StaticSite
) -> None:
    url = second_origin.put(
        "/app",
        """<!DOCTYPE html><html lang="en"><title>App</title><p id="ready">Directory</p>
        <script>navigator.serviceWorker.register('/sw.js')</script>""",
    )
    second_origin.put("/sw.js", SERVICE_WORKER, content_type="text/javascript")
    page = await phone()
    await page.goto(url)
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    await page.wait_for_function("navigator.serviceWorker.controller !== null")
    served = len(second_origin.requests)

    await page.context.set_offline(True)
    nothing = await transferred_bytes(page, lambda: page.reload())

    assert await page.locator("#ready").inner_text() == "Directory"
    assert nothing == 0
    assert len(second_origin.requests) == served


async def test_screenshot_is_written_at_device_pixels(
    phone: Phone, second_origin: StaticSite
) -> None:
    page = await phone()
    await page.goto(second_origin.put("/", GOOD_PAGE))

    path = await screenshot(page, "browser-infra-phone", full_page=False)

    assert path == SCREENSHOTS / "browser-infra-phone.png"
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", head[16:24]) == (720, 1280)
    with pytest.raises(AssertionError, match="not a plain file name"):
        await screenshot(page, "../outside")


async def test_the_api_server_answers_the_browser_from_its_own_and_another_origin(
    phone: Phone, api_server: Server, second_origin: StaticSite
) -> None:
    page = await phone(locale="en-US")

    health = await page.goto(api_server.url + "/healthz")
    assert health is not None
    assert health.status == 200
    assert await health.json() == {"status": "ok"}
    spec = await page.goto(api_server.url + "/openapi.json")
    assert spec is not None
    assert (await spec.json())["openapi"].startswith("3.")

    # a partner's page reads the public API across origins
    await page.goto(second_origin.put("/", GOOD_PAGE))
    answer = await page.evaluate(
        "url => fetch(url).then(r => r.text())", api_server.url + "/healthz"
    )
    assert json.loads(answer) == {"status": "ok"}
    with pytest.raises(Error, match="Failed to fetch"):
        # a private endpoint is not open to other origins
        await page.evaluate("url => fetch(url).then(r => r.text())", api_server.url + "/users")
