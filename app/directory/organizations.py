"""Adding, changing and verifying organizations."""

import uuid

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.actor import Actor
from app.directory.errors import InvalidPattern, NotYourEntry
from app.directory.history import apply_values, record_changes, values_of
from app.directory.lookups import resolve_district, service_ids_of_org
from app.directory.models import (
    Organization,
    Service,
)
from app.directory.policy import (
    assurance_of,
    authorize,
    may_create_org,
    may_move_org,
)
from app.directory.write_schemas import (
    OrganizationCreate,
    OrganizationUpdate,
)
from search.refresh import refresh


async def create_organization(
    session: AsyncSession, actor: Actor, data: OrganizationCreate
) -> Organization:
    """A new organization in a district the actor maintains (national ones: admins only)."""
    district = await resolve_district(session, data.district) if data.district else None
    if not may_create_org(actor, district=district):
        raise NotYourEntry()
    values = values_of(data, exclude={"district"}) | {"district_pcode": district}
    org = Organization(id=uuid.uuid4(), data_source="maintainer", **values)
    session.add(org)
    await session.flush()
    await record_changes(
        session,
        actor,
        resource_type="organization",
        resource_id=org.id,
        organization_id=org.id,
        action="create",
        before={},
        after=values,
    )
    return org


async def update_organization(
    session: AsyncSession, actor: Actor, *, org: Organization, data: OrganizationUpdate
) -> Organization:
    """Change fields of an organization (`active: false` deactivates it and its services)."""
    authorize(actor, org)
    values = values_of(data, exclude={"district"})
    if "district" in data.model_fields_set:
        district = await resolve_district(session, data.district) if data.district else None
        if not may_move_org(actor, org, district=district):
            raise NotYourEntry()
        values["district_pcode"] = district
    if values.get("case_ref_pattern") is not None:
        await _check_pattern(session, values["case_ref_pattern"])
    before, after = apply_values(org, values)
    await record_changes(
        session,
        actor,
        resource_type="organization",
        resource_id=org.id,
        organization_id=org.id,
        action="deactivate" if values.get("active") is False else "update",
        before=before,
        after=after,
    )
    vouched = (
        await _service_ids_vouched_by(session, org.id) if {"name", "name_bn"} & set(values) else []
    )
    await refresh(session, [*await service_ids_of_org(session, org.id), *vouched])
    return org


async def _check_pattern(session: AsyncSession, pattern: str) -> None:
    """422 unless PostgreSQL, which matches case references, accepts the regular expression."""
    try:
        async with session.begin_nested():
            await session.execute(text("SELECT '' ~ :pattern"), {"pattern": pattern})
    except DBAPIError as exc:
        raise InvalidPattern() from exc


async def _service_ids_vouched_by(session: AsyncSession, org_id: uuid.UUID) -> list[uuid.UUID]:
    """Services whose list items name this organization as `assured_by` (theirs or their
    organization's)."""
    stmt = (
        select(Service.id)
        .join(Organization, Organization.id == Service.organization_id)
        .where(
            (Service.assurer_organization_id == org_id)
            | (Organization.assurer_organization_id == org_id)
        )
    )
    return list((await session.execute(stmt)).scalars())


async def verify_organization(
    session: AsyncSession, actor: Actor, *, org: Organization
) -> Organization:
    """Mark an organization's entry as checked today by the actor."""
    authorize(actor, org)
    before, after = apply_values(org, assurance_of(actor))
    await record_changes(
        session,
        actor,
        resource_type="organization",
        resource_id=org.id,
        organization_id=org.id,
        action="verify",
        before=before,
        after=after,
    )
    await refresh(session, await service_ids_of_org(session, org.id))
    return org
