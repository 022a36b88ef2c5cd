"""Builders of users and tokens for tests."""

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User, UserDistrict
from app.auth.service import hash_password, issue_token
from app.directory.models import Organization

PASSWORD = "correct horse battery staple"
PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per run


@dataclass
class Account:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def organization_id(session: AsyncSession, slug: str) -> uuid.UUID:
    return (
        await session.execute(select(Organization.id).where(Organization.slug == slug))
    ).scalar_one()


async def make_account(
    session: AsyncSession,
    *,
    role: str,
    organization: str = "rights-jessore",
    districts: tuple[str, ...] = (),
    email: str | None = None,
) -> Account:
    """A user of a seeded organization (by slug) with a fresh token."""
    user = User(
        id=uuid.uuid4(),
        email=email or f"{role}-{uuid.uuid4().hex[:8]}@test.example",
        password_hash=PASSWORD_HASH,
        organization_id=await organization_id(session, organization),
        role=role,
    )
    user.districts = [UserDistrict(district_pcode=d) for d in districts]
    session.add(user)
    await session.flush()
    await session.refresh(user)
    return Account(user, issue_token(user).access_token)
