"""Notices to the receiving organization: queued with the change, id and link only, posted in order."""

import json
import uuid

import httpx
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.referrals.models import NotificationOutbox
from app.referrals.notifications import deliver_pending
from tests.accounts import make_account, organization_id
from tests.referrals.helpers import PROVIDER, REFERRER, parties, refer, service_id
from tests.referrals.test_lifecycle import move, payload


async def _hooks(client: AsyncClient, session: AsyncSession) -> None:
    for slug in (REFERRER, PROVIDER):
        admin = await make_account(session, role="org_admin", organization=slug)
        org = await organization_id(session, slug)
        response = await client.put(f"/organizations/{org}/webhook", json={"url": f"https://{slug}.example/hook"},
                                    headers=admin.headers)  # fmt: skip
        assert response.status_code == 204


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
        assert await deliver_pending(session, http) >= 2

    mine = [(url, data) for url, data in posted if data["referral_id"] == body["id"]]
    assert [data["event"] for _, data in mine] == ["requested", "accepted"]
    assert all(set(data) == {"referral_id", "event", "link"} for _, data in mine)
    assert body["case_ref"] not in json.dumps(posted)
    assert mine[0][0] == f"https://{PROVIDER}.example/hook"
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
        await deliver_pending(session, http)

    notice = (await _outbox(session, body["id"]))[0]
    assert notice.delivered_at is None
    assert notice.attempts == 1
    assert "503" in (notice.last_error or "")
    assert notice.next_attempt_at > notice.created_at


async def test_only_the_organizations_admins_set_its_webhook(
    client: AsyncClient, session: AsyncSession
) -> None:
    caseworker = await make_account(session, role="caseworker", organization=PROVIDER)
    other_admin = await make_account(session, role="org_admin", organization="cwcs")
    org = await organization_id(session, PROVIDER)

    for account in (caseworker, other_admin):
        response = await client.put(
            f"/organizations/{org}/webhook",
            json={"url": "https://x.example/h"},
            headers=account.headers,
        )
        assert response.status_code == 403
