"""An unreachable Meilisearch never fails a search: PostgreSQL answers, and says so."""

import asyncio
import logging
import socket
from collections.abc import AsyncIterator

import pytest
from fastapi import Depends
from httpx import AsyncClient
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import Settings, get_settings
from app.core.db import get_engine, get_session
from app.directory import search_engine
from app.directory.routes import get_search_backend
from search.backend import SearchBackend
from search.fallback import Breaker, FallbackSearch
from search.meili import MeiliSearch, SearchUnavailable, make_search_http
from search.postgres import PostgresSearch
from search.query import ServiceQuery
from tests.api import api_client


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


UNREACHABLE = f"http://127.0.0.1:{closed_port()}"


@pytest.fixture
def breaker() -> Breaker:
    return Breaker(retry_seconds=60)


@pytest.fixture
async def meili_down_client(session: AsyncSession, breaker: Breaker) -> AsyncIterator[AsyncClient]:
    """The API configured for a Meilisearch that does not answer."""
    search_http = make_search_http(UNREACHABLE, "key", 1)

    def backend(session: AsyncSession = Depends(get_session)) -> SearchBackend:
        return FallbackSearch(
            MeiliSearch(search_http, "services"), PostgresSearch(session), breaker
        )

    async with api_client(session, overrides={get_search_backend: backend}) as http:
        yield http
    await search_http.aclose()


async def test_the_meilisearch_backend_raises_unavailable_when_nothing_answers() -> None:
    async with make_search_http(UNREACHABLE, None, 1) as search_http:
        backend = MeiliSearch(search_http, "services")
        with pytest.raises(SearchUnavailable):
            await backend.search_services(ServiceQuery(text="legal aid", sort="relevance"))


async def test_postgres_answers_and_says_so_in_headers_and_the_log(
    meili_down_client: AsyncClient,
    client: AsyncClient,
    breaker: Breaker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    params = {"search": "legal aid", "district": "Jashore", "facets": "category"}
    with caplog.at_level(logging.WARNING, logger="search"):
        response = await meili_down_client.get("/services", params=params)
    direct = await client.get("/services", params=params)

    assert response.status_code == 200
    assert response.headers["X-Search-Backend"] == "postgres"
    assert response.headers["X-Search-Fallback"] == "meilisearch-unavailable"
    assert response.json() == direct.json()
    assert response.json()["total_items"] > 0
    assert any("Meilisearch unavailable" in record.getMessage() for record in caplog.records)
    assert breaker.is_open()


async def test_while_meilisearch_is_down_searches_skip_it(
    meili_down_client: AsyncClient, breaker: Breaker
) -> None:
    breaker.trip("down")

    response = await meili_down_client.get("/services", params={"search": "health", "full": "true"})

    assert response.status_code == 200
    assert response.headers["X-Search-Fallback"] == "meilisearch-unavailable"


async def test_the_default_backend_names_itself(client: AsyncClient) -> None:
    response = await client.get("/services", params={"search": "health"})

    assert response.headers["X-Search-Backend"] == "postgres"
    assert "X-Search-Fallback" not in response.headers


def test_the_index_commands_need_a_meilisearch_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEILI_URL", raising=False)
    get_settings.cache_clear()
    try:
        for command in (["search-rebuild"], ["search-sync", "--once"]):
            result = CliRunner().invoke(cli, command)

            assert result.exit_code == 2
            assert "MEILI_URL is not set" in result.output
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_the_meilisearch_backend_needs_a_url() -> None:
    with pytest.raises(ValidationError, match="needs MEILI_URL"):
        Settings(search_backend="meilisearch", meili_url=None)

    assert Settings(search_backend="meilisearch", meili_url=UNREACHABLE).meili_index == "services"


async def test_a_configured_meilisearch_that_is_down_falls_back_through_the_settings(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        environment="test",
        secret_key="x" * 40,
        search_backend="meilisearch",
        meili_url=UNREACHABLE,
        meili_timeout_seconds=1,
    )
    monkeypatch.setattr(search_engine, "get_settings", lambda: settings)
    caches = (search_engine.meili_client, search_engine.breaker)
    for cache in caches:
        cache.cache_clear()
    await search_engine.close_meili_search_http()
    try:
        response = await client.get("/services", params={"search": "legal aid"})
    finally:
        for cache in caches:
            cache.cache_clear()
        await search_engine.close_meili_search_http()

    assert response.status_code == 200
    assert response.json()["total_items"] > 0
    assert response.headers["X-Search-Backend"] == "postgres"
    assert response.headers["X-Search-Fallback"] == "meilisearch-unavailable"


async def test_the_search_headers_are_documented(client: AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()

    headers = spec["paths"]["/services"]["get"]["responses"]["200"]["headers"]
    assert set(headers) == {"X-Search-Backend", "X-Search-Fallback"}


async def test_the_sync_worker_survives_an_unreachable_meilisearch(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(
        environment="test",
        secret_key="x" * 40,
        database_url=get_settings().database_url,
        search_backend="meilisearch",
        meili_url=UNREACHABLE,
        meili_timeout_seconds=1,
    )
    monkeypatch.setattr(search_engine, "get_settings", lambda: settings)
    search_engine.meili_client.cache_clear()
    worker = asyncio.create_task(search_engine.keep_meilisearch_in_step(0.05))
    try:
        with caplog.at_level(logging.WARNING, logger="search"):
            for _ in range(100):
                await asyncio.sleep(0.05)
                if any("sync pass failed" in r.getMessage() for r in caplog.records):
                    break
        alive = not worker.done()  # a failed pass does not end the worker
    finally:
        worker.cancel()
        search_engine.meili_client.cache_clear()
        await get_engine().dispose()

    assert alive
    assert any("sync pass failed (1 in a row)" in r.getMessage() for r in caplog.records)
