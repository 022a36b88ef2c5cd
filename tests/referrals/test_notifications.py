"""Notices to the receiving organization: queued with the change, id and link only, posted in
order."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from httpx import AsyncClient
from sqlalchemy import delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import get_settings
from app.core.db import get_engine
from app.directory.models import Organization
from app.referrals.jobs import deliver_notifications
from app.referrals.models import NotificationOutbox, OrganizationWebhook
from app.referrals.notifications import Transaction, deliver_pending
from tests.accounts import make_account, organization_id
from tests.referrals.helpers import PROVIDER, REFERRER, parties, refer, service_id
from tests.referrals.test_lifecycle import move, payload
from tests.referrals.test_outbound import Receiver, configure, resolve_as

PUBLIC = "93.184.215.14"  # an address literal: setting it resolves nothing; posts are mocked


@pytest.fixture
async def servers() -> AsyncIterator[AsyncExitStack]:
    """Receivers entered on this stack are stopped when the test ends."""
    async with AsyncExitStack() as stack:
        yield stack


def in_test_transaction(session: AsyncSession) -> Transaction:
    """Delivery's short transactions as savepoints of the test's transaction."""

    @asynccontextmanager
    async def transaction() -> AsyncIterator[AsyncSession]:
        async with session.begin_nested():
            yield session

    return transaction


async def _hooks(
    client: AsyncClient, session: AsyncSession, url: str = f"https://{PUBLIC}/{{slug}}"
) -> None:
    admin = await make_account(session, role="admin")
    for slug in (REFERRER, PROVIDER):
        org = await organization_id(session, slug)
        response = await client.put(
            f"/organizations/{org}/webhook",
            json={"url": url.format(slug=slug)},
            headers=admin.headers,
        )
        assert response.status_code == 204, response.text


async def _outbox(session: AsyncSession, referral_id: str) -> list[NotificationOutbox]:
    stmt = (
        select(NotificationOutbox)
        .where(NotificationOutbox.referral_id == uuid.UUID(referral_id))
        .order_by(NotificationOutbox.id)
    )
    return list((await session.execute(stmt)).scalars())


async def test_each_change_queues_a_notice_for_the_other_party(
    client: AsyncClient, session: AsyncSession
) -> None:
    await _hooks(client, session)
    referrer, provider = await parties(session)
    body, etag = await refer(client, referrer, await service_id(session))
    await move(client, provider, body["id"], etag, payload("accepted"))

    notices = await _outbox(session, body["id"])

    provider_org, referrer_org = (
        await organization_id(session, PROVIDER),
        await organization_id(session, REFERRER),
    )
    assert [(n.organization_id, n.event) for n in notices] == [
        (provider_org, "requested"),
        (referrer_org, "accepted"),
    ]


async def test_notices_carry_no_survivor_details_and_are_posted_in_order(
    client: AsyncClient, session: AsyncSession
) -> None:
    await _hooks(client, session)
    referrer, provider = await parties(session)
    body, etag = await refer(client, referrer, await service_id(session), notes="private note")
    await move(client, provider, body["id"], etag, payload("accepted"))
    posted: list[tuple[str, dict[str, str]]] = []

    def receive(request: httpx.Request) -> httpx.Response:
        posted.append((str(request.url), json.loads(request.content)))
        return httpx.Response(200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(receive)) as http:
        assert await deliver_pending(in_test_transaction(session), http) >= 2

    mine = [(url, data) for url, data in posted if data["referral_id"] == body["id"]]
    assert [data["event"] for _, data in mine] == ["requested", "accepted"]
    assert all(set(data) == {"referral_id", "event", "link"} for _, data in mine)
    assert body["case_ref"] not in json.dumps(posted)
    assert mine[0][0] == f"https://{PUBLIC}/{PROVIDER}"
    assert all(n.delivered_at is not None for n in await _outbox(session, body["id"]))


async def test_a_failing_webhook_is_retried_later_and_keeps_the_order(
    client: AsyncClient, session: AsyncSession
) -> None:
    await _hooks(client, session)
    referrer, _ = await parties(session)
    body, _ = await refer(client, referrer, await service_id(session))

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(503))
    ) as http:
        await deliver_pending(in_test_transaction(session), http)

    notice = (await _outbox(session, body["id"]))[0]
    assert notice.delivered_at is None
    assert notice.attempts == 1
    assert "503" in (notice.last_error or "")
    assert notice.next_attempt_at > notice.created_at


async def test_an_organizations_later_notices_wait_behind_its_failed_one(
    client: AsyncClient, session: AsyncSession
) -> None:
    await _hooks(client, session)
    referrer, _ = await parties(session)
    first, _ = await refer(client, referrer, await service_id(session))
    second, _ = await refer(client, referrer, await service_id(session))
    posted: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content)["referral_id"])
        return httpx.Response(503 if len(posted) == 1 else 200)

    async with httpx.AsyncClient(transport=httpx.MockTransport(flaky)) as http:
        assert await deliver_pending(in_test_transaction(session), http) == 0
        assert posted == [first["id"]]
        (waiting,) = await _outbox(session, second["id"])
        assert (waiting.attempts, waiting.delivered_at) == (0, None)

        (failed,) = await _outbox(session, first["id"])
        failed.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)  # its backoff is over
        await session.flush()
        assert await deliver_pending(in_test_transaction(session), http) == 2

    assert posted == [first["id"], first["id"], second["id"]]
    assert all(
        n.delivered_at
        for n in await _outbox(session, first["id"]) + await _outbox(session, second["id"])
    )


async def test_a_notice_reaches_a_real_receiver(
    client: AsyncClient,
    session: AsyncSession,
    servers: AsyncExitStack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = await servers.enter_async_context(Receiver())
    configure(monkeypatch, "127.0.0.1", development=True)
    await _hooks(client, session, url=receiver.url + "?to={slug}")
    referrer, _ = await parties(session)
    body, _ = await refer(client, referrer, await service_id(session))

    async with httpx.AsyncClient(trust_env=False) as http:
        assert await deliver_pending(in_test_transaction(session), http) == 1

    (request,) = receiver.requests
    assert (request.method, request.path) == ("POST", f"/hook?to={PROVIDER}")
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.body) == {
        "referral_id": body["id"],
        "event": "requested",
        "link": f"{get_settings().base_url}/referrals/{body['id']}",
    }
    (notice,) = await _outbox(session, body["id"])
    assert notice.delivered_at is not None
    assert notice.attempts == 1


async def _undelivered(session: AsyncSession, referral_id: str) -> NotificationOutbox:
    (notice,) = await _outbox(session, referral_id)
    assert notice.delivered_at is None
    assert notice.attempts == 1
    assert notice.next_attempt_at > datetime.now(UTC)
    return notice


async def test_a_host_taken_off_the_allowlist_is_not_contacted(
    client: AsyncClient,
    session: AsyncSession,
    servers: AsyncExitStack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = await servers.enter_async_context(Receiver())
    configure(monkeypatch, "127.0.0.1", development=True)
    await _hooks(client, session, url=receiver.url)
    referrer, _ = await parties(session)
    body, _ = await refer(client, referrer, await service_id(session))
    configure(monkeypatch, development=True)

    async with httpx.AsyncClient(trust_env=False) as http:
        assert await deliver_pending(in_test_transaction(session), http) == 0

    assert receiver.requests == []
    notice = await _undelivered(session, body["id"])
    assert "not posted" in (notice.last_error or "")
    assert "loopback" in (notice.last_error or "")


async def test_a_name_that_resolves_elsewhere_at_delivery_is_not_contacted(
    client: AsyncClient,
    session: AsyncSession,
    servers: AsyncExitStack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiver = await servers.enter_async_context(Receiver())
    configure(monkeypatch, development=True)
    resolve_as(monkeypatch, {"hooks.example": PUBLIC})
    await _hooks(client, session, url=f"http://hooks.example:{receiver.port}/hook")
    referrer, _ = await parties(session)
    body, _ = await refer(client, referrer, await service_id(session))
    resolve_as(monkeypatch, {"hooks.example": "127.0.0.1"})  # DNS rebinding

    async with httpx.AsyncClient(trust_env=False) as http:
        assert await deliver_pending(in_test_transaction(session), http) == 0

    assert receiver.requests == []
    notice = await _undelivered(session, body["id"])
    assert "hooks.example resolves to 127.0.0.1" in (notice.last_error or "")


async def test_a_redirect_is_a_failed_attempt_and_is_not_followed(
    client: AsyncClient,
    session: AsyncSession,
    servers: AsyncExitStack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    elsewhere = await servers.enter_async_context(Receiver())
    redirecting = await servers.enter_async_context(
        Receiver(status=302, headers={"Location": elsewhere.url})
    )
    configure(monkeypatch, "127.0.0.1", development=True)
    await _hooks(client, session, url=redirecting.url)
    referrer, _ = await parties(session)
    body, _ = await refer(client, referrer, await service_id(session))

    async with httpx.AsyncClient(trust_env=False, follow_redirects=True) as http:
        assert await deliver_pending(in_test_transaction(session), http) == 0

    assert len(redirecting.requests) == 1
    assert elsewhere.requests == []
    notice = await _undelivered(session, body["id"])
    assert "302" in (notice.last_error or "")


@pytest.fixture
async def committed_hook(engine: AsyncEngine) -> AsyncIterator[uuid.UUID]:
    """A committed webhook of one organization (to be set by the test): removed afterwards, with
    its notices."""
    async with engine.connect() as conn:
        org = (
            await conn.execute(select(Organization.id).where(Organization.slug == "cwcs"))
        ).scalar_one()
    yield org
    async with engine.begin() as conn:
        await conn.execute(
            delete(NotificationOutbox).where(NotificationOutbox.organization_id == org)
        )
        await conn.execute(
            delete(OrganizationWebhook).where(OrganizationWebhook.organization_id == org)
        )


async def test_no_lock_is_held_while_posting_and_a_second_pass_posts_nothing(
    engine: AsyncEngine,
    committed_hook: uuid.UUID,
    servers: AsyncExitStack,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hold = asyncio.Event()
    receiver = await servers.enter_async_context(Receiver(hold=hold))
    configure(monkeypatch, "127.0.0.1", development=True)
    async with engine.begin() as conn:
        await conn.execute(
            insert(OrganizationWebhook).values(organization_id=committed_hook, url=receiver.url)
        )
        notice_id = (
            await conn.execute(
                insert(NotificationOutbox)
                .values(
                    organization_id=committed_hook,
                    referral_id=uuid.uuid4(),
                    event="requested",
                    attempts=0,
                )
                .returning(NotificationOutbox.id)
            )
        ).scalar_one()

    # the scheduled job's own sessions and client, on the test database
    delivery = asyncio.create_task(deliver_notifications())
    try:
        await asyncio.wait_for(receiver.arrived.wait(), timeout=10)
        async with engine.connect() as conn, conn.begin():  # the post is waiting on the receiver
            for lock in (
                "SELECT id FROM notification_outbox WHERE id = :id FOR UPDATE NOWAIT",
                "SELECT 1 FROM organization_webhook WHERE organization_id = :org FOR UPDATE NOWAIT",
            ):
                await conn.execute(text(lock), {"id": notice_id, "org": committed_hook})
        assert await deliver_notifications() == 0
        assert len(receiver.requests) == 1
    finally:
        hold.set()
        delivered = await asyncio.wait_for(delivery, timeout=10)
        await get_engine().dispose()

    assert delivered == 1
    assert len(receiver.requests) == 1
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(NotificationOutbox.delivered_at, NotificationOutbox.attempts).where(
                    NotificationOutbox.id == notice_id
                )
            )
        ).one()
    assert row.delivered_at is not None
    assert row.attempts == 1
