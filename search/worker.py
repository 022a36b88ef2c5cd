"""The worker that keeps Meilisearch in step with PostgreSQL, and the outbox's upkeep when
nothing reads it. The application starts these with its sessions, engine and client
(`app.directory.search_engine`); `search-sync` runs the worker as a process of its own.

`keep_meilisearch_in_step` applies the index settings, builds the index when it is empty, and
then applies the search outbox (`search.sync`) every `interval_seconds`.
"""

import asyncio
import logging
from datetime import timedelta
from functools import partial
from typing import Any

import anyio
from meilisearch import Client
from meilisearch.errors import MeilisearchError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from search.meili import index_settings, server_version
from search.models import SearchOutbox, ServiceSearch
from search.sync import SyncFailed, drain_once, ensure_index, rebuild, task_waiter

logger = logging.getLogger("search")

Sessions = async_sessionmaker[AsyncSession]


async def current_settings(client: Client) -> dict[str, Any]:
    """The declared index settings for the client's server."""
    return index_settings(await anyio.to_thread.run_sync(server_version, client))


async def prepare_index(sessions: Sessions, engine: AsyncEngine, client: Client, uid: str) -> None:
    """Applies the settings; builds the index from scratch if it holds no document while the
    directory has services (first start, or a lost Meilisearch volume)."""
    wait = task_waiter(client)
    async with sessions() as session:
        services = await session.scalar(select(func.count()).select_from(ServiceSearch))
    settings = await current_settings(client)
    await anyio.to_thread.run_sync(partial(ensure_index, client, uid, settings, wait))
    if services:
        async with engine.connect() as connection:
            built = await rebuild(connection, client, uid, settings, only_if_empty=True)
        if built:
            logger.info("built the empty Meilisearch index %s: %d services", uid, built)


async def sync_pending(sessions: Sessions, client: Client, uid: str) -> int:
    """Applies the queued changes until none is left; the number applied."""
    wait = task_waiter(client)
    index = client.index(uid)
    applied = 0
    while True:
        async with sessions() as session, session.begin():
            done = await drain_once(session, index, wait)
        if not done:
            return applied
        applied += done


async def keep_meilisearch_in_step(
    sessions: Sessions, engine: AsyncEngine, client: Client, uid: str, interval_seconds: float
) -> None:
    """Prepare the index once, then apply the outbox forever. A failed pass is logged and
    retried, waiting twice as long after each failure in a row (at most a minute)."""
    prepared = False
    failures = 0
    while True:
        try:
            if not prepared:
                await prepare_index(sessions, engine, client, uid)
                prepared = True
            await sync_pending(sessions, client, uid)
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


async def discard_outbox_periodically(
    sessions: Sessions, interval_seconds: float, keep_seconds: float
) -> None:
    """With the PostgreSQL backend nothing reads the outbox: drop what is older than
    `keep_seconds` (switching to Meilisearch starts with a full build anyway)."""
    while True:
        try:
            async with sessions() as session, session.begin():
                await discard_old_outbox(session, keep_seconds)
        except Exception:
            logger.exception("discarding the search outbox failed")
        await asyncio.sleep(interval_seconds)
