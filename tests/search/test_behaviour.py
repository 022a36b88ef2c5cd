"""One behaviour suite for every search backend, through the API.

It runs on PostgreSQL and on Meilisearch, always: `make test` starts the project-local
Meilisearch and sets `MEILI_URL` and `MEILI_API_KEY`. The committed test directory is built into a
fresh index once, each test pushes its own changes through the outbox worker, and puts the
touched services back as committed afterwards.

Test services sit around Alikadam, Bandarban, where no seed service lies within 30 km, and carry
made-up words (quorvex, trelliumax) no seed text contains.
"""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.directory.models import Location, Phone, Service, ServiceAtLocation
from app.gazetteer.models import AdminArea, AdminAreaName
from search.meili import MeiliSearch, make_client, make_search_http
from search.models import SearchOutbox
from search.postgres import PostgresSearch
from search.refresh import refresh
from search.sync import apply_changes, drain_once, load_sources, task_waiter
from tests.api import Json, api_client, facet_counts
from tests.builders import make_organization, make_service
from tests.geo import offset_north
from tests.search.conftest import MEILI_API_KEY, MEILI_URL, NO_MEILI, backend_overrides

ORIGIN = (21.70, 92.40)  # Alikadam, Bandarban
JASHORE = (23.1667, 89.2085)


@dataclass
class Backend:
    """The API over one backend, and how to make this test's changes visible to it."""

    name: str
    http: AsyncClient
    sync: Callable[[], Awaitable[None]]

    async def search(self, **params: Any) -> Json:
        await self.sync()
        response = await self.http.get("/services", params={"per_page": 100, **params})
        assert response.status_code == 200, response.text
        assert response.headers["X-Search-Backend"] == self.name
        body: Json = response.json()
        return body

    async def ids(self, **params: Any) -> set[str]:
        return {item["id"] for item in (await self.search(**params))["contents"]}


@pytest.fixture(params=["postgres", "meilisearch"])
async def backend(
    request: pytest.FixtureRequest, session: AsyncSession, engine: AsyncEngine, meili_index: str
) -> AsyncIterator[Backend]:
    if request.param == "postgres":

        async def nothing() -> None:
            return None

        async with api_client(session, overrides=backend_overrides(PostgresSearch)) as http:
            yield Backend("postgres", http, nothing)
        return

    assert MEILI_URL is not None, NO_MEILI
    uid = meili_index
    client = make_client(MEILI_URL, MEILI_API_KEY, 10)
    index, wait = client.index(uid), task_waiter(client)
    # only this test's changes go to the index: the seed's queue was applied by the build
    await session.execute(delete(SearchOutbox))
    touched: set[uuid.UUID] = set()

    async def sync() -> None:
        touched.update((await session.execute(select(SearchOutbox.service_id))).scalars())
        while await drain_once(session, index, wait):
            pass

    search_http = make_search_http(MEILI_URL, MEILI_API_KEY, 10)
    meili = backend_overrides(lambda _: MeiliSearch(search_http, uid))
    async with api_client(session, overrides=meili) as http:
        yield Backend("meilisearch", http, sync)
    await search_http.aclose()
    # put the touched services back as committed (this test's transaction is rolled back)
    async with AsyncSession(engine) as committed:
        sources = await load_sources(committed, list(touched))
    apply_changes(index, sources, list(touched), wait)


async def place(session: AsyncSession, service: Service) -> Location:
    """The (first) location of a test service."""
    stmt = (
        select(Location)
        .join(ServiceAtLocation, ServiceAtLocation.location_id == Location.id)
        .where(ServiceAtLocation.service_id == service.id)
    )
    return (await session.execute(stmt)).scalars().first() or pytest.fail("no location")


async def rename(session: AsyncSession, service: Service, name: str) -> None:
    await session.execute(update(Service).where(Service.id == service.id).values(name=name))
    await refresh(session, [service.id])


NEAR = {"lat": ORIGIN[0], "lng": ORIGIN[1], "radius_km": 20}


# --- words ----------------------------------------------------------------------------------


