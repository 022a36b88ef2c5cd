"""Keeping Meilisearch in step with PostgreSQL.

Every change of a search document queues its service in `search_outbox`, in the changing
transaction (triggers on `service_search`). The worker takes the queue in order, under an
advisory lock (one worker at a time), reads the services' *current* documents and applies them:
applying a service twice, or late, leaves the index as PostgreSQL is, so the worker is
idempotent and a crash between applying and dequeuing only repeats work. Rows are dequeued once
Meilisearch reports the tasks done.

`rebuild` builds a whole new index from a consistent snapshot and swaps it in.
"""

import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, Protocol

import anyio
from meilisearch import Client
from meilisearch.errors import MeilisearchApiError
from sqlalchemy import Select, delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from search.meili import (
    PRIMARY_KEY,
    SourceDocument,
    documents,
    points_of_geojson,
    settings_differ,
    stale_filter,
)
from search.models import SearchOutbox, ServiceSearch, ServiceSearchText

logger = logging.getLogger("search")

# the advisory lock the worker and a rebuild hold while they write to Meilisearch
LOCK_KEY = 0x5EA2C4
BATCH_SIZE = 500
REBUILD_BATCH_SIZE = 5_000
# document batches a rebuild sends ahead of the ones Meilisearch has finished: queued together,
# consecutive additions are indexed in one of its batches (waiting on each one indexed 5,000
# documents at a time, and each such pass costs more as the index grows)
REBUILD_IN_FLIGHT = 8
TASK_TIMEOUT_MS = 10 * 60 * 1000


class SyncFailed(Exception):
    """Meilisearch did not apply a task."""


class TaskInfoLike(Protocol):
    task_uid: int


class WritableIndex(Protocol):
    """The part of `meilisearch.index.Index` the worker writes with."""

    def add_documents(
        self, documents: Sequence[Mapping[str, Any]], primary_key: str | None = None
    ) -> Any: ...

    def delete_documents(self, ids: Any = None, *, filter: Any = None) -> Any: ...


def _sources() -> Select[Any]:
    """The search documents with their text parts and points, as documents are made of."""
    c = ServiceSearch.__table__.c
    text = ServiceSearchText.__table__
    return select(
        c.service_id,
        c.organization_id,
        c.status,
        c.name_key,
        text.c.search_text,
        c.category_codes,
        c.free_of_cost,
        c.division_codes,
        c.district_codes,
        c.upazila_codes,
        c.union_codes,
        func.ST_AsGeoJSON(c.geom).label("points"),
        c.modified_at,
    ).join(text, text.c.service_id == c.service_id)


def _source(row: Any) -> SourceDocument:
    values = row._asdict()
    values["points"] = points_of_geojson(values["points"])
    return SourceDocument(**values)


async def load_sources(
    session: AsyncSession, service_ids: Sequence[uuid.UUID]
) -> list[SourceDocument]:
    """The current search documents of these services (those that still exist)."""
    stmt = _sources().where(ServiceSearch.__table__.c.service_id.in_(service_ids))
    return [_source(row) for row in await session.execute(stmt)]


def apply_changes(
    index: WritableIndex,
    sources: Sequence[SourceDocument],
    service_ids: Sequence[uuid.UUID],
    wait: Callable[[Any], None],
) -> None:
    """Writes the current documents of `service_ids` and removes what is left of older ones;
    `wait` blocks until Meilisearch has applied a task (and raises if it failed)."""
    new_documents = [document for source in sources for document in documents(source)]
    counts = dict.fromkeys(service_ids, 0)
    for document in new_documents:
        counts[uuid.UUID(document["service_id"])] += 1
    tasks = []
    if new_documents:
        tasks.append(index.add_documents(new_documents, PRIMARY_KEY))
    # Meilisearch refuses an empty filter: with no service there is nothing stale either
    if counts:
        tasks.append(index.delete_documents(filter=stale_filter(counts)))
    for task in tasks:
        wait(task)


def task_waiter(client: Client) -> Callable[[Any], None]:
    """Blocks until a task is done; `SyncFailed` unless it succeeded."""

    def wait(task: TaskInfoLike) -> None:
        done = client.wait_for_task(task.task_uid, timeout_in_ms=TASK_TIMEOUT_MS, interval_in_ms=20)
        if done.status != "succeeded":
            raise SyncFailed(f"Meilisearch task {done.uid} {done.status}: {done.error}")

    return wait


