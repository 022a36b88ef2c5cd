"""Small helpers for calling the API in tests."""

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import get_session
from app.core.transaction import current_transaction
from app.main import create_app
from tests.statuses import recording

Json = dict[str, Any]


@asynccontextmanager
async def api_client(
    session: AsyncSession,
    *,
    app: FastAPI | None = None,
    address: tuple[str, int] = ("127.0.0.1", 123),
    overrides: Mapping[Callable[..., Any], Callable[..., Any]] | None = None,
) -> AsyncIterator[AsyncClient]:
    """An HTTP client from `address` over `app` (a new one by default), whose requests share the
    test's session and transaction (their commits become savepoints); `overrides` replace other
    dependencies."""
    app = app or create_app()

    async def test_session() -> AsyncSession:
        # the request commits and rolls back the test's session as it would its own
        await current_transaction().use(session)
        return session

    app.dependency_overrides[get_session] = test_session
    app.dependency_overrides.update(overrides or {})
    transport = ASGITransport(app=recording(app), client=address, raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


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


def facet_counts(body: Json, facet: str) -> dict[str, int]:
    """A facet of a page as {code: count}, after checking that its values come in the
    documented order (most counted first, then by code) and each carries a name."""
    values = body["facets"][facet]
    assert values == sorted(values, key=lambda value: (-value["count"], value["code"]))
    assert all(value["name"] for value in values)
    return {value["code"]: value["count"] for value in values}
