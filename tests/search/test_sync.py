"""The search outbox and the worker that applies it, up to the Meilisearch client.

The worker's reads, ordering and dequeuing run against the real database; the index it writes to
is a recorder standing in for the client (the shared behaviour suite covers a real Meilisearch
whenever MEILI_URL is set).
"""

import uuid
from collections.abc import Mapping, Sequence
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.directory.models import Service
from search import sync
from search.models import SearchOutbox, ServiceSearch
from search.refresh import refresh
from search.sync import LOCK_KEY, SyncFailed, drain_once, rebuild
from search.worker import discard_old_outbox
from tests.builders import make_service


class RecordingIndex:
    """Records what the worker asks of the index, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def add_documents(
        self, documents: Sequence[Mapping[str, Any]], primary_key: str | None = None
    ) -> SimpleNamespace:
        self.calls.append(("add", [dict(doc) for doc in documents]))
        return SimpleNamespace(task_uid="add-task")

    def delete_documents(self, ids: Any = None, *, filter: Any = None) -> SimpleNamespace:
        self.calls.append(("delete", filter))
        return SimpleNamespace(task_uid="delete-task")

    def update_settings(self, body: Mapping[str, Any]) -> SimpleNamespace:
        self.calls.append(("settings", dict(body)))
        return SimpleNamespace(task_uid="settings-task")


def waited(tasks: list[Any]) -> Any:
    return tasks.append


async def queued(session: AsyncSession) -> list[uuid.UUID]:
    rows = await session.execute(select(SearchOutbox.service_id).order_by(SearchOutbox.id))
    return list(rows.scalars())


@pytest.fixture
async def empty_outbox(session: AsyncSession) -> None:
    """The seed's queued changes are gone (in this test's transaction only)."""
    await session.execute(delete(SearchOutbox))


async def test_a_directory_change_queues_its_service_in_the_same_transaction(
    session: AsyncSession, empty_outbox: None
) -> None:
    service = await make_service(session, name="Queued clinic", lat=22.35, lng=91.82)

    assert service.id in await queued(session)


async def test_a_rolled_back_change_queues_nothing(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    before = await session.scalar(select(func.count()).select_from(SearchOutbox))
    async with engine.connect() as other:
        transaction = await other.begin()
        other_session = AsyncSession(bind=other)
        await make_service(other_session, name="Never committed", lat=22.35, lng=91.82)
        await transaction.rollback()

    assert await session.scalar(select(func.count()).select_from(SearchOutbox)) == before


async def test_the_worker_writes_current_documents_then_removes_stale_ones_and_dequeues(
    session: AsyncSession, empty_outbox: None
) -> None:
    service = await make_service(session, name="Two-site clinic", lat=22.35, lng=91.82)
    index = RecordingIndex()
    tasks: list[Any] = []

    applied = await drain_once(session, index, waited(tasks))

    assert applied >= 1
    (add, remove) = index.calls
    assert add[0] == "add"
    assert [doc["id"] for doc in add[1]] == [f"{service.id}-0"]
    assert add[1][0]["name"] == "two-site clinic"
    assert remove == ("delete", f'(service_id = "{service.id}" AND placement >= 1)')
    assert [task.task_uid for task in tasks] == ["add-task", "delete-task"]
    assert await queued(session) == []


async def test_a_deleted_service_has_all_its_documents_removed(
    session: AsyncSession, empty_outbox: None
) -> None:
    service = await make_service(session, name="Closing clinic", lat=22.35, lng=91.82)
    await drain_once(session, RecordingIndex(), waited([]))
    await session.execute(delete(Service).where(Service.id == service.id))
    await refresh(session, [service.id])
    index = RecordingIndex()

    await drain_once(session, index, waited([]))

    assert index.calls == [("delete", f'(service_id = "{service.id}" AND placement >= 0)')]


async def test_changes_queued_twice_are_applied_once_per_batch_in_queue_order(
    session: AsyncSession, empty_outbox: None
) -> None:
    first = await make_service(session, name="First clinic", lat=22.35, lng=91.82)
    second = await make_service(session, name="Second clinic", lat=22.36, lng=91.83)
    await refresh(session, [first.id])
    index = RecordingIndex()

    await drain_once(session, index, waited([]))

    added = [doc["service_id"] for doc in index.calls[0][1]]
    assert sorted(added) == sorted([str(first.id), str(second.id)])
    assert len(added) == 2


async def test_a_failed_task_leaves_the_changes_queued(
    session: AsyncSession, empty_outbox: None
) -> None:
    service = await make_service(session, name="Unlucky clinic", lat=22.35, lng=91.82)

    def fail(task: Any) -> None:
        raise SyncFailed(f"task {task} failed")

    with pytest.raises(SyncFailed):
        await drain_once(session, RecordingIndex(), fail)

    assert service.id in await queued(session)


async def test_the_worker_stands_aside_while_another_holds_the_queue(
    engine: AsyncEngine, session: AsyncSession, empty_outbox: None
) -> None:
    await make_service(session, name="Waiting clinic", lat=22.35, lng=91.82)
    index = RecordingIndex()
    async with engine.connect() as other:
        await other.execute(select(func.pg_advisory_lock(LOCK_KEY)))
        try:
            applied = await drain_once(session, index, waited([]))
        finally:
            await other.execute(select(func.pg_advisory_unlock(LOCK_KEY)))

    assert applied == 0
    assert index.calls == []


async def test_large_queues_are_taken_in_batches_oldest_first(
    session: AsyncSession, empty_outbox: None
) -> None:
    services = [await make_service(session, name=f"Batch clinic {i}") for i in range(3)]
    index = RecordingIndex()

    assert await drain_once(session, index, waited([]), batch_size=2) == 2
    assert [doc["service_id"] for doc in index.calls[0][1]] == [str(s.id) for s in services[:2]]
    assert await queued(session) == [services[2].id]


class RecordingClient:
    """Records what a rebuild asks of Meilisearch; every index exists, every task succeeds."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.indexes: dict[str, RecordingIndex] = {}

    def get_raw_index(self, uid: str) -> dict[str, Any]:
        return {"uid": uid}

    def create_index(self, uid: str, options: Mapping[str, Any]) -> SimpleNamespace:
        self.calls.append(("create", uid))
        return SimpleNamespace(task_uid=f"create {uid}")

    def index(self, uid: str) -> "RecordingIndex":
        return self.indexes.setdefault(uid, RecordingIndex())

    def swap_indexes(self, parameters: list[Mapping[str, Any]]) -> SimpleNamespace:
        self.calls.append(("swap", parameters))
        return SimpleNamespace(task_uid="swap")

    def delete_index(self, uid: str) -> SimpleNamespace:
        self.calls.append(("delete", uid))
        return SimpleNamespace(task_uid=f"delete {uid}")

    def wait_for_task(self, uid: Any, timeout_in_ms: int = 0, interval_in_ms: int = 0) -> Any:
        return SimpleNamespace(uid=uid, status="succeeded", error=None)