async def test_english_typos_by_word_length(backend: Backend, session: AsyncSession) -> None:
    found = await make_service(
        session, name="Quorvex Trelliumax counselling", lat=ORIGIN[0], lng=ORIGIN[1]
    )
    short = await make_service(session, name="Kavo shelter", lat=ORIGIN[0], lng=ORIGIN[1] + 0.01)

    assert str(found.id) in await backend.ids(search="quarvex", **NEAR)  # 7 letters, 1 typo
    assert str(found.id) in await backend.ids(search="trallumax", **NEAR)  # 10 letters, 2 typos
    assert str(found.id) in await backend.ids(search="counseling quorvex", **NEAR)
    assert str(found.id) not in await backend.ids(search="qaarvex", **NEAR)  # 7 letters, 2 typos
    assert str(short.id) not in await backend.ids(search="kavu shelter", **NEAR)  # 4 letters


async def test_bangla_typos(backend: Backend, session: AsyncSession) -> None:
    hospital = await make_service(
        session, name="Quorvex hospital", name_bn="কোরভেক্স হাসপাতাল", lat=ORIGIN[0], lng=ORIGIN[1]
    )

    # হাসপাতাল less one vowel sign: 7 characters, one typo
    assert str(hospital.id) in await backend.ids(search="হাসপাতল", **NEAR)
    assert str(hospital.id) in await backend.ids(search="কোরভেক্স হাসপাতল", **NEAR)


async def test_a_typo_on_the_last_word_still_finds_the_words_it_begins(
    backend: Backend, session: AsyncSession
) -> None:
    hospital = await make_service(
        session, name="Quorvex hospital", name_bn="কোরভেক্স হাসপাতাল", lat=ORIGIN[0], lng=ORIGIN[1]
    )
    at_hospital = await make_service(
        session,
        name="Quorvex ward",
        name_bn="কোরভেক্স হাসপাতালে সেবা",
        lat=ORIGIN[0],
        lng=ORIGIN[1] + 0.01,
    )
    desk = await make_service(
        session, name="Trelliumaxing desk", lat=ORIGIN[0], lng=ORIGIN[1] + 0.02
    )
    both = {str(hospital.id), str(at_hospital.id)}

    assert both <= await backend.ids(search="হাসপাতাল", **NEAR)
    assert both <= await backend.ids(search="হাসপাতল", **NEAR)  # one vowel sign missing
    assert both <= await backend.ids(search="কোরভেক্স হাসপাতল", **NEAR)
    # nine letters allow two typos: one missing, and the word goes on
    assert str(desk.id) in await backend.ids(search="trellumax", **NEAR)
    # a word before the last stays whole: its typos find whole words only
    assert str(desk.id) not in await backend.ids(search="trellumax desk", **NEAR)


async def test_the_last_word_is_a_prefix_and_the_others_are_whole(
    backend: Backend, session: AsyncSession
) -> None:
    service = await make_service(
        session, name="Quorvex Trelliumax desk", lat=ORIGIN[0], lng=ORIGIN[1]
    )

    assert str(service.id) in await backend.ids(search="quorvex trel", **NEAR)
    assert str(service.id) in await backend.ids(search="trelliumax quo", **NEAR)
    assert str(service.id) not in await backend.ids(search="quor trelliumax", **NEAR)


async def test_every_word_must_match_in_any_order(backend: Backend, session: AsyncSession) -> None:
    both = await make_service(session, name="Quorvex Trelliumax desk", lat=ORIGIN[0], lng=ORIGIN[1])
    one = await make_service(session, name="Quorvex desk", lat=ORIGIN[0], lng=ORIGIN[1] + 0.01)

    assert await backend.ids(search="trelliumax quorvex", **NEAR) == {str(both.id)}
    assert await backend.ids(search="quorvex desk", **NEAR) == {str(both.id), str(one.id)}


async def test_name_matches_rank_first_then_exact_matches(
    backend: Backend, session: AsyncSession
) -> None:
    described = await make_service(
        session, name="Riverside desk", description="quorvex help", lat=ORIGIN[0], lng=ORIGIN[1]
    )
    named = await make_service(
        session, name="Zulu quorvex desk", lat=ORIGIN[0], lng=ORIGIN[1] + 0.01
    )
    typo = await make_service(
        session, name="Alpha quarvex desk", lat=ORIGIN[0], lng=ORIGIN[1] + 0.02
    )

    body = await backend.search(search="quorvex", **NEAR)

    order = [item["id"] for item in body["contents"]]
    assert order == [str(named.id), str(typo.id), str(described.id)]


# --- normalisation --------------------------------------------------------------------------


