"""Committed records for tests whose requests run in transactions of their own (races, commit
failures): two organizations of their own, a service and accounts, taken out of the directory
again afterwards so that no other test sees them."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from httpx import ASGITransport, AsyncClient
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.models import User, UserDistrict
from app.auth.service import issue_token
from app.directory.models import Organization, Service
from app.main import create_app
from tests.accounts import PASSWORD_HASH
from tests.builders import make_organization, make_service

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
    user = User(id=uuid.uuid4(), email=f"{role}-{uuid.uuid4().hex[:8]}@committed.example",
                password_hash=PASSWORD_HASH, organization_id=organization_id, role=role)  # fmt: skip
    user.districts = [UserDistrict(district_pcode=d) for d in districts]
    session.add(user)
    await session.flush()
    return {"Authorization": f"Bearer {issue_token(user).access_token}"}


@asynccontextmanager
async def committed_world(engine: AsyncEngine) -> AsyncIterator[World]:
    """Two new organizations in Jashore (BD4041), a legal aid service of the second, and
    caseworkers of both; the service and organizations leave the directory afterwards."""
    tag = uuid.uuid4().hex[:6]
    async with AsyncSession(engine, expire_on_commit=False) as session:
        referrer = await make_organization(session, name=f"Committed referrer {tag}")
        provider = await make_organization(session, name=f"Committed provider {tag}")
        referrer.district_pcode = provider.district_pcode = "BD4041"
        service = await make_service(
            session, name=f"Committed legal aid {tag}", categories=("legal_aid",),
            area_pcodes=("BD4041",), organization=provider,
        )  # fmt: skip
        world = World(
            referrer_id=referrer.id, provider_id=provider.id, service_id=service.id,
            referrer=await committed_user(session, referrer.id, "caseworker"),
            provider=await committed_user(session, provider.id, "caseworker"),
            admin=await committed_user(session, referrer.id, "admin"),
            district_admin=await committed_user(session, referrer.id, "district_admin", ("BD4041",)),
        )  # fmt: skip
        await session.commit()
    try:
        yield world
    finally:
        async with AsyncSession(engine) as session:
            await session.execute(
                update(Service).where(Service.id == service.id).values(status="defunct")
            )
            await session.execute(
                update(Organization)
                .where(Organization.id.in_([referrer.id, provider.id]))
                .values(active=False)
            )
            await session.execute(
                text("SELECT refresh_service_search(:ids)"), {"ids": [service.id]}
            )
            await session.commit()


@asynccontextmanager
async def committed_client() -> AsyncIterator[AsyncClient]:
    """A client of the app with its real sessions: every request commits on its own connection."""
    async with AsyncClient(
        transport=ASGITransport(app=create_app(), raise_app_exceptions=False),
        base_url="http://testserver",
    ) as http:
        yield http