async def test_a_rebuild_indexes_every_service_into_a_new_index_and_swaps_it_in(
    engine: AsyncEngine,
) -> None:
    client = RecordingClient()
    settings = {"rankingRules": ["words"]}
    async with engine.connect() as connection:
        expected = await connection.scalar(select(func.count()).select_from(ServiceSearch))

        built = await rebuild(connection, client, "services_t", settings)  # type: ignore[arg-type]

        left = await connection.scalar(select(func.count()).select_from(SearchOutbox))
        relocked = await connection.scalar(select(func.pg_try_advisory_lock(LOCK_KEY)))
        await connection.scalar(select(func.pg_advisory_unlock(LOCK_KEY)))

    (building,) = [uid for uid in client.indexes if uid.startswith("services_t_build_")]
    added = [doc for call, docs in client.indexes[building].calls if call == "add" for doc in docs]
    assert built == expected
    assert len({doc["service_id"] for doc in added}) == expected
    assert client.indexes[building].calls[0] == ("settings", settings)
    assert client.calls == [
        ("create", building),
        ("swap", [{"indexes": ["services_t", building]}]),
        ("delete", building),
    ]
    assert left == 0  # what the snapshot saw is in the new index
    assert relocked  # the worker's lock is free again


class LoggingIndex(RecordingIndex):
    """Numbers its document tasks and logs them where the client logs its waits."""

    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log

    def add_documents(
        self, documents: Sequence[Mapping[str, Any]], primary_key: str | None = None
    ) -> SimpleNamespace:
        super().add_documents(documents, primary_key)
        task = f"add {sum(call == 'add' for call, _ in self.calls)}"
        self.log.append(f"sent {task}")
        return SimpleNamespace(task_uid=task)


class LoggingClient(RecordingClient):
    def __init__(self) -> None:
        super().__init__()
        self.log: list[str] = []

    def index(self, uid: str) -> RecordingIndex:
        return self.indexes.setdefault(uid, LoggingIndex(self.log))

    def wait_for_task(self, uid: Any, timeout_in_ms: int = 0, interval_in_ms: int = 0) -> Any:
        self.log.append(f"waited {uid}")
        return super().wait_for_task(uid, timeout_in_ms, interval_in_ms)


async def test_a_rebuild_sends_batches_ahead_and_waits_for_each_before_the_swap(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sync, "REBUILD_BATCH_SIZE", 20)
    monkeypatch.setattr(sync, "REBUILD_IN_FLIGHT", 3)
    client = LoggingClient()
    progress: list[int] = []
    async with engine.connect() as connection:
        expected = await connection.scalar(select(func.count()).select_from(ServiceSearch)) or 0
        built = await rebuild(connection, client, "services_t", {}, progress.append)  # type: ignore[arg-type]

    adds = [entry for entry in client.log if entry.startswith("sent add")]
    assert len(adds) == -(-expected // 20) > 4  # several batches, so the window is exercised
    waits = [entry for entry in client.log if entry.startswith("waited add")]
    assert waits == [entry.replace("sent", "waited") for entry in adds]  # each, in order
    # when a batch is sent, up to 3 earlier ones are still being indexed, never more
    outstanding = []
    for position, entry in enumerate(client.log):
        if entry.startswith("sent add"):
            before = client.log[:position]
            outstanding.append(
                sum(e.startswith("sent add") for e in before)
                - sum(e.startswith("waited add") for e in before)
            )
    assert max(outstanding) == 3
    assert client.log.index(waits[-1]) < client.log.index("waited swap")
    assert built == expected
    assert progress == sorted(progress) and progress[-1] == expected


async def test_with_postgres_only_old_queued_changes_are_dropped(
    session: AsyncSession, empty_outbox: None
) -> None:
    old = await make_service(session, name="Old change clinic")
    await session.execute(
        update(SearchOutbox).values(queued_at=func.now() - text("interval '2 days'"))
    )
    new = await make_service(session, name="New change clinic")

    dropped = await discard_old_outbox(session, keep_seconds=86400)

    assert dropped >= 1
    remaining = await queued(session)
    assert new.id in remaining
    assert old.id not in remaining
