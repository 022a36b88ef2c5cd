"""Concurrent transitions on one referral, each in its own transaction: exactly one wins."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.models import User
from app.auth.service import issue_token
from app.main import create_app
from app.referrals.models import ReferralEvent
from tests.accounts import PASSWORD_HASH, organization_id
from tests.referrals.helpers import PROVIDER, REFERRER, referral_body, service_id


@pytest.fixture
async def committed_client(database_url: str) -> AsyncIterator[AsyncClient]:
    """A client of the app with its real sessions: every request commits on its own connection."""
    async with AsyncClient(
        transport=ASGITransport(app=create_app()), base_url="http://testserver"
    ) as http:
        yield http


async def _committed_user(engine: AsyncEngine, organization: str) -> dict[str, str]:
    async with AsyncSession(engine) as session:
        user = User(id=uuid.uuid4(), email=f"race-{uuid.uuid4().hex[:8]}@test.example", password_hash=PASSWORD_HASH,
                    organization_id=await organization_id(session, organization), role="caseworker")  # fmt: skip
        session.add(user)
        await session.commit()
        await session.refresh(user)
        return {"Authorization": f"Bearer {issue_token(user).access_token}"}


async def test_concurrent_moves_one_wins_and_history_stays_consistent(
    engine: AsyncEngine, committed_client: AsyncClient
) -> None:
    referrer = await _committed_user(engine, REFERRER)
    provider = await _committed_user(engine, PROVIDER)
    async with AsyncSession(engine) as session:
        service = await service_id(session)
    created = await committed_client.post(
        "/referrals", json=referral_body(service), headers=referrer
    )
    assert created.status_code == 201, created.text
    url = f"/referrals/{created.json()['id']}/transitions"
    etag = created.headers["etag"]

    responses = await asyncio.gather(
        committed_client.post(url, json={"to": "accepted"}, headers={**provider, "If-Match": etag}),
        committed_client.post(
            url,
            json={"to": "rejected", "reason_code": "no_capacity"},
            headers={**provider, "If-Match": etag},
        ),
        committed_client.post(
            url,
            json={"to": "cancelled", "note": "found help elsewhere"},
            headers={**referrer, "If-Match": etag},
        ),
        committed_client.post(url, json={"to": "accepted"}, headers={**provider, "If-Match": etag}),
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 1, [r.text for r in responses]
    assert set(statuses) <= {200, 409, 412}
    winner = next(r for r in responses if r.status_code == 200).json()
    async with AsyncSession(engine) as session:
        events = (await session.execute(select(ReferralEvent).where(ReferralEvent.referral_id == uuid.UUID(winner["id"]))
                                        .order_by(ReferralEvent.id))).scalars().all()  # fmt: skip
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "requested"),
        ("requested", winner["status"]),
    ]
