"""The list items that both backends build outside pydantic (in SQL, in the search documents)
are exactly `ServiceListItem`: every key is one of its fields, every value reads back as it
serialises, so a key or type that drifts from the model fails here."""

from typing import Any

import pytest
from httpx import AsyncClient

from app.directory.schemas import OrganizationBrief, ServiceListItem
from tests.api import Json

# by name, by distance (the distance is spliced into the stored item), by relevance
SEARCHES: list[dict[str, str]] = [
    {"sort": "name"},
    {"lat": "23.1667", "lng": "89.2085", "radius_km": "50"},
    {"search": "hospital"},
]


def _fields(model: type[Any]) -> set[str]:
    return set(model.model_fields)


@pytest.mark.parametrize("backend", ["postgres", "meilisearch"])
@pytest.mark.parametrize("params", SEARCHES, ids=[",".join(p) for p in SEARCHES])
async def test_list_items_are_service_list_items(
    clients: dict[str, AsyncClient], backend: str, params: dict[str, str]
) -> None:
    response = await clients[backend].get("/services", params={**params, "per_page": "100"})
    assert response.status_code == 200, response.text
    assert response.headers["X-Search-Backend"] == backend
    items: list[Json] = response.json()["contents"]
    assert items, "the search finds services"
    assert ServiceListItem.model_fields["organization"].annotation is OrganizationBrief
    organization_fields = _fields(OrganizationBrief)
    for item in items:
        assert set(item) <= _fields(ServiceListItem), set(item) - _fields(ServiceListItem)
        assert set(item["organization"]) <= organization_fields
        model = ServiceListItem.model_validate(item)
        # types too: what pydantic reads, it writes back the same (as the API would serialise it)
        assert model.model_dump(mode="json", exclude_none=True) == item
    if "lat" in params:
        assert all("distance_km" in item for item in items)
