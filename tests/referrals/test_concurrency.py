"""Races, each request in its own transaction on its own connection: one winner, never a 500."""

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.models import User
from app.directory.models import Service
from app.referrals.models import Referral, ReferralEvent
from tests.committed import World
from tests.referrals.helpers import referral_body

ROUNDS = 4
CLIENTS = 16


def statuses(responses: Sequence[Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


async def test_concurrent_moves_one_wins_and_history_stays_consistent(
    engine: AsyncEngine, live_client: AsyncClient, world: World
) -> None:
    created = await live_client.post(
        "/referrals", json=referral_body(world.service_id), headers=world.referrer
    )
    assert created.status_code == 201, created.text
    url = f"/referrals/{created.json()['id']}/transitions"
    etag = created.headers["etag"]

    responses = await asyncio.gather(
        live_client.post(
            url, json={"to": "accepted"}, headers={**world.provider, "If-Match": etag}
        ),
        live_client.post(
            url,
            json={"to": "rejected", "reason_code": "no_capacity"},
            headers={**world.provider, "If-Match": etag},
        ),
        live_client.post(
            url,
            json={"to": "cancelled", "note": "found help elsewhere"},
            headers={**world.referrer, "If-Match": etag},
        ),
        live_client.post(
            url, json={"to": "accepted"}, headers={**world.provider, "If-Match": etag}
        ),
    )

    assert statuses(responses).count(200) == 1, [r.text for r in responses]
    assert set(statuses(responses)) <= {200, 409, 412}
    winner = next(r for r in responses if r.status_code == 200).json()
    async with AsyncSession(engine) as session:
        events = (
            (
                await session.execute(
                    select(ReferralEvent)
                    .where(ReferralEvent.referral_id == uuid.UUID(winner["id"]))
                    .order_by(ReferralEvent.id)
                )
            )
            .scalars()
            .all()
        )
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, "requested"),
        ("requested", winner["status"]),
    ]


async def test_concurrent_retries_with_one_idempotency_key_make_one_referral(
    engine: AsyncEngine, live_client: AsyncClient, world: World
) -> None:
    for _ in range(ROUNDS):
        body = referral_body(world.service_id)
        headers = {**world.referrer, "Idempotency-Key": f"retry-{uuid.uuid4()}"}

        responses = await asyncio.gather(
            *(live_client.post("/referrals", json=body, headers=headers) for _ in range(CLIENTS))
        )

        assert statuses(responses) == [201] * CLIENTS, [
            r.text for r in responses if r.status_code != 201
        ]
        assert len({r.json()["id"] for r in responses}) == 1
        assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == CLIENTS - 1
        async with AsyncSession(engine) as session:
            made = await session.scalar(
                select(func.count())
                .select_from(Referral)
                .where(Referral.case_ref == body["case_ref"])
            )
        assert made == 1
        other = await live_client.post(
            "/referrals", json={**body, "reason": "Another reason"}, headers=headers
        )
        assert other.status_code == 422, other.text


async def test_a_quota_is_never_exceeded_by_concurrent_referrals(
    engine: AsyncEngine, live_client: AsyncClient, world: World
) -> None:
    mou = await live_client.post(
        "/mous",
        json={
            "reference": f"RACE-{uuid.uuid4().hex[:6]}",
            "referring_organization_id": str(world.referrer_id),
            "provider_organization_id": str(world.provider_id),
            "valid_from": "2026-01-01",
            "status": "active",
            "services": [
                {
                    "category": "legal_aid",
                    "service_id": str(world.service_id),
                    "quota": 3,
                    "quota_period": "year",
                }
            ],
        },
        headers=world.admin,
    )
    assert mou.status_code == 201, mou.text

    responses = await asyncio.gather(
        *(
            live_client.post(
                "/referrals", json=referral_body(world.service_id), headers=world.referrer
            )
            for _ in range(CLIENTS)
        )
    )

    assert statuses(responses) == [201] * CLIENTS
    matches = sorted(r.json()["mou_match"] for r in responses)
    assert matches == ["covered"] * 3 + ["quota_used_up"] * (CLIENTS - 3)
    report = await live_client.get(f"/mous/{mou.json()['id']}/report", headers=world.referrer)
    assert [q["used_this_period"] for q in report.json()["quotas"]] == [3]
    # a draft counts once it is requested, matched again then
    draft = await live_client.post(
        "/referrals", json=referral_body(world.service_id, draft=True), headers=world.referrer
    )
    sent = await live_client.post(
        f"/referrals/{draft.json()['id']}/transitions",
        json={"to": "requested"},
        headers={**world.referrer, "If-Match": draft.headers["etag"]},
    )
    assert (sent.status_code, sent.json()["mou_match"]) == (200, "quota_used_up")


async def test_concurrent_accounts_with_one_email_make_one(
    engine: AsyncEngine, live_client: AsyncClient, world: World
) -> None:
    email = f"same-{uuid.uuid4().hex[:8]}@committed.example"
    body: dict[str, Any] = {
        "email": email,
        "password": "a long enough password",
        "organization_id": str(world.referrer_id),
        "role": "caseworker",
    }

    responses = await asyncio.gather(
        *(live_client.post("/users", json=body, headers=world.admin) for _ in range(4))
    )

    assert statuses(responses) == [201, 409, 409, 409], [r.text for r in responses]
    async with AsyncSession(engine) as session:
        assert (
            await session.scalar(select(func.count()).select_from(User).where(User.email == email))
            == 1
        )


async def test_a_correction_is_applied_once_however_many_accept_it(
    engine: AsyncEngine, live_client: AsyncClient, world: World
) -> None:
    suggested = await live_client.post(
        "/corrections",
        json={
            "resource_type": "service",
            "resource_id": str(world.service_id),
            "field": "description",
            "proposed_value": "Free legal advice, Sunday to Thursday",
        },
    )
    assert suggested.status_code == 202, suggested.text
    url = f"/corrections/{suggested.json()['id']}/accept"

    responses = await asyncio.gather(
        *(live_client.post(url, headers=world.district_admin) for _ in range(3))
    )

    assert statuses(responses) == [200, 409, 409], [r.text for r in responses]
    history = await live_client.get(
        f"/services/{world.service_id}/history", headers=world.district_admin
    )
    changes = [c for c in history.json()["contents"] if c["field_name"] == "description"]
    assert len(changes) == 1
    async with AsyncSession(engine) as session:
        service = await session.get(Service, world.service_id)
        assert service is not None
        assert service.description == "Free legal advice, Sunday to Thursday"