async def test_joiners_decomposed_characters_and_digits_are_normalised(
    backend: Backend, session: AsyncSession
) -> None:
    # stored with a zero-width non-joiner and a decomposed য় (য + nukta)
    service = await make_service(
        session,
        name="Quorvex shelter",
        name_bn="কোর\u200cভেক্স আশ্রযু়কেন্দ্র ৭৭",
        lat=ORIGIN[0],
        lng=ORIGIN[1],
    )
    queries = ["কোরভেক্স", "কোর\u200dভেক্স", "আশ্রযু়কেন্দ্র", "quorvex 77", "quorvex ৭৭", "QUORVEX"]

    for query in queries:
        assert str(service.id) in await backend.ids(search=query, **NEAR), query


async def test_phone_numbers_find_their_service_in_either_script(
    backend: Backend, session: AsyncSession
) -> None:
    child_helpline = (
        await session.execute(select(Phone.service_id).where(Phone.number == "1098"))
    ).scalar_one()

    assert str(child_helpline) in await backend.ids(search="1098")
    assert str(child_helpline) in await backend.ids(search="১০৯৮")


# --- places and synonyms --------------------------------------------------------------------


async def test_every_spelling_of_a_place_finds_services_there(
    backend: Backend, session: AsyncSession
) -> None:
    service = await make_service(session, name="Quorvex legal desk", lat=JASHORE[0], lng=JASHORE[1])

    # district, upazila and division, in English, Bangla and older spellings
    for spelling in ("Jashore", "Jessore", "যশোর", "jessore sadar", "Khulna", "খুলনা"):
        assert str(service.id) in await backend.ids(search=f"quorvex {spelling}"), spelling
    assert str(service.id) not in await backend.ids(search="quorvex chattogram")


async def test_services_are_found_by_the_places_they_serve(
    backend: Backend, session: AsyncSession
) -> None:
    # a service area of one upazila (Kalaroa, Satkhira): its name, district and division
    kalaroa = (
        (
            await session.execute(
                select(AdminAreaName.pcode)
                .where(AdminAreaName.name_key == "kalaroa", AdminArea.level == "upazila")
                .join(AdminArea, AdminArea.pcode == AdminAreaName.pcode)
            )
        )
        .scalars()
        .first()
    )
    assert kalaroa is not None
    service = await make_service(session, name="Quorvex outreach", area_pcodes=(kalaroa,))

    for place in ("Kalaroa", "Satkhira", "সাতক্ষীরা", "Khulna"):
        assert str(service.id) in await backend.ids(search=f"quorvex {place}"), place
    assert str(service.id) not in await backend.ids(search="quorvex Jashore")


async def test_everyday_words_find_their_category(backend: Backend, session: AsyncSession) -> None:
    service = await make_service(
        session, name="Quorvex desk", categories=("legal_aid",), lat=ORIGIN[0], lng=ORIGIN[1]
    )

    for word in ("lawyer", "advocate", "আইনজীবী", "legal aid"):
        assert str(service.id) in await backend.ids(search=f"quorvex {word}", **NEAR), word
    assert str(service.id) not in await backend.ids(search="quorvex doctor", **NEAR)


# --- geo and admin areas --------------------------------------------------------------------


async def test_radius_boundaries(backend: Backend, session: AsyncSession) -> None:
    inside = await make_service(
        session, name="Inside desk", lat=offset_north(*ORIGIN, 0.99)[0], lng=ORIGIN[1]
    )
    outside = await make_service(
        session, name="Outside desk", lat=offset_north(*ORIGIN, 1.01)[0], lng=ORIGIN[1]
    )

    body = await backend.search(lat=ORIGIN[0], lng=ORIGIN[1], radius_km=1)

    assert [item["id"] for item in body["contents"]] == [str(inside.id)]
    assert body["contents"][0]["distance_km"] == pytest.approx(0.99, abs=0.002)
    assert str(outside.id) in await backend.ids(lat=ORIGIN[0], lng=ORIGIN[1], radius_km=1.02)


