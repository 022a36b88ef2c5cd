"""The portal in a real browser at a 360×640 phone: the journeys of an activist looking for help,
with JavaScript and without, embedded in another site, offline after one visit, within its
transfer budget, and accessible. Screenshots of each page in both languages go to
tests/portal/screenshots/."""

import asyncio
import re
from collections.abc import Awaitable, Callable
from urllib.parse import quote

import pytest
from playwright.async_api import Page, Route, expect

from tests.browser import Phone, StaticSite, assert_accessible, screenshot, transferred_bytes
from tests.serving import Server

KALAROA = (22.8826, 89.0492)  # near the Kalaroa upazila health complex
BUDGET_BYTES = 60 * 1024
# a 1×1 transparent PNG stands in for OpenStreetMap's tiles: this machine reaches no outside host
TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def at(server: Server, path: str) -> str:
    return server.url + path


async def names(page: Page) -> list[str]:
    return await page.locator(".card h3 a").all_inner_texts()


async def shown_ids(page: Page) -> list[str]:
    links = page.locator(".card h3 a")
    return [str(await link.get_attribute("href")).split("?")[0] for link in await links.all()]


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10) -> None:
    """Wait until `check()` holds (a frame's height follows its content a moment later)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "the condition did not come true"
        await asyncio.sleep(0.1)


async def test_a_bangla_search_by_typing_with_javascript(phone: Phone, api_server: Server) -> None:
    page = await phone()
    await page.goto(at(api_server, "/find"))
    await expect(page.locator("html")).to_have_attribute("lang", "bn")

    await page.get_by_label("কী সেবা দরকার?").fill("আইনগত সহায়তা")
    await page.get_by_role("button", name="খুঁজুন").click()

    # the results change in place and the address follows, so that it can be shared
    await expect(page).to_have_url(re.compile(r"search="))
    await expect(page.locator(".card").first).to_be_visible()
    assert any("আইন" in name for name in await names(page))
    await expect(page.locator("#results-title")).to_have_text(re.compile(r"^[০-৯]+টি সেবা$"))
    await assert_accessible(page)
    await screenshot(page, "find-results-bn")


async def test_a_spelling_variant_and_a_category_filter(phone: Phone, api_server: Server) -> None:
    page = await phone(locale="en-US")
    await page.goto(at(api_server, "/find?district=Jessore"))

    await expect(page.locator("#district")).to_have_value("BD4041")
    before = await names(page)
    await page.get_by_label("Kind of service").select_option("legal_aid")
    await expect(page).to_have_url(re.compile(r"category=legal_aid"))
    await expect(page.locator(".card").first).to_be_visible()
    after = await names(page)

    assert after and after != before
    for tags in await page.locator(".card .tags").all_inner_texts():
        assert "Legal aid" in tags
    await assert_accessible(page)
    await screenshot(page, "find-category-en")


async def test_near_me_with_a_granted_location_sorts_by_distance(
    phone: Phone, api_server: Server
) -> None:
    page = await phone(geolocation=KALAROA)
    await page.goto(at(api_server, "/find?category=health"))

    await page.get_by_role("button", name="আমার কাছে").click()

    await expect(page).to_have_url(re.compile(r"lat=22\.88"))
    distances = await page.locator(".card .distance").all_inner_texts()
    assert distances and all(re.fullmatch(r"[০-৯.]+ (কিমি|মিটার) দূরে", d) for d in distances)
    await expect(page.get_by_text("আপনার অবস্থান থেকে দূরত্ব অনুযায়ী সাজানো।")).to_be_visible()
    await screenshot(page, "find-near-me-bn")


async def test_near_me_refused_points_to_the_place_lists(phone: Phone, api_server: Server) -> None:
    page = await phone(locale="en-US")  # no geolocation permission
    await page.goto(at(api_server, "/find?lang=en"))

    await page.get_by_role("button", name="Near me").click()

    await expect(
        page.get_by_text("Choose a district and upazila instead.", exact=False)
    ).to_be_visible()
    await page.get_by_label("Division").select_option("BD40")
    # "any" and Khulna's ten districts
    await expect(page.locator("#district option")).to_have_count(11)
    await page.get_by_label("District").select_option("BD4087")
    await expect(page.locator("#upazila-field")).to_be_visible()
    await page.get_by_label("Upazila").select_option(label="Kalaroa")
    await expect(page).to_have_url(re.compile(r"district=BD4087&upazila=BD4087\d+"))


async def test_the_map_loads_only_when_asked_with_osm_attribution(
    phone: Phone, api_server: Server
) -> None:
    page = await phone(locale="en-US")
    tiles: list[str] = []

    async def tile(route: Route) -> None:
        tiles.append(route.request.url)
        await route.fulfill(body=TILE, content_type="image/png")

    await page.route("https://tile.openstreetmap.org/**", tile)
    scripts: list[str] = []
    page.on("request", lambda request: scripts.append(request.url))
    await page.goto(at(api_server, "/find?lang=en&near=Kalaroa&category=health"))
    await page.wait_for_load_state("networkidle")
    assert not tiles and not any("leaflet" in url for url in scripts)

    await page.get_by_role("button", name="Show map").click()

    await expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    await expect(page.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
    assert tiles and all(url.startswith("https://tile.openstreetmap.org/") for url in tiles)
    await expect(page.get_by_role("button", name="Hide map")).to_have_attribute(
        "aria-expanded", "true"
    )
    await screenshot(page, "find-map-en")


async def test_paging_and_the_language_switch(phone: Phone, api_server: Server) -> None:
    page = await phone()
    await page.goto(at(api_server, "/find?district=Jashore"))
    first = await shown_ids(page)

    await page.get_by_role("link", name="পরের পাতা").click()
    await expect(page.get_by_text(re.compile(r"পৃষ্ঠা ২ / [০-৯]+"))).to_be_visible()
    assert set(await shown_ids(page)).isdisjoint(first)
    await page.get_by_role("link", name="English").click()

    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_text(re.compile(r"Page 2 of \d+"))).to_be_visible()
    await expect(page.get_by_role("link", name="বাংলা")).to_be_visible()


@pytest.mark.parametrize("lang", ["bn", "en"])
async def test_the_journeys_without_javascript(phone: Phone, api_server: Server, lang: str) -> None:
    page = await phone(javascript=False, locale="en-US" if lang == "en" else "bn-BD")
    words = {
        "bn": ("কী সেবা দরকার?", "খুঁজুন", "সেবার ধরন", "পরের পাতা", "English", "আইনগত সহায়তা"),
        "en": ("What do you need?", "Search", "Kind of service", "Next", "বাংলা", "legal aid"),
    }[lang]
    ask, submit, kind, next_page, switch, text = words
    await page.goto(at(api_server, f"/find?lang={lang}"))
    assert await page.locator("[data-near-me]").is_hidden()

    await page.get_by_label(ask).fill(text)
    await page.get_by_role("button", name=submit, exact=True).click()
    await expect(page.locator(".card").first).to_be_visible()
    await page.get_by_label(kind).select_option("legal_aid")
    await page.get_by_role("button", name=submit, exact=True).click()
    await expect(page).to_have_url(re.compile(r"category=legal_aid"))
    assert await page.locator(".card").count() > 0
    await assert_accessible(page)
    await screenshot(page, f"find-nojs-{lang}")

    await page.goto(at(api_server, f"/find?lang={lang}&district=Jashore"))
    await page.get_by_role("link", name=next_page).click()
    await expect(page).to_have_url(re.compile(r"page=2"))
    await page.locator(".card h3 a").first.click()
    await expect(page.locator("article.service h1")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, f"service-nojs-{lang}")
    await page.get_by_role("link", name=switch).click()
    await expect(page.locator("html")).to_have_attribute("lang", "en" if lang == "bn" else "bn")


@pytest.mark.parametrize("lang", ["bn", "en"])
async def test_every_page_is_accessible_in_both_languages(
    phone: Phone, api_server: Server, lang: str
) -> None:
    page = await phone(locale="en-US" if lang == "en" else "bn-BD")
    pages = {
        "find": f"/find?lang={lang}",
        "results": f"/find?lang={lang}&search={quote('legal aid')}&district=Jashore",
        "nothing": (
            f"/find?lang={lang}&district=Jashore&upazila=BD40410090&category=drug_rehabilitation"
        ),
        "embed": f"/embed?lang={lang}&district=Jashore&category=legal_aid",
        "error": f"/find?lang={lang}&district=Atlantis",
    }
    for name, path in pages.items():
        await page.goto(at(api_server, path))
        await assert_accessible(page)
        await screenshot(page, f"{name}-{lang}")
        # what a phone's screen shows first (the README's pictures are two of these)
        await screenshot(page, f"{name}-{lang}-screen", full_page=False)
    await page.goto(at(api_server, pages["results"]))
    await page.locator(".card h3 a").first.click()
    await expect(page.locator("article.service h1")).to_be_visible()
    await assert_accessible(page)
    await screenshot(page, f"service-{lang}")
    await screenshot(page, f"service-{lang}-screen", full_page=False)


async def test_helplines_stay_in_view_while_scrolling(phone: Phone, api_server: Server) -> None:
    page = await phone()
    await page.goto(at(api_server, "/find?district=Jashore"))

    await page.mouse.wheel(0, 4000)
    bar = page.locator(".helplines")

    await expect(bar).to_be_in_viewport()
    for number in ("৯৯৯", "১০৯", "১০৯৮", "১৬৪৩০", "৩৩৩"):
        await expect(bar.get_by_text(number, exact=True)).to_be_in_viewport()


async def _taller(height: Callable[[], Awaitable[float]], than: float) -> bool:
    return await height() > than


async def _shorter(height: Callable[[], Awaitable[float]], than: float) -> bool:
    return await height() < than


HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>District portal</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Jashore district portal</h1>
<script src="{api}/embed.js" data-lang="bn" data-district="Jashore" data-height="200"
 async></script>
</main></body></html>"""


