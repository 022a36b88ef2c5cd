"""`format=ndjson` is always PostgreSQL's answer: with Meilisearch configured the stream is the
same, and says so in `X-Search-Backend`, while the JSON pages come from Meilisearch."""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.ndjson import get_stream_engine
from search.meili import MeiliSearch, make_search_http
from search.postgres import PostgresSearch
from tests.api import api_client
from tests.search.conftest import MEILI_API_KEY, MEILI_URL, NO_MEILI, backend_overrides


@pytest.mark.parametrize(
    "params", [{}, {"search": "legal"}, {"near": "Kalaroa", "radius_km": 10, "minimal": "true"}]
)
async def test_ndjson_with_meilisearch_configured_is_postgres_answer(
    session: AsyncSession, engine: AsyncEngine, meili_index: str, params: dict[str, Any]
) -> None:
    assert MEILI_URL is not None, NO_MEILI
    streams = {get_stream_engine: lambda: engine}
    async with make_search_http(MEILI_URL, MEILI_API_KEY, 10) as search_http:
        meili = backend_overrides(lambda _: MeiliSearch(search_http, meili_index))
        async with (
            api_client(session, overrides={**backend_overrides(PostgresSearch), **streams}) as pg,
            api_client(session, overrides={**meili, **streams}) as ms,
        ):
            page = await ms.get("/services", params=params)
            from_pg = await pg.get("/services", params={**params, "format": "ndjson"})
            from_ms = await ms.get("/services", params={**params, "format": "ndjson"})

    assert page.headers["x-search-backend"] == "meilisearch"
    assert from_ms.status_code == from_pg.status_code == 200, from_ms.text
    assert from_ms.headers["x-search-backend"] == "postgres"
    assert from_ms.text == from_pg.text
    assert from_ms.text.count("\n") > 0
