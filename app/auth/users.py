"""User administration over the API: who may see and manage which accounts."""

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.audit.context import touch
from app.auth.actor import Actor, Role
from app.auth.errors import (
    AccountNotManaged,
    DistrictsOnlyForDistrictAdmins,
    EmailTaken,
    NoSuchOrganization,
    OwnAccount,
    RoleNeedsDistricts,
    UserNotFound,
)
from app.auth.models import User, UserDistrict
from app.auth.service import account_key, hash_password
from app.core.pagination import fetch_page
from app.directory.lookups import resolve_district
from app.directory.models import Organization

# Roles each role may give: admins any; district and organization admins no more than their own
# level.
GRANTABLE: dict[str, tuple[str, ...]] = {
    Role.ADMIN: (Role.ADMIN, Role.DISTRICT_ADMIN, Role.ORG_ADMIN, Role.CASEWORKER),
    Role.DISTRICT_ADMIN: (Role.ORG_ADMIN, Role.CASEWORKER),
    Role.ORG_ADMIN: (Role.ORG_ADMIN, Role.CASEWORKER),
}


UNIQUE_VIOLATION = "23505"


def _may_manage(actor: Actor, org: Organization) -> bool:
    if actor.role == Role.ADMIN:
        return True
    if actor.role == Role.DISTRICT_ADMIN:
        return org.district_pcode is not None and org.district_pcode in actor.districts
    return actor.role == Role.ORG_ADMIN and org.id == actor.organization_id


async def list_users(
    session: AsyncSession, actor: Actor, *, page: int, per_page: int
) -> tuple[list[User], int]:
    """The accounts the actor manages: all (admin), its districts' (district admin), its own
    organization's (organization admin)."""
    if actor.role not in GRANTABLE:
        raise AccountNotManaged()
    conditions: list[Any] = []
    if actor.role == Role.DISTRICT_ADMIN:
        orgs = select(Organization.id).where(
            Organization.district_pcode.in_(sorted(actor.districts))
        )
        conditions.append(User.organization_id.in_(orgs))
    elif actor.role == Role.ORG_ADMIN:
        conditions.append(User.organization_id == actor.organization_id)
    query = (
        select(User).where(*conditions).options(selectinload(User.districts)).order_by(User.email)
    )
    users, total = await fetch_page(session, query, page=page, per_page=per_page)
    touch(*(u.id for u in users))
    return users, total


async def _organization(session: AsyncSession, organization_id: uuid.UUID) -> Organization:
    org = await session.get(Organization, organization_id)
    if org is None:
        raise NoSuchOrganization()
    return org


async def _districts(session: AsyncSession, role: str, districts: list[str]) -> list[str]:
    if (role == Role.DISTRICT_ADMIN) != bool(districts):
        raise DistrictsOnlyForDistrictAdmins()
    return [await resolve_district(session, d, "districts") for d in districts]


async def create_user(
    session: AsyncSession,
    actor: Actor,
    *,
    email: str,
    password: str,
    organization_id: uuid.UUID,
    role: str,
    districts: list[str],
) -> User:
    """A new account of an organization the actor manages, with a role it may grant."""
    org = await _organization(session, organization_id)
    if not _may_manage(actor, org) or role not in GRANTABLE.get(actor.role, ()):
        raise AccountNotManaged()
    pcodes = await _districts(session, role, districts)
    if actor.role != Role.ADMIN and not set(pcodes) <= actor.districts:
        raise AccountNotManaged()
    email = account_key(email)
    taken = EmailTaken(email=email)
    if (await session.execute(select(User.id).where(User.email == email))).first():
        raise taken
    user = User(
        id=uuid.uuid4(),
        email=email,
        password_hash=hash_password(password),
        organization_id=org.id,
        role=role,
    )
    user.districts = [UserDistrict(district_pcode=p) for p in pcodes]
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        # created at the same moment by a concurrent request: the unique index decides
        if getattr(exc.orig, "sqlstate", None) == UNIQUE_VIOLATION:
            raise taken from exc
        raise
    touch(user.id)
    return await get_user(session, actor, user.id)


async def get_user(session: AsyncSession, actor: Actor, user_id: uuid.UUID) -> User:
    """One account the actor manages."""
    stmt = select(User).where(User.id == user_id).options(selectinload(User.districts))
    user = (
        await session.execute(stmt.execution_options(populate_existing=True))
    ).scalar_one_or_none()
    if user is None:
        raise UserNotFound(user_id=user_id)
    if not _may_manage(actor, await _organization(session, user.organization_id)):
        raise AccountNotManaged()
    touch(user.id)
    return user


async def update_user(
    session: AsyncSession,
    actor: Actor,
    user_id: uuid.UUID,
    *,
    active: bool | None,
    role: str | None,
    password: str | None,
) -> User:
    """Disable, re-enable, change the role of or set a new password for an account; any of
    these voids the account's current tokens."""
    user = await get_user(session, actor, user_id)
    if user.id == actor.user_id:
        # no one disables, demotes or re-keys themselves by accident: another admin does it
        raise OwnAccount()
    if user.role not in GRANTABLE.get(actor.role, ()) or (
        role and role not in GRANTABLE[actor.role]
    ):
        raise AccountNotManaged()
    if (
        role is not None
        and role != user.role
        and (role == Role.DISTRICT_ADMIN) != bool(user.districts)
    ):
        raise RoleNeedsDistricts()
    if active is not None:
        user.active = active
    if role is not None:
        user.role = role
    if password is not None:
        user.password_hash = hash_password(password)
    user.tokens_valid_after = func.now()
    await session.flush()
    return await get_user(session, actor, user.id)
