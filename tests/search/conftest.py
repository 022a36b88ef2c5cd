"""The Meilisearch of the test run (`make test` starts the project-local one and sets `MEILI_URL`
and `MEILI_API_KEY`), the committed test directory built into an index of it, and the API's
search backend replaced by either backend."""

import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from fastapi import Depends
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.db import get_session
from app.directory.routes import get_search_backend
from search.backend import SearchBackend
from search.meili import MeiliSearch, index_settings, make_client, make_search_http, server_version
from search.postgres import PostgresSearch
from search.sync import rebuild, task_waiter
from tests.api import api_client

MEILI_URL = os.environ.get("MEILI_URL")
MEILI_API_KEY = os.environ.get("MEILI_API_KEY")
NO_MEILI = (
    "MEILI_URL is not set: the behaviour suite runs on both backends; `make test` starts the "
    "project-local Meilisearch (scripts/meili.sh) and sets MEILI_URL and MEILI_API_KEY"
)


@pytest.fixture(scope="session")
async def meili_index(engine: AsyncEngine) -> AsyncIterator[str]:
    """The committed test directory built into a fresh Meilisearch index (once)."""
    assert MEILI_URL is not None, NO_MEILI
    client = make_client(MEILI_URL, MEILI_API_KEY, 10)
    uid = f"services_test_{os.getpid()}"
    settings = index_settings(server_version(client))
    async with engine.connect() as connection:
        await rebuild(connection, client, uid, settings)
    yield uid
    task_waiter(client)(client.delete_index(uid))


def backend_overrides(backend: Callable[[AsyncSession], SearchBackend]) -> dict[Any, Any]:
    """The API's search backend replaced by `backend` (over the request's session)."""

    def configured(session: AsyncSession = Depends(get_session)) -> SearchBackend:
        return backend(session)

    return {get_search_backend: configured}


@pytest.fixture
async def clients(session: AsyncSession, meili_index: str) -> AsyncIterator[dict[str, AsyncClient]]:
    """The API over each backend, in this test's (rolled back, unchanged) transaction."""
    assert MEILI_URL is not None, NO_MEILI
    async with make_search_http(MEILI_URL, MEILI_API_KEY, 10) as search_http:
        meilisearch = backend_overrides(lambda _: MeiliSearch(search_http, meili_index))
        async with (
            api_client(session, overrides=backend_overrides(PostgresSearch)) as postgres,
            api_client(session, overrides=meilisearch) as meili,
        ):
            yield {"postgres": postgres, "meilisearch": meili}