async def test_distance_sort_uses_the_nearest_location(
    backend: Backend, session: AsyncSession
) -> None:
    far = await make_service(
        session, name="Far quorvex desk", lat=offset_north(*ORIGIN, 5)[0], lng=ORIGIN[1]
    )
    near = await make_service(
        session, name="Near desk", lat=offset_north(*ORIGIN, 2)[0], lng=ORIGIN[1]
    )
    # a second site of the far service, closest of all
    site = Location(
        id=uuid.uuid4(),
        organization_id=far.organization_id,
        name="Far desk annex",
        latitude=offset_north(*ORIGIN, 1)[0],
        longitude=ORIGIN[1],
        data_source="test",
    )
    session.add(site)
    await session.flush()
    session.add(ServiceAtLocation(id=uuid.uuid4(), service_id=far.id, location_id=site.id))
    await session.flush()
    await refresh(session, [far.id])

    body = await backend.search(
        lat=ORIGIN[0], lng=ORIGIN[1], radius_km=10, sort="distance", facets="category"
    )

    assert [item["id"] for item in body["contents"]] == [str(far.id), str(near.id)]
    assert [item["distance_km"] for item in body["contents"]] == [
        pytest.approx(1.0, abs=0.002),
        pytest.approx(2.0, abs=0.002),
    ]
    # a service at two places found by both is counted once, in the total and in the facets,
    # near a point and by its words anywhere (Meilisearch counts these two ways apart)
    assert body["total_items"] == 2
    assert facet_counts(body, "category") == {"health": 2}
    by_words = await backend.search(search="quorvex", facets="category")
    assert [item["id"] for item in by_words["contents"]] == [str(far.id)]
    assert by_words["total_items"] == 1
    assert facet_counts(by_words, "category") == {"health": 1}


async def test_bbox(backend: Backend, session: AsyncSession) -> None:
    inside = await make_service(session, name="Boxed desk", lat=ORIGIN[0], lng=ORIGIN[1])
    outside = await make_service(session, name="Unboxed desk", lat=ORIGIN[0] + 0.05, lng=ORIGIN[1])
    bbox = f"{ORIGIN[1] - 0.01},{ORIGIN[0] - 0.01},{ORIGIN[1] + 0.01},{ORIGIN[0] + 0.01}"

    found = await backend.ids(bbox=bbox)

    assert str(inside.id) in found
    assert str(outside.id) not in found


async def test_admin_areas(backend: Backend, session: AsyncSession) -> None:
    service = await make_service(session, name="Quorvex union desk", lat=ORIGIN[0], lng=ORIGIN[1])
    location = await place(session, service)

    for level in ("division", "district", "upazila", "union"):
        pcode = getattr(location, f"{level}_pcode")
        assert str(service.id) in await backend.ids(search="quorvex", **{level: pcode}), level
    assert str(service.id) not in await backend.ids(search="quorvex", district="Jashore")


# --- facets and paging ----------------------------------------------------------------------


async def test_facets_or_within_and_across_without_zero_counts(
    backend: Backend, session: AsyncSession
) -> None:
    await make_service(
        session,
        name="Quorvex clinic",
        categories=("health",),
        free_of_cost=True,
        lat=ORIGIN[0],
        lng=ORIGIN[1],
    )
    await make_service(
        session,
        name="Quorvex lawyer",
        categories=("legal_aid",),
        free_of_cost=False,
        lat=ORIGIN[0],
        lng=ORIGIN[1] + 0.01,
    )
    await make_service(
        session,
        name="Quorvex shelter",
        categories=("shelter", "health"),
        lat=ORIGIN[0],
        lng=ORIGIN[1] + 0.02,
    )

    everything = await backend.search(search="quorvex", facets="category,free_of_cost", **NEAR)
    either = await backend.search(
        search="quorvex", category="legal_aid,shelter", facets="category", **NEAR
    )
    both = await backend.search(
        search="quorvex", category="health", free_of_cost="true", facets="category", **NEAR
    )

    assert everything["total_items"] == 3
    assert facet_counts(everything, "category") == {"health": 2, "legal_aid": 1, "shelter": 1}
    assert facet_counts(everything, "free_of_cost") == {"false": 2, "true": 1}
    assert either["total_items"] == 2
    assert facet_counts(either, "category") == {"health": 1, "legal_aid": 1, "shelter": 1}
    assert both["total_items"] == 1
    assert facet_counts(both, "category") == {"health": 1}