async def test_the_widget_embedded_on_another_site_grows_with_its_results(
    phone: Phone, api_server: Server, second_origin: StaticSite
) -> None:
    host = second_origin.put("/portal.html", HOST_PAGE.format(api=api_server.url))
    page = await phone()

    await page.goto(host)
    frame_element = page.locator("iframe")
    await expect(frame_element).to_have_attribute("title", "সেবা নির্দেশিকা")
    await expect(frame_element).to_have_attribute("loading", "lazy")
    await expect(frame_element).to_have_attribute("allow", "geolocation")
    inside = page.frame_locator("iframe")
    await expect(inside.locator(".card").first).to_be_visible()

    async def height() -> float:
        box = await frame_element.bounding_box()
        assert box is not None
        return box["height"]

    await eventually(lambda: _taller(height, 1000))
    content = await inside.locator("html").evaluate("e => e.getBoundingClientRect().height")
    assert abs(await height() - content) < 5
    # a filter that finds fewer results shrinks the frame with them
    grown = await height()
    await inside.get_by_label("সেবার ধরন").select_option("legal_aid")
    await eventually(lambda: _shorter(height, grown))
    await assert_accessible(page)
    await screenshot(page, "embed-host-bn")


async def test_only_the_embed_can_be_framed(
    phone: Phone, api_server: Server, second_origin: StaticSite
) -> None:
    host = second_origin.put(
        "/frames.html",
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Frames</title></head>'
        f'<body><iframe id="full" title="full" src="{api_server.url}/find"></iframe>'
        f'<iframe id="embed" title="embed" src="{api_server.url}/embed"></iframe></body></html>',
    )
    page = await phone()

    await page.goto(host)
    await expect(page.frame_locator("#embed").locator("form.search")).to_be_visible()

    refused = page.frame_locator("#full").locator("form.search")
    await page.wait_for_timeout(500)
    assert await refused.count() == 0


