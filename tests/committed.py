"""Committed records for tests whose requests run in transactions of their own (races, commit
failures): two organizations of their own, a service and accounts, taken out of the directory
again afterwards so that no other test sees them."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.models import User, UserDistrict
from app.auth.service import issue_token
from app.main import create_app
from tests.accounts import PASSWORD_HASH
from tests.builders import make_organization, make_service
from tests.statuses import recording

Headers = dict[str, str]


@dataclass
class World:
    referrer_id: uuid.UUID
    provider_id: uuid.UUID
    service_id: uuid.UUID
    referrer: Headers
    provider: Headers
    admin: Headers
    district_admin: Headers


async def committed_user(
    session: AsyncSession, organization_id: uuid.UUID, role: str, districts: tuple[str, ...] = ()
) -> Headers:
    """A committed account's authorization header."""
    user = User(
        id=uuid.uuid4(),
        email=f"{role}-{uuid.uuid4().hex[:8]}@committed.example",
        password_hash=PASSWORD_HASH,
        organization_id=organization_id,
        role=role,
    )
    user.districts = [UserDistrict(district_pcode=d) for d in districts]
    session.add(user)
    await session.flush()
    return {"Authorization": f"Bearer {issue_token(user).access_token}"}


@asynccontextmanager
async def committed_world(engine: AsyncEngine) -> AsyncIterator[World]:
    """Two new organizations in Jashore (BD4041), a legal aid service of the second, and
    caseworkers of both; all of it, and what the test's requests made, is deleted afterwards."""
    tag = uuid.uuid4().hex[:6]
    async with AsyncSession(engine, expire_on_commit=False) as session:
        referrer = await make_organization(session, name=f"Committed referrer {tag}")
        provider = await make_organization(session, name=f"Committed provider {tag}")
        referrer.district_pcode = provider.district_pcode = "BD4041"
        service = await make_service(
            session,
            name=f"Committed legal aid {tag}",
            categories=("legal_aid",),
            area_pcodes=("BD4041",),
            organization=provider,
        )
        world = World(
            referrer_id=referrer.id,
            provider_id=provider.id,
            service_id=service.id,
            referrer=await committed_user(session, referrer.id, "caseworker"),
            provider=await committed_user(session, provider.id, "caseworker"),
            admin=await committed_user(session, referrer.id, "admin"),
            district_admin=await committed_user(
                session, referrer.id, "district_admin", ("BD4041",)
            ),
        )
        await session.commit()
    try:
        yield world
    finally:
        await _remove(engine, [referrer.id, provider.id], service.id)


# what the committed world's requests can leave behind, children first
CLEANUP = """
DELETE FROM referral_event WHERE referral_id IN (SELECT id FROM referral WHERE {orgs});
DELETE FROM idempotency_key WHERE organization_id = ANY(:orgs);
DELETE FROM notification_outbox WHERE organization_id = ANY(:orgs);
DELETE FROM referral WHERE {orgs};
DELETE FROM mou
  WHERE referring_organization_id = ANY(:orgs) OR provider_organization_id = ANY(:orgs);
DELETE FROM correction WHERE organization_id = ANY(:orgs);
DELETE FROM record_change WHERE organization_id = ANY(:orgs);
DELETE FROM audit_event WHERE organization_id = ANY(:orgs);
DELETE FROM user_district
  WHERE user_id IN (SELECT id FROM app_user WHERE organization_id = ANY(:orgs));
DELETE FROM app_user WHERE organization_id = ANY(:orgs);
DELETE FROM service_search WHERE {services};
DELETE FROM service_search_text WHERE {services};
DELETE FROM search_outbox WHERE {services};
DELETE FROM attribute WHERE link_id = :service
  OR link_id IN (SELECT id FROM service WHERE organization_id = ANY(:orgs));
DELETE FROM service_area WHERE {services};
DELETE FROM cost_option WHERE {services};
DELETE FROM phone WHERE {services};
DELETE FROM schedule WHERE {services};
DELETE FROM service_at_location WHERE {services};
DELETE FROM service WHERE id = :service OR organization_id = ANY(:orgs);
DELETE FROM organization WHERE id = ANY(:orgs)
""".format(
    orgs="referring_organization_id = ANY(:orgs) OR provider_organization_id = ANY(:orgs)",
    # the world's service and any its requests added (triggers and cascades stand aside here)
    services="service_id = :service"
    " OR service_id IN (SELECT id FROM service WHERE organization_id = ANY(:orgs))",
)


async def _remove(engine: AsyncEngine, orgs: list[uuid.UUID], service: uuid.UUID) -> None:
    """Delete the world again; the referral events' append-only trigger stands aside for it
    (`session_replication_role`, as for a restore)."""
    async with AsyncSession(engine) as session:
        await session.execute(text("SET LOCAL session_replication_role = replica"))
        for statement in CLEANUP.split(";\n"):
            await session.execute(text(statement), {"orgs": orgs, "service": service})
        await session.commit()


@asynccontextmanager
async def committed_client() -> AsyncIterator[AsyncClient]:
    """A client of the app with its real sessions: every request commits on its own connection."""
    async with AsyncClient(
        transport=ASGITransport(app=recording(create_app()), raise_app_exceptions=False),
        base_url="http://testserver",
    ) as http:
        yield http
