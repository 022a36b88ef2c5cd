"""Paging as the Open Referral UK validator checks it, on /services and the other lists."""

import math
from typing import Any

import pytest
from httpx import AsyncClient

from tests.api import Json, get_json

PER_PAGE = 5
ENVELOPE = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}


async def _page(client: AsyncClient, path: str, page: int, **params: Any) -> Json:
    body = await get_json(client, path, per_page=PER_PAGE, page=page, **params)
    assert body.keys() >= ENVELOPE
    return body


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/services", {}),
        ("/services", {"district": "Satkhira"}),
        ("/services", {"search": "health"}),
        ("/services", {"lat": 23.17, "lng": 89.21, "radius_km": 30}),
        ("/organizations", {}),
        ("/service_at_locations", {}),
        ("/taxonomy_terms", {}),
    ],
)
async def test_pages_are_consistent_disjoint_and_complete(
    client: AsyncClient, path: str, params: dict[str, Any]
) -> None:
    first = await _page(client, path, 1, **params)
    total = first["total_items"]
    pages = math.ceil(total / PER_PAGE)
    assert total > PER_PAGE, "the seed should fill more than one page"
    assert first["total_pages"] == pages
    assert (first["first_page"], first["last_page"], first["empty"], first["size"]) == (
        True,
        False,
        False,
        PER_PAGE,
    )

    seen: list[str] = []
    for number in range(1, pages + 1):
        body = await _page(client, path, number, **params)
        assert body["page_number"] == number
        assert body["total_items"] == total
        assert body["size"] == len(body["contents"])
        assert body["first_page"] is (number == 1)
        assert body["last_page"] is (number == pages)
        seen.extend(item["id"] for item in body["contents"])
        if 1 < number < pages:
            assert body["size"] == PER_PAGE
    last = await _page(client, path, pages, **params)
    assert last["size"] == total - PER_PAGE * (pages - 1)
    assert len(seen) == len(set(seen)) == total

    past = await _page(client, path, pages + 1, **params)
    assert past["contents"] == [] and past["empty"] is True and past["size"] == 0
    assert past["total_items"] == total and past["last_page"] is True


async def test_per_page_defaults_to_20(client: AsyncClient) -> None:
    body = (await client.get("/services")).json()

    assert body["size"] == 20
    assert body["total_pages"] == math.ceil(body["total_items"] / 20)


async def test_per_page_100_is_allowed(client: AsyncClient) -> None:
    body = (await client.get("/services", params={"per_page": 100})).json()

    assert body["size"] == min(100, body["total_items"])


async def test_an_empty_result_is_one_empty_page(client: AsyncClient) -> None:
    body = (await client.get("/services", params={"search": "zzqqxxnothingmatches"})).json()

    assert body["total_items"] == 0 and body["total_pages"] == 0
    assert body["empty"] is True and body["contents"] == []
