"""Small helpers for calling the API in tests."""

from typing import Any

from httpx import AsyncClient

Json = dict[str, Any]


async def get_json(client: AsyncClient, path: str, **params: Any) -> Json:
    """GET `path` with query parameters, expecting 200 and a JSON object."""
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


async def search(client: AsyncClient, **params: Any) -> Json:
    """One page of /services, 100 items by default."""
    return await get_json(client, "/services", **{"per_page": 100, **params})


def ids(body: Json) -> set[str]:
    """The ids of a page's contents."""
    return {item["id"] for item in body["contents"]}