async def drain_once(
    session: AsyncSession,
    index: WritableIndex,
    wait: Callable[[Any], None],
    batch_size: int = BATCH_SIZE,
) -> int:
    """Applies up to `batch_size` queued changes, oldest first, in the session's transaction
    (which the caller commits); the number applied, 0 when another worker holds the queue."""
    locked = await session.scalar(select(func.pg_try_advisory_xact_lock(LOCK_KEY)))
    if not locked:
        return 0
    queued = (
        await session.execute(
            select(SearchOutbox.id, SearchOutbox.service_id)
            .order_by(SearchOutbox.id)
            .limit(batch_size)
        )
    ).all()
    if not queued:
        return 0
    service_ids = list(dict.fromkeys(row.service_id for row in queued))
    sources = await load_sources(session, service_ids)
    await anyio.to_thread.run_sync(partial(apply_changes, index, sources, service_ids, wait))
    await session.execute(
        delete(SearchOutbox).where(SearchOutbox.id.in_([row.id for row in queued]))
    )
    return len(queued)


def create_if_missing(client: Client, uid: str, wait: Callable[[Any], None]) -> None:
    """Creates an empty index `uid` unless it exists."""
    if not _exists(client, uid):
        wait(client.create_index(uid, {"primaryKey": PRIMARY_KEY}))


def _exists(client: Client, uid: str) -> bool:
    try:
        client.get_raw_index(uid)
    except MeilisearchApiError as error:
        if error.code != "index_not_found":
            raise
        return False
    return True


def ensure_index(
    client: Client, uid: str, settings: Mapping[str, Any], wait: Callable[[Any], None]
) -> None:
    """Creates the index if it is missing and applies `settings` where they differ."""
    create_if_missing(client, uid, wait)
    index = client.index(uid)
    current = index.get_settings()
    if settings_differ(current, settings):
        wait(index.update_settings(dict(settings)))


async def rebuild(
    connection: AsyncConnection,
    client: Client,
    uid: str,
    settings: Mapping[str, Any],
    progress: Callable[[int], None] = lambda done: None,
    only_if_empty: bool = False,
) -> int:
    """Builds every document into a new index, swaps it in under `uid` and deletes the old one;
    the number of services indexed.

    The documents are read in one REPEATABLE READ snapshot, and the queued changes that snapshot
    saw are dequeued with it: later changes stay queued for the worker. The worker waits on the
    advisory lock meanwhile. With `only_if_empty`, an index that holds documents once the lock
    is taken is left as it is (API processes starting together build it once).
    """
    wait = task_waiter(client)
    await connection.scalar(select(func.pg_advisory_lock(LOCK_KEY)))
    await connection.commit()
    try:
        if only_if_empty and await anyio.to_thread.run_sync(partial(_has_documents, client, uid)):
            return 0
        snapshot = await connection.execution_options(isolation_level="REPEATABLE READ")
        async with snapshot.begin():
            building = f"{uid}_build_{time.strftime('%Y%m%d%H%M%S')}"
            await anyio.to_thread.run_sync(partial(_create, client, building, settings, wait))
            index = client.index(building)
            done = 0
            in_flight: deque[tuple[Any, int]] = deque()  # (task, services in it), oldest first

            async def finish_oldest() -> None:
                nonlocal done
                task, services = in_flight.popleft()
                await anyio.to_thread.run_sync(wait, task)
                done += services
                progress(done)

            rows = await snapshot.stream(_sources().execution_options(yield_per=REBUILD_BATCH_SIZE))
            async for batch in rows.partitions(REBUILD_BATCH_SIZE):
                batch_documents = [doc for row in batch for doc in documents(_source(row))]
                task = await anyio.to_thread.run_sync(
                    partial(index.add_documents, batch_documents, PRIMARY_KEY)
                )
                in_flight.append((task, len(batch)))
                if len(in_flight) > REBUILD_IN_FLIGHT:
                    await finish_oldest()
            while in_flight:
                await finish_oldest()
            await anyio.to_thread.run_sync(partial(_swap_in, client, uid, building, wait))
            await snapshot.execute(delete(SearchOutbox))
        return done
    finally:
        await connection.scalar(select(func.pg_advisory_unlock(LOCK_KEY)))
        await connection.commit()


def _has_documents(client: Client, uid: str) -> bool:
    return _exists(client, uid) and bool(client.index(uid).get_stats().number_of_documents)


def _create(
    client: Client, uid: str, settings: Mapping[str, Any], wait: Callable[[Any], None]
) -> None:
    wait(client.create_index(uid, {"primaryKey": PRIMARY_KEY}))
    wait(client.index(uid).update_settings(dict(settings)))


def _swap_in(client: Client, uid: str, building: str, wait: Callable[[Any], None]) -> None:
    """`building` becomes `uid`; the old `uid` (if any) is deleted."""
    create_if_missing(client, uid, wait)  # swapping needs both
    wait(client.swap_indexes([{"indexes": [uid, building]}]))
    wait(client.delete_index(building))
