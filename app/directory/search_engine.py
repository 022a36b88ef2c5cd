"""The configured search backend, and the work that keeps Meilisearch in step.

With `SEARCH_BACKEND=meilisearch` a search goes to Meilisearch and, when Meilisearch cannot
answer, to PostgreSQL (`X-Search-Backend: postgres`, `X-Search-Fallback` and a log line). The
API's lifespan starts `keep_meilisearch_in_step`: it applies the index settings, builds the index
when it is empty, and then applies the search outbox every `SEARCH_SYNC_INTERVAL_SECONDS`.
"""

import asyncio
import logging
import weakref
from datetime import timedelta
from functools import lru_cache, partial
from typing import Any

import anyio
import httpx
from meilisearch import Client
from meilisearch.errors import MeilisearchError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.db import get_engine, get_sessionmaker
from search.backend import SearchBackend
from search.fallback import Breaker, FallbackSearch
from search.meili import (
    MeiliSearch,
    index_settings,
    make_client,
    make_search_http,
    server_version,
)
from search.models import SearchOutbox, ServiceSearch
from search.postgres import PostgresSearch
from search.sync import SyncFailed, drain_once, ensure_index, rebuild, task_waiter

logger = logging.getLogger("search")


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


async def current_settings(client: Client) -> dict[str, Any]:
    """The declared index settings for the client's server."""
    return index_settings(await anyio.to_thread.run_sync(server_version, client))


async def prepare_index(client: Client, uid: str) -> None:
    """Applies the settings; builds the index from scratch if it holds no document while the
    directory has services (first start, or a lost Meilisearch volume)."""
    wait = task_waiter(client)
    async with get_sessionmaker()() as session:
        services = await session.scalar(select(func.count()).select_from(ServiceSearch))
    settings = await current_settings(client)
    await anyio.to_thread.run_sync(partial(ensure_index, client, uid, settings, wait))
    if services:
        async with get_engine().connect() as connection:
            built = await rebuild(connection, client, uid, settings, only_if_empty=True)
        if built:
            logger.info("built the empty Meilisearch index %s: %d services", uid, built)


async def sync_pending(client: Client, uid: str) -> int:
    """Applies the queued changes until none is left; the number applied."""
    wait = task_waiter(client)
    index = client.index(uid)
    applied = 0
    while True:
        async with get_sessionmaker()() as session, session.begin():
            done = await drain_once(session, index, wait)
        if not done:
            return applied
        applied += done


async def keep_meilisearch_in_step(interval_seconds: float) -> None:
    """Started by the API: prepare the index once, then apply the outbox forever. A failed pass
    is logged and retried, waiting twice as long after each failure in a row (at most a minute)."""
    settings = get_settings()
    client, uid = meili_client(), settings.meili_index
    prepared = False
    failures = 0
    while True:
        try:
            if not prepared:
                await prepare_index(client, uid)
                prepared = True
            await sync_pending(client, uid)
            failures = 0
        except (MeilisearchError, SyncFailed, OSError) as error:
            failures += 1
            logger.warning("Meilisearch sync pass failed (%d in a row): %s", failures, error)
        except Exception:
            failures += 1
            logger.exception("Meilisearch sync pass failed (%d in a row)", failures)
        await asyncio.sleep(min(interval_seconds * 2**failures, max(interval_seconds, 60.0)))


async def discard_old_outbox(session: AsyncSession, keep_seconds: float) -> int:
    """Drops queued changes older than `keep_seconds`; how many."""
    result = await session.execute(
        delete(SearchOutbox).where(
            SearchOutbox.queued_at < func.now() - timedelta(seconds=keep_seconds)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def discard_outbox_periodically(interval_seconds: float, keep_seconds: float) -> None:
    """With the PostgreSQL backend nothing reads the outbox: drop what is older than
    `keep_seconds` (switching to Meilisearch starts with a full build anyway)."""
    while True:
        try:
            async with get_sessionmaker()() as session, session.begin():
                await discard_old_outbox(session, keep_seconds)
        except Exception:
            logger.exception("discarding the search outbox failed")
        await asyncio.sleep(interval_seconds)
