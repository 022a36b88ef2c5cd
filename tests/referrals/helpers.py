"""Builders for MoU and referral tests: organizations, services, MoUs and referrals."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.models import Service
from app.referrals.models import Mou, MouService
from tests.accounts import Account, make_account, organization_id

# The demo MoU (which other tests may load) joins Rights Jessore and this provider: use DAM.
REFERRER = "dhaka-ahsania-mission"
PROVIDER = "district-legal-aid-office-jashore"
PROVIDER_SERVICE = "district-legal-aid-office-jashore--legal-aid"


async def service_id(session: AsyncSession, slug: str = PROVIDER_SERVICE) -> uuid.UUID:
    return (await session.execute(select(Service.id).where(Service.slug == slug))).scalar_one()


async def make_mou(
    session: AsyncSession,
    *,
    referring: str = REFERRER,
    provider: str = PROVIDER,
    status: str = "active",
    valid_from: date | None = None,
    valid_to: date | None = None,
    category: str = "legal_aid",
    service: str | None = PROVIDER_SERVICE,
    quota: int | None = None,
    sla_hours: int | None = 48,
) -> Mou:
    mou = Mou(
        id=uuid.uuid4(),
        reference=f"MOU-{uuid.uuid4().hex[:6]}",
        referring_organization_id=await organization_id(session, referring),
        provider_organization_id=await organization_id(session, provider),
        status=status,
        valid_from=valid_from or date.today() - timedelta(days=30),
        valid_to=valid_to,
    )
    mou.services = [
        MouService(
            id=uuid.uuid4(),
            category=category,
            service_id=await service_id(session, service) if service else None,
            free_of_cost=True,
            quota=quota,
            quota_period="month" if quota else None,
            response_sla_hours=sla_hours,
        )
    ]
    session.add(mou)
    await session.flush()
    return mou


def referral_body(service: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "case_ref": f"RJ-2026-{uuid.uuid4().hex[:6]}",
        "client": {"sex": "female", "age_band": "18-24"},
        "service_id": str(service),
        "reason": "Legal advice on compensation",
        "priority": "routine",
        "consent": {
            "given": True,
            "obtained_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            "scope": "share with the provider",
        },
    }
    body.update(overrides)
    return body


async def refer(
    http: AsyncClient, account: Account, service: uuid.UUID, **overrides: Any
) -> tuple[dict[str, Any], str]:
    response = await http.post(
        "/referrals", json=referral_body(service, **overrides), headers=account.headers
    )
    assert response.status_code == 201, response.text
    return response.json(), response.headers["etag"]


async def parties(session: AsyncSession) -> tuple[Account, Account]:
    """A caseworker of the referring NGO and one of the provider."""
    return (
        await make_account(session, role="caseworker", organization=REFERRER),
        await make_account(session, role="caseworker", organization=PROVIDER),
    )
