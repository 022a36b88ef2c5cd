"""`format=ndjson` through the streaming helper: every record exactly once across many cursor
batches (the batch size made small), the same records and items as a walk of the JSON pages."""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core import ndjson
from app.core.ndjson import get_stream_engine
from app.directory.models import Location, Service, ServiceAtLocation
from search.query import VISIBLE_STATUSES
from search.refresh import refresh
from tests.api import Json, api_client
from tests.builders import make_service

SMALL_BATCH = 7


@pytest.fixture
async def streaming(
    session: AsyncSession, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[AsyncClient]:
    """The API whose streams read the test database through the test engine, in batches of
    `SMALL_BATCH` rows."""
    monkeypatch.setattr(ndjson, "BATCH_SIZE", SMALL_BATCH)
    async with api_client(session, overrides={get_stream_engine: lambda: engine}) as http:
        yield http


def lines(response: Response) -> list[Json]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert response.headers["x-search-backend"] == "postgres"
    assert response.text == "" or response.text.endswith("\n")
    return [json.loads(line) for line in response.text.splitlines()]


async def json_walk(client: AsyncClient, path: str = "/services", **params: Any) -> list[Json]:
    """Every item of the JSON list, page after page."""
    items: list[Json] = []
    page = 1
    while True:
        response = await client.get(path, params={**params, "page": page, "per_page": 50})
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["contents"])
        if body["last_page"]:
            return items
        page += 1


async def test_every_service_once_across_many_batches(streaming: AsyncClient) -> None:
    streamed = lines(await streaming.get("/services", params={"format": "ndjson"}))
    paged = await json_walk(streaming)

    ids = [item["id"] for item in streamed]
    assert len(ids) > 3 * SMALL_BATCH
    assert len(ids) == len(set(ids))
    assert {item["id"]: item for item in streamed} == {item["id"]: item for item in paged}


@pytest.mark.parametrize(
    "params",
    [
        {"category": "legal_aid"},
        {"near": "Kalaroa", "radius_km": 5},
        {"search": "health"},
        {"district": "Satkhira", "free_of_cost": "true"},
        {"modified_after": "2000-01-01T00:00:00Z"},
        {"modified_after": "2100-01-01T00:00:00Z"},
    ],
)
async def test_the_filters_of_the_json_list_apply(
    streaming: AsyncClient, params: dict[str, Any]
) -> None:
    streamed = lines(await streaming.get("/services", params={**params, "format": "ndjson"}))
    paged = await json_walk(streaming, **params)

    assert sorted(item["id"] for item in streamed) == sorted(item["id"] for item in paged)
    assert {item["id"]: item for item in streamed} == {item["id"]: item for item in paged}


async def test_inactive_services_are_left_out(
    streaming: AsyncClient, session: AsyncSession
) -> None:
    statuses = dict((await session.execute(select(Service.id, Service.status))).tuples().all())
    streamed = {item["id"] for item in lines(await streaming.get("/services?format=ndjson"))}

    visible = {str(sid) for sid, status in statuses.items() if status in VISIBLE_STATUSES}
    assert streamed == visible


async def test_minimal_stream(streaming: AsyncClient) -> None:
    minimal = lines(await streaming.get("/services", params={"format": "ndjson", "minimal": "1"}))
    full = lines(await streaming.get("/services", params={"format": "ndjson"}))

    assert all(set(item) == {"id", "modified_date"} for item in minimal)
    assert [item["id"] for item in minimal] == [item["id"] for item in full]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": 2}, "page"),
        ({"per_page": 10}, "per_page"),
        ({"facets": "category"}, "facets"),
        ({"sort": "name"}, "sort"),
    ],
)
async def test_paging_parameters_with_ndjson_are_422(
    streaming: AsyncClient, params: dict[str, Any], field: str
) -> None:
    response = await streaming.get("/services", params={**params, "format": "ndjson"})

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"].startswith(f"{field}: ")


async def test_an_unknown_format_lists_the_allowed_ones(streaming: AsyncClient) -> None:
    response = await streaming.get("/services", params={"format": "csv"})

    assert response.status_code == 422, response.text
    assert "json" in response.text and "ndjson" in response.text


