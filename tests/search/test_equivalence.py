"""The same answers from both backends over the seed directory: for each of a fixed set of
searches (English, Bangla, typos, places, categories, radius, bounding box, facets, paging) the
PostgreSQL and the Meilisearch backend find the same services, the same total and the same facet
counts.

Ranking is compared as sets, not as orders: both backends rank name matches first, then exact
before typo matches, then by name, but Meilisearch also weighs word proximity and position, and
the two break ties between equal names differently (PostgreSQL by id, Meilisearch by its own
document order). For paging, each backend's pages must be disjoint and together make the set.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient

from tests.api import Json

JASHORE = {"lat": "23.1667", "lng": "89.2085"}
SATKHIRA = {"lat": "22.7185", "lng": "89.0705"}
KALAROA = {"lat": "22.8817", "lng": "89.0416"}

# (name, parameters); a name ending in "(none)" expects no match, every other at least one
QUERIES: list[tuple[str, dict[str, str]]] = [
    # English words
    ("legal aid", {"search": "legal aid"}),
    ("legal", {"search": "legal"}),
    ("hospital", {"search": "hospital"}),
    ("health", {"search": "health"}),
    ("clinic", {"search": "clinic"}),
    ("counselling", {"search": "counselling"}),
    ("shelter", {"search": "shelter"}),
    ("police", {"search": "police"}),
    ("training", {"search": "training"}),
    ("migration", {"search": "migration"}),
    ("trafficking survivors", {"search": "trafficking survivors"}),
    ("helpline", {"search": "helpline"}),
    ("diagnostic centre", {"search": "diagnostic centre"}),
    ("upazila health complex", {"search": "upazila health complex"}),
    ("CTC", {"search": "CTC"}),
    ("prefix: diag", {"search": "diag"}),
    ("phone 1098", {"search": "1098"}),
    ("nothing (none)", {"search": "zyxwvut"}),
    # Bangla
    ("আইনগত সহায়তা", {"search": "আইনগত সহায়তা"}),
    ("হাসপাতাল", {"search": "হাসপাতাল"}),
    ("ক্লিনিক", {"search": "ক্লিনিক"}),
    ("স্বাস্থ্য", {"search": "স্বাস্থ্য"}),
    ("পুলিশ", {"search": "পুলিশ"}),
    ("Bangla digits ১০৯৮", {"search": "১০৯৮"}),
    # typos
    ("hospitl", {"search": "hospitl"}),
    ("clinik", {"search": "clinik"}),
    ("councelling", {"search": "councelling"}),
    ("traficking", {"search": "traficking"}),
    ("diagnostc centre", {"search": "diagnostc centre"}),
    ("hopital jashore", {"search": "hopital jashore"}),
    ("হাসপাতল (typo, last word)", {"search": "হাসপাতল"}),
    # places by name, in the text and as filters
    ("Jashore", {"search": "Jashore"}),
    ("Jessore", {"search": "Jessore"}),
    ("সাতক্ষীরা", {"search": "সাতক্ষীরা"}),
    ("Kalaroa", {"search": "Kalaroa"}),
    ("clinic satkhira", {"search": "clinic satkhira"}),
    ("district Jashore", {"district": "Jashore"}),
    ("district Satkhira, health", {"district": "Satkhira", "category": "health"}),
    ("upazila Kalaroa", {"upazila": "Kalaroa"}),
    ("division Khulna, legal aid", {"division": "Khulna", "category": "legal_aid"}),
    # categories
    ("category legal_aid", {"category": "legal_aid"}),
    ("categories health or counselling", {"category": "health,counselling"}),
    ("category shelter", {"category": "shelter"}),
    ("free of cost", {"free_of_cost": "true"}),
    ("free legal aid", {"category": "legal_aid", "free_of_cost": "true"}),
    # radius
    ("5 km of Jashore", {**JASHORE, "radius_km": "5"}),
    ("30 km of Jashore, hospital", {**JASHORE, "radius_km": "30", "search": "hospital"}),
    ("15 km of Satkhira, clinic", {**SATKHIRA, "radius_km": "15", "search": "clinic"}),
    ("10 km of Kalaroa, health", {**KALAROA, "radius_km": "10", "category": "health"}),
    ("2 km of Jashore, by distance", {**JASHORE, "radius_km": "2", "sort": "distance"}),
    # bounding boxes
    ("bbox Jashore town", {"bbox": "89.15,23.12,89.26,23.21"}),
    ("bbox Satkhira, clinic", {"bbox": "88.95,22.60,89.20,22.85", "search": "clinic"}),
    ("bbox at sea (none)", {"bbox": "91.00,20.00,91.10,20.10"}),
    # facets
    ("health, facets", {"search": "health", "facets": "category,district,upazila"}),
    ("Satkhira, facets", {"district": "Satkhira", "facets": "upazila,free_of_cost,category"}),
    ("radius, facets", {**JASHORE, "radius_km": "20", "facets": "category,union"}),
    ("everything, facets", {"facets": "category,division,district,free_of_cost"}),
    ("legal aid, facets", {"search": "legal aid", "facets": "category,district"}),
]

# (name, parameters) searched page by page with a small page size
PAGED: list[tuple[str, dict[str, str]]] = [
    ("health by name", {"category": "health", "sort": "name"}),
    ("hospital by relevance", {"search": "hospital"}),
    ("Jashore by distance", {**JASHORE, "radius_km": "25", "sort": "distance"}),
]


@dataclass
class Answer:
    ids: set[str]
    names: dict[str, str]
    total: int
    facets: dict[str, list[Json]] | None


async def _page(http: AsyncClient, backend: str, params: dict[str, Any]) -> Json:
    response = await http.get("/services", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["X-Search-Backend"] == backend
    body: Json = response.json()
    return body


async def _answer(http: AsyncClient, backend: str, params: dict[str, str], per_page: int) -> Answer:
    """Every page of a search: the ids (pages must not overlap), the total, the facets."""
    ids: set[str] = set()
    names: dict[str, str] = {}
    first: Json | None = None
    page = 1
    while True:
        body = await _page(http, backend, {**params, "per_page": per_page, "page": page})
        first = first or body
        found = [item["id"] for item in body["contents"]]
        assert not ids & set(found), f"page {page} repeats services"
        ids |= set(found)
        names |= {item["id"]: item["name"] for item in body["contents"]}
        if body["last_page"] or not found:
            break
        page += 1
    assert len(ids) == first["total_items"]
    return Answer(ids, names, first["total_items"], first.get("facets"))


@pytest.mark.parametrize(("name", "params"), QUERIES, ids=[name for name, _ in QUERIES])
async def test_both_backends_find_the_same_services(
    clients: dict[str, AsyncClient], name: str, params: dict[str, str]
) -> None:
    postgres = await _answer(clients["postgres"], "postgres", params, per_page=100)
    meili = await _answer(clients["meilisearch"], "meilisearch", params, per_page=100)

    assert meili.ids == postgres.ids, (
        f"only PostgreSQL: {sorted(postgres.names[i] for i in postgres.ids - meili.ids)}, "
        f"only Meilisearch: {sorted(meili.names[i] for i in meili.ids - postgres.ids)}"
    )
    assert meili.total == postgres.total
    assert meili.facets == postgres.facets
    if name.endswith("(none)"):
        assert postgres.total == 0
    else:
        assert postgres.total > 0, "a query of the set must find something"


@pytest.mark.parametrize(("name", "params"), PAGED, ids=[name for name, _ in PAGED])
async def test_pages_of_both_backends_make_the_same_set(
    clients: dict[str, AsyncClient], name: str, params: dict[str, str]
) -> None:
    postgres = await _answer(clients["postgres"], "postgres", params, per_page=7)
    meili = await _answer(clients["meilisearch"], "meilisearch", params, per_page=7)

    assert postgres.total > 14, "the search must fill more than two pages"
    assert meili.ids == postgres.ids
    assert meili.total == postgres.total


def test_the_set_is_large_enough() -> None:
    assert len(QUERIES) + len(PAGED) >= 50
    assert sum(name.endswith("(none)") for name, _ in QUERIES) <= 3
