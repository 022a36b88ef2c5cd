"""Backends that return ids only (Meilisearch): list items come from PostgreSQL, with distances."""

import json

from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.service import search_service_list
from search.query import Hit, Point, SearchPage, ServiceQuery
from tests.builders import make_service


class IdsOnly:
    """A backend answering with fixed hits that carry no stored document."""

    served_by = "ids-only"
    fallback_reason: str | None = None

    def __init__(self, page: SearchPage) -> None:
        self.page = page

    async def search_services(self, query: ServiceQuery) -> SearchPage:
        return self.page


async def test_list_items_are_read_in_the_backends_order_with_distance(
    session: AsyncSession,
) -> None:
    near = await make_service(session, name="Near desk", lat=21.70, lng=92.40)
    far = await make_service(session, name="Far desk", lat=21.75, lng=92.40)
    page = SearchPage(hits=[Hit(far.id, 5.5604), Hit(near.id, 0.0)], total=7, facets={})
    query = ServiceQuery(point=Point(21.70, 92.40), radius_km=10)

    body = json.loads(await search_service_list(session, IdsOnly(page), query=query))

    assert [item["id"] for item in body["contents"]] == [str(far.id), str(near.id)]
    assert [item["distance_km"] for item in body["contents"]] == [5.56, 0.0]
    assert body["contents"][0]["name"] == "Far desk"
    assert body["total_items"] == 7
    assert "facets" not in body


async def test_a_hit_whose_service_is_gone_is_left_out(session: AsyncSession) -> None:
    kept = await make_service(session, name="Kept desk", lat=21.70, lng=92.40)
    gone = await make_service(session, name="Gone desk", lat=21.70, lng=92.40)
    await session.delete(gone)
    await session.flush()
    page = SearchPage(hits=[Hit(gone.id), Hit(kept.id)], total=2, facets={})

    body = json.loads(await search_service_list(session, IdsOnly(page), query=ServiceQuery()))

    assert [item["id"] for item in body["contents"]] == [str(kept.id)]
    assert "distance_km" not in body["contents"][0]


async def test_facet_counts_get_the_names_of_their_codes(session: AsyncSession) -> None:
    counts = {"union": {"BD40879999": 1}, "category": {"health": 2, "shelter": 2, "legal_aid": 5}}
    page = SearchPage(hits=[], total=9, facets=counts)
    query = ServiceQuery(facets=("union", "category"))

    body = json.loads(await search_service_list(session, IdsOnly(page), query=query))

    assert list(body["facets"]) == ["union", "category"]
    # a code neither the gazetteer nor the taxonomy knows is its own name, without a Bangla one
    assert body["facets"]["union"] == [{"code": "BD40879999", "name": "BD40879999", "count": 1}]
    assert body["facets"]["category"] == [
        {"code": "legal_aid", "name": "Legal aid", "name_bn": "আইনগত সহায়তা", "count": 5},
        {"code": "health", "name": "Health care", "name_bn": "স্বাস্থ্যসেবা", "count": 2},
        {"code": "shelter", "name": "Shelter", "name_bn": "আশ্রয়", "count": 2},
    ]