async def test_bad_filters_are_refused_before_the_stream(streaming: AsyncClient) -> None:
    response = await streaming.get("/services", params={"format": "ndjson", "near": "Nowhere-x"})

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/organizations", {}),
        ("/organizations", {"full_service": "true"}),
        ("/service_at_locations", {}),
        ("/service_at_locations", {"near": "Kalaroa", "radius_km": 10}),
        ("/taxonomies", {}),
        ("/taxonomy_terms", {}),
        ("/taxonomy_terms", {"search": "legal"}),
    ],
)
async def test_the_other_lists_stream_what_their_pages_hold(
    streaming: AsyncClient, path: str, params: dict[str, Any]
) -> None:
    """Their items are built by the code of their pages, so confidential locations are left out
    or redacted alike; each record comes once although the batches are small."""
    streamed = lines(await streaming.get(path, params={**params, "format": "ndjson"}))
    paged = await json_walk(streaming, path, **params)

    ids = [item["id"] for item in streamed]
    assert len(ids) == len(set(ids)) == len(paged)
    assert {item["id"]: item for item in streamed} == {item["id"]: item for item in paged}


@pytest.fixture
async def hidden_and_inactive(engine: AsyncEngine) -> AsyncIterator[tuple[Service, Service]]:
    """Committed (a stream reads its own snapshot): an active service at a confidential
    location and an inactive one, removed afterwards."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        sheltered = await make_service(session, name="Stream test shelter", lat=22.7, lng=89.07)
        location = (
            await session.execute(
                select(Location)
                .join(ServiceAtLocation)
                .where(ServiceAtLocation.service_id == sheltered.id)
            )
        ).scalar_one()
        location.confidential = True
        closed = await make_service(session, name="Stream test closed", lat=22.71, lng=89.08)
        closed.status = "inactive"
        await session.flush()
        await refresh(session, [sheltered.id, closed.id])
        await session.commit()
    try:
        yield sheltered, closed
    finally:
        async with engine.begin() as connection:
            services = [sheltered.id, closed.id]
            orgs = [sheltered.organization_id, closed.organization_id]
            for table in ("service_search", "service_search_text", "search_outbox"):
                await connection.execute(
                    text(f"DELETE FROM {table} WHERE service_id = ANY(:s)"), {"s": services}
                )
            await connection.execute(
                text("DELETE FROM attribute WHERE link_id = ANY(:s)"), {"s": services}
            )
            await connection.execute(
                text("DELETE FROM service_at_location WHERE service_id = ANY(:s)"), {"s": services}
            )
            await connection.execute(
                text("DELETE FROM service WHERE id = ANY(:s)"), {"s": services}
            )
            await connection.execute(
                text("DELETE FROM location WHERE organization_id = ANY(:o)"), {"o": orgs}
            )
            await connection.execute(
                text("DELETE FROM organization WHERE id = ANY(:o)"), {"o": orgs}
            )


async def test_confidential_and_inactive_are_kept_out_like_the_pages(
    streaming: AsyncClient, hidden_and_inactive: tuple[Service, Service]
) -> None:
    sheltered, closed = hidden_and_inactive
    services = lines(await streaming.get("/services", params={"format": "ndjson"}))
    sals = lines(await streaming.get("/service_at_locations", params={"format": "ndjson"}))
    near = lines(
        await streaming.get(
            "/service_at_locations", params={"format": "ndjson", "lat": 22.7, "lng": 89.07}
        )
    )

    by_id = {item["id"]: item for item in services}
    assert str(closed.id) not in by_id
    assert str(sheltered.id) in by_id
    assert "22.7" not in json.dumps(by_id[str(sheltered.id)])
    assert {item["service"]["id"] for item in sals} >= {str(sheltered.id)}
    assert str(closed.id) not in {item["service"]["id"] for item in sals}
    for item in sals:
        if item["service"]["id"] == str(sheltered.id):
            assert item["location"]["confidential"] is True
            assert "latitude" not in item["location"]
    assert str(sheltered.id) not in {item["service"]["id"] for item in near}
    assert await json_walk(streaming, "/service_at_locations") == sals