async def test_facet_values_carry_their_code_and_english_and_bangla_names(
    backend: Backend, session: AsyncSession
) -> None:
    await make_service(
        session,
        name="Quorvex legal desk",
        categories=("legal_aid",),
        free_of_cost=True,
        lat=JASHORE[0],
        lng=JASHORE[1],
    )
    await make_service(
        session,
        name="Quorvex legal clinic",
        categories=("legal_aid", "health"),
        free_of_cost=False,
        lat=JASHORE[0],
        lng=JASHORE[1] + 0.005,
    )

    body = await backend.search(
        search="quorvex",
        lat=JASHORE[0],
        lng=JASHORE[1],
        radius_km=5,
        facets="district,category,free_of_cost",
    )

    assert body["total_items"] == 2
    assert body["facets"]["district"] == [
        {"code": "BD4041", "name": "Jashore", "name_bn": "যশোর", "count": 2}
    ]
    assert body["facets"]["category"] == [
        {"code": "legal_aid", "name": "Legal aid", "name_bn": "আইনগত সহায়তা", "count": 2},
        {"code": "health", "name": "Health care", "name_bn": "স্বাস্থ্যসেবা", "count": 1},
    ]
    assert body["facets"]["free_of_cost"] == [
        {"code": "false", "name": "Not free", "name_bn": "বিনামূল্যে নয়", "count": 1},
        {"code": "true", "name": "Free of cost", "name_bn": "বিনামূল্যে", "count": 1},
    ]


async def test_facets_are_the_same_on_every_page_and_past_the_end(
    backend: Backend, session: AsyncSession
) -> None:
    for i, categories in enumerate((("health",), ("health", "shelter"), ("legal_aid",))):
        await make_service(
            session,
            name=f"Quorvex post {i}",
            categories=categories,
            lat=ORIGIN[0],
            lng=ORIGIN[1] + i / 100,
        )

    pages = [
        await backend.search(search="quorvex", facets="category", page=n, per_page=2, **NEAR)
        for n in (1, 2, 3)
    ]

    assert [len(page["contents"]) for page in pages] == [2, 1, 0]
    assert [page["total_items"] for page in pages] == [3, 3, 3]
    expected = {"health": 2, "legal_aid": 1, "shelter": 1}
    assert [facet_counts(page, "category") for page in pages] == [expected] * 3


async def test_an_unknown_facet_is_a_422(backend: Backend) -> None:
    response = await backend.http.get("/services", params={"facets": "category,colour"})

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_pages_are_disjoint_and_totals_stable(
    backend: Backend, session: AsyncSession
) -> None:
    made = {
        str(
            (
                await make_service(
                    session, name=f"Quorvex desk {i}", lat=ORIGIN[0], lng=ORIGIN[1] + i / 100
                )
            ).id
        )
        for i in range(5)
    }

    pages = [await backend.search(search="quorvex", page=n, per_page=2, **NEAR) for n in (1, 2, 3)]

    seen = [item["id"] for page in pages for item in page["contents"]]
    assert [len(page["contents"]) for page in pages] == [2, 2, 1]
    assert len(seen) == len(set(seen)) == 5
    assert set(seen) == made
    assert {page["total_items"] for page in pages} == {5}


# --- keeping in step ------------------------------------------------------------------------


async def test_creations_updates_and_deletions_show_in_search(
    backend: Backend, session: AsyncSession
) -> None:
    owner = await make_organization(session, name="Renaming test provider")
    service = await make_service(
        session, name="Quorvex pop-up desk", organization=owner, lat=ORIGIN[0], lng=ORIGIN[1]
    )
    assert str(service.id) in await backend.ids(search="quorvex pop-up", **NEAR)

    await rename(session, service, "Trelliumax pop-up desk")
    assert str(service.id) not in await backend.ids(search="quorvex", **NEAR)
    assert str(service.id) in await backend.ids(search="trelliumax", **NEAR)

    await session.execute(update(Service).where(Service.id == service.id).values(status="inactive"))
    await refresh(session, [service.id])
    assert str(service.id) not in await backend.ids(search="trelliumax", **NEAR)

    await session.execute(delete(Service).where(Service.id == service.id))
    await refresh(session, [service.id])
    assert await backend.ids(search="trelliumax", **NEAR) == set()


# --- what activists type, on the seed directory ---------------------------------------------


async def test_the_examples_of_the_field_find_the_right_providers(
    backend: Backend, session: AsyncSession
) -> None:
    legal_aid_jashore = (
        await session.execute(
            select(Service.id).where(Service.slug == "district-legal-aid-office-jashore--legal-aid")
        )
    ).scalar_one()

    for query in ("Jessore lawyer", "যশোর আইনজীবী", "jashore advocate", "legal aid jessore"):
        assert str(legal_aid_jashore) in await backend.ids(search=query), query
    hospitals = await backend.search(search="হাসপাতল", district="Jashore")
    assert hospitals["total_items"] > 0
    assert all(
        "health" in {c["code"] for c in item["categories"]} for item in hospitals["contents"]
    )