async def test_offline_after_one_visit_with_the_datas_age(phone: Phone, api_server: Server) -> None:
    page = await phone(locale="en-US")
    await page.goto(at(api_server, "/find?lang=en&district=Jashore"))
    online = await names(page)

    # the worker keeps the page and the district's directory after the first visit
    async def kept() -> bool:
        keys: list[str] = await page.evaluate(
            """async () => (await (await caches.open('portal-v1-pages')).keys()).map(r => r.url)"""
        )
        return any("/find/offline-directory" in k for k in keys) and any(
            k.endswith("/find?lang=en&district=Jashore") for k in keys
        )

    await eventually(kept, seconds=15)

    await page.context.set_offline(True)
    await page.reload()

    banner = page.locator("#offline-banner")
    await expect(banner).to_be_visible()
    await expect(banner).to_contain_text(re.compile(r"last seen on \d+ \w+ \d{4}, \d\d:\d\d"))
    assert await names(page) == online
    await page.goto(at(api_server, "/find?lang=en&district=Jashore&category=health&search=doctor"))
    await expect(page.locator("#offline-banner")).to_be_visible()
    assert await page.locator(".card").count() > len(online)  # the whole district
    await screenshot(page, "find-offline-en")


async def test_the_first_load_of_results_fits_the_budget(phone: Phone, api_server: Server) -> None:
    page = await phone()
    url = at(api_server, f"/find?search={quote('আইনগত সহায়তা')}&district=Jashore")

    spent = await transferred_bytes(page, lambda: page.goto(url))

    assert await page.locator(".card").count() > 0
    assert spent <= BUDGET_BYTES, f"{spent} bytes"
    print(f"first load of /find with results: {spent} bytes")


async def test_save_data_gets_no_map(phone: Phone, api_server: Server) -> None:
    page = await phone()
    await page.context.set_extra_http_headers({"Save-Data": "on"})

    await page.goto(at(api_server, "/find?district=Jashore"))

    assert await page.locator("[data-show-map]").count() == 0
