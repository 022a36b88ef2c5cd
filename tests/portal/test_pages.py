"""The portal's pages as a server answers them: language, what each result says, the helplines,
suggestions, paging, bad input, the headers that make them safe to embed and to cache."""

import re
import uuid
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.models import Service
from tests.builders import make_service

HELPLINES = ("999", "109", "1098", "16430", "333")
BANGLA_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")


class Page(HTMLParser):
    """The parts of a page the tests look at."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.inline_scripts = 0
        self.style_attributes = 0
        self.style_elements = 0
        self.controls: list[dict[str, str]] = []
        self.labels: set[str] = set()
        self.html_lang = ""
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "style" in values:
            self.style_attributes += 1
        if tag == "html":
            self.html_lang = values.get("lang", "")
        elif tag == "a":
            self.links.append(values)
        elif tag == "script" and "src" not in values:
            self.inline_scripts += 1
        elif tag == "style":
            self.style_elements += 1
        elif tag in ("input", "select") and values.get("type") != "hidden":
            self.controls.append(values)
        elif tag == "label":
            self.labels.add(values.get("for", ""))

    def hrefs(self, prefix: str) -> list[str]:
        return [link["href"] for link in self.links if link.get("href", "").startswith(prefix)]


async def page(client: AsyncClient, path: str, **params: Any) -> tuple[Response, Page]:
    headers = params.pop("headers", {})
    response = await client.get(path, params=params, headers=headers)
    return response, Page(response.text)


async def test_bangla_first_english_on_request_and_a_visible_switch(client: AsyncClient) -> None:
    bangla, bn = await page(client, "/find")
    english, en = await page(client, "/find", lang="en")
    guessed, guess = await page(client, "/find", headers={"Accept-Language": "en-GB,en;q=0.9"})

    assert (bn.html_lang, en.html_lang, guess.html_lang) == ("bn", "en", "en")
    assert "কী সেবা দরকার?" in bangla.text and "What do you need?" in english.text
    assert any("lang=en" in href for href in bn.hrefs("?"))
    assert any("lang=bn" in href for href in en.hrefs("?"))
    assert guessed.headers["content-language"] == "en"


async def test_a_bangla_search_finds_legal_aid_with_bangla_numbers(client: AsyncClient) -> None:
    response, _ = await page(client, "/find", search="আইনগত সহায়তা", district="যশোর")

    assert response.status_code == 200
    assert "সরকারি আইনগত সহায়তা, যশোর জেলা" in response.text
    count = re.search(r'id="results-title">([^<]+)<', response.text)
    assert count and re.fullmatch(r"[০-৯]+টি সেবা", count.group(1))


async def test_spelling_variants_of_a_district_find_the_same(client: AsyncClient) -> None:
    found = {}
    for spelling in ("Jessore", "Jashore", "যশোর", "BD4041"):
        response, parsed = await page(
            client, "/find", district=spelling, category="legal_aid", lang="en"
        )
        assert response.status_code == 200, spelling
        found[spelling] = [href.split("?")[0] for href in parsed.hrefs("/find/services/")]

    assert found["Jessore"] and len({tuple(v) for v in found.values()}) == 1


async def test_the_page_shows_what_the_api_finds_in_its_order(client: AsyncClient) -> None:
    params = {"search": "legal aid", "district": "Jashore"}
    api = (await client.get("/services", params={**params, "per_page": 10})).json()
    _, parsed = await page(client, "/find", **params, lang="en")

    shown = [href.split("?")[0].rsplit("/", 1)[1] for href in parsed.hrefs("/find/services/")]
    assert shown == [item["id"] for item in api["contents"]]


async def test_paging_links_walk_the_results(client: AsyncClient) -> None:
    _, first = await page(client, "/find", lang="en", district="Jashore")
    nexts = [link["href"] for link in first.links if link.get("rel") == "next"]
    assert nexts and "page=2" in nexts[0]

    second = await client.get("/find" + nexts[0])
    assert "Page 2 of" in second.text
    assert 'rel="prev"' in second.text
    assert set(Page(second.text).hrefs("/find/services/")).isdisjoint(
        first.hrefs("/find/services/")
    )


async def test_near_a_place_shows_distances_in_the_pages_language(client: AsyncClient) -> None:
    bangla = await client.get("/find", params={"near": "Kalaroa", "category": "health"})
    english = await client.get(
        "/find", params={"near": "Kalaroa", "category": "health", "lang": "en"}
    )

    assert re.search(r"[০-৯]+(\.[০-৯])? (কিমি|মিটার) দূরে", bangla.text)
    assert re.search(r"\d+(\.\d)? (km|m) away", english.text)
    assert 'id="radius_km"' in bangla.text


async def test_a_bangla_page_names_in_english_what_has_no_bangla_name(
    client: AsyncClient, session: AsyncSession
) -> None:
    service = (
        await session.execute(
            select(Service).where(Service.name == "Health care at Kalaroa Upazila Health Complex")
        )
    ).scalar_one()

    bangla = await client.get(f"/find/services/{service.id}")

    assert service.name_bn is None
    assert "Health care at Kalaroa Upazila Health Complex" in bangla.text
    assert "সাতক্ষীরা জেলার কলারোয়া উপজেলার হাসপাতাল" in bangla.text
    assert "Satkhira জেলার" not in bangla.text and ": স্বাস্থ্যসেবা" not in bangla.text


@pytest.fixture
async def exact_clinic(session: AsyncSession) -> Service:
    return await make_service(
        session,
        name="Quagga exact clinic",
        lat=23.1701,
        lng=89.2102,
        categories=("health",),
        free_of_cost=True,
    )


async def _confidential_shelter(session: AsyncSession) -> Service:
    return await make_service(
        session,
        name="Quagga safe home",
        lat=23.1601,
        lng=89.2001,
        categories=("shelter",),
        confidential=True,
    )


async def test_each_result_says_how_to_reach_it(
    client: AsyncClient, session: AsyncSession, exact_clinic: Service
) -> None:
    shelter = await _confidential_shelter(session)
    response, parsed = await page(client, "/find", search="quagga", lang="en")

    assert response.status_code == 200
    assert "Quagga exact clinic" in response.text and "Quagga safe home" in response.text
    assert any(href.startswith("geo:23.1701,89.2102") for href in parsed.hrefs("geo:"))
    assert any(
        "mlat=23.1701&mlon=89.2102" in h for h in parsed.hrefs("https://www.openstreetmap.org/")
    )
    assert "Free of cost" in response.text
    assert "Location confidential: call" in response.text
    # the shelter's point is nowhere on the page
    assert "23.1601" not in response.text and "89.2001" not in response.text
    detail = await client.get(f"/find/services/{shelter.id}", params={"lang": "en"})
    assert "Location confidential: call" in detail.text and "23.1601" not in detail.text
    assert "Not yet verified" in detail.text


async def test_calls_hours_approximate_places_and_verification(client: AsyncClient) -> None:
    response, parsed = await page(client, "/find", search="16430", lang="en")

    assert "tel:16430" in parsed.hrefs("tel:")
    assert "Opening hours" in response.text and "24/7" in response.text
    jashore, _ = await page(client, "/find", search="legal aid", district="Jashore", lang="en")
    assert "Approximate location (area centre)" in jashore.text


async def test_a_verified_entry_says_when(
    client: AsyncClient, session: AsyncSession, exact_clinic: Service
) -> None:
    exact_clinic.assured_date = date(2026, 11, 12)
    await session.flush()

    bangla = await client.get(f"/find/services/{exact_clinic.id}")
    english = await client.get(f"/find/services/{exact_clinic.id}", params={"lang": "en"})

    assert "সর্বশেষ যাচাই ১২ নভেম্বর ২০২৬" in bangla.text
    assert "Last verified 12 November 2026" in english.text


@pytest.mark.parametrize("path", ["/find", "/embed", "/find/services/" + str(uuid.uuid4())])
async def test_the_national_helplines_are_on_every_page(client: AsyncClient, path: str) -> None:
    response, parsed = await page(client, path)

    assert {f"tel:{n}" for n in HELPLINES} <= set(parsed.hrefs("tel:")), path
    for number in HELPLINES:
        assert number.translate(BANGLA_DIGITS) in response.text


async def test_nothing_found_suggests_what_to_relax(client: AsyncClient) -> None:
    response, parsed = await page(
        client,
        "/find",
        lang="en",
        district="Jashore",
        upazila="Sharsha",
        category="drug_rehabilitation",
    )

    assert "No service matches all of this." in response.text
    relaxed = [
        href for href in parsed.hrefs("?") if "category" not in href or "upazila" not in href
    ]
    assert relaxed, response.text
    assert "any kind of service" in response.text or "the whole district" in response.text
    assert re.search(r"\(\d+ found\)", response.text)
    assert {f"tel:{n}" for n in HELPLINES} <= set(parsed.hrefs("tel:"))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lat": "abc", "lng": "89"}, "must be a number"),
        ({"district": "Atlantis"}, "unknown district"),
        ({"category": "magic"}, "unknown category"),
    ],
)
async def test_a_search_that_cannot_be_done_says_why_in_html(
    client: AsyncClient, params: dict[str, str], message: str
) -> None:
    response = await client.get("/find", params={**params, "lang": "en"})

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert message in response.text
    assert "This search cannot be done" in response.text


async def test_an_unknown_service_is_a_404_page(client: AsyncClient) -> None:
    response = await client.get(f"/find/services/{uuid.uuid4()}", params={"lang": "en"})

    assert response.status_code == 404
    assert "There is no such service" in response.text


@pytest.mark.parametrize("path", ["/find", "/embed", "/find/directory?district=BD4041"])
async def test_pages_have_no_inline_code_no_cookies_and_a_label_for_every_control(
    client: AsyncClient, path: str
) -> None:
    response = await client.get(path)
    parsed = Page(response.text)
    policy = response.headers["content-security-policy"]

    assert parsed.inline_scripts == parsed.style_attributes == parsed.style_elements == 0
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy
    assert "set-cookie" not in response.headers
    unlabelled = [c for c in parsed.controls if c.get("id") not in parsed.labels]
    assert not unlabelled


async def test_only_the_embed_may_be_framed(client: AsyncClient) -> None:
    full = await client.get("/find")
    embedded = await client.get("/embed", params={"district": "Jashore"})

    assert "frame-ancestors 'none'" in full.headers["content-security-policy"]
    assert full.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors *" in embedded.headers["content-security-policy"]
    assert "x-frame-options" not in embedded.headers
    assert 'class="top"' not in embedded.text  # no page chrome


async def test_the_loader_and_the_service_worker(client: AsyncClient) -> None:
    loader = await client.get("/embed.js")
    worker = await client.get("/find/sw.js")

    assert loader.headers["content-type"].startswith("text/javascript")
    assert len(loader.content) < 4096
    for piece in (
        '"/embed?"',
        'loading = "lazy"',
        '"allow", "geolocation"',
        "frame.title",
        "referral-directory:height",
    ):
        assert piece in loader.text
    assert worker.headers["service-worker-allowed"] == "/find"
    assert "tile.openstreetmap.org" not in worker.text.replace("Map tiles are never cached", "")


async def test_save_data_gets_no_map(client: AsyncClient) -> None:
    plain = await client.get("/find", params={"district": "Jashore"})
    saving = await client.get("/find", params={"district": "Jashore"}, headers={"Save-Data": "on"})

    assert "data-show-map" in plain.text
    assert "data-show-map" not in saving.text


async def test_live_filters_get_the_results_alone(client: AsyncClient) -> None:
    response = await client.get("/find", params={"district": "Jashore", "fragment": "results"})

    assert response.text.lstrip().startswith('<section id="results"')
    assert "<form" not in response.text


async def test_places_for_the_picker_in_the_pages_language(client: AsyncClient) -> None:
    bangla = (await client.get("/find/places.json")).json()
    english = (await client.get("/find/places.json", params={"lang": "en"})).json()

    assert ["BD4041", "যশোর", "BD40"] in bangla["districts"]
    assert ["BD4041", "Jashore", "BD40"] in english["districts"]
    assert any(row[2] == "BD4041" for row in english["upazilas"])


async def test_static_files_are_versioned_and_cached(client: AsyncClient) -> None:
    page_html = (await client.get("/find")).text
    css = re.search(r'href="(/static/portal/portal\.css\?v=[0-9a-f]+)"', page_html)
    assert css
    response = await client.get(css.group(1))

    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    leaflet = await client.get("/static/portal/vendor/leaflet/LICENSE")
    assert "BSD 2-Clause" in leaflet.text


async def test_a_division_narrows_the_district_list_and_the_search(client: AsyncClient) -> None:
    response, parsed = await page(client, "/find", division="Khulna", lang="en")

    assert 'value="BD4041"' in response.text and 'value="BD3026"' not in response.text
    shown = parsed.hrefs("/find/services/")
    assert shown
    everywhere, _ = await page(client, "/find", lang="en")
    assert everywhere.text.count("<optgroup") == 8
