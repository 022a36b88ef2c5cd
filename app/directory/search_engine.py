"""The configured search backend, and the search worker wired to the application's settings,
database and Meilisearch client (the worker itself is `search.worker`).

With `SEARCH_BACKEND=meilisearch` a search goes to Meilisearch and, when Meilisearch cannot
answer, to PostgreSQL (`X-Search-Backend: postgres`, `X-Search-Fallback` and a log line). The
API's lifespan starts `keep_meilisearch_in_step`: it applies the index settings, builds the index
when it is empty, and then applies the search outbox every `SEARCH_SYNC_INTERVAL_SECONDS`.
"""

import asyncio
import weakref
from functools import lru_cache

import httpx
from meilisearch import Client
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.db import get_engine, get_sessionmaker
from search import worker
from search.backend import SearchBackend
from search.fallback import Breaker, FallbackSearch
from search.meili import MeiliSearch, make_client, make_search_http
from search.postgres import PostgresSearch


@lru_cache
def meili_client() -> Client:
    """The process's Meilisearch client (settings must name `MEILI_URL`)."""
    settings = get_settings()
    assert settings.meili_url is not None
    return make_client(settings.meili_url, settings.meili_api_key, settings.meili_timeout_seconds)


# one kept-alive HTTP client per event loop (its connections belong to the loop that opened
# them), made anew when the settings it was made from change
SearchHttpKey = tuple[str, str | None, int]
SearchHttps = weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, tuple[SearchHttpKey, httpx.AsyncClient]
]
_search_http: SearchHttps = weakref.WeakKeyDictionary()


def meili_search_http() -> httpx.AsyncClient:
    """The process's HTTP client for searches (settings must name `MEILI_URL`)."""
    settings = get_settings()
    assert settings.meili_url is not None
    key = (settings.meili_url, settings.meili_api_key, settings.meili_timeout_seconds)
    loop = asyncio.get_running_loop()
    cached = _search_http.get(loop)
    if cached is not None and cached[0] == key and not cached[1].is_closed:
        return cached[1]
    http = make_search_http(*key)
    _search_http[loop] = (key, http)
    return http


async def close_meili_search_http() -> None:
    """Closes this loop's search client (at shutdown, or when the settings change)."""
    cached = _search_http.pop(asyncio.get_running_loop(), None)
    if cached is not None:
        await cached[1].aclose()


@lru_cache
def breaker() -> Breaker:
    """The process's record of Meilisearch failures."""
    return Breaker(retry_seconds=get_settings().meili_retry_seconds)


def search_backend(session: AsyncSession) -> SearchBackend:
    """The backend that answers this request's searches."""
    postgres = PostgresSearch(session)
    settings = get_settings()
    if settings.search_backend != "meilisearch":
        return postgres
    search = MeiliSearch(meili_search_http(), settings.meili_index)
    return FallbackSearch(search, postgres, breaker())


async def sync_pending(client: Client, uid: str) -> int:
    """Applies the queued changes until none is left; the number applied."""
    return await worker.sync_pending(get_sessionmaker(), client, uid)


async def keep_meilisearch_in_step(interval_seconds: float) -> None:
    """Started by the API: the worker (`search.worker.keep_meilisearch_in_step`) on the
    configured database and Meilisearch index."""
    settings = get_settings()
    await worker.keep_meilisearch_in_step(
        get_sessionmaker(), get_engine(), meili_client(), settings.meili_index, interval_seconds
    )


async def discard_outbox_periodically(interval_seconds: float, keep_seconds: float) -> None:
    """Started by the API with the PostgreSQL backend (`search.worker`)."""
    await worker.discard_outbox_periodically(get_sessionmaker(), interval_seconds, keep_seconds)
