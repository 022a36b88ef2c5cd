"""Phones and opening hours (schedules) of organizations, services and locations."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.actor import Actor
from app.core.errors import Rule
from app.directory.errors import OutOfOrder
from app.directory.history import apply_values, record_changes
from app.directory.locations import location_for
from app.directory.lookups import organization_for, service_ids_at, service_ids_of_org
from app.directory.models import (
    Phone,
    Schedule,
)
from app.directory.services import service_for
from app.directory.write_schemas import (
    PhoneCreate,
    PhoneUpdate,
    ScheduleCreate,
    ScheduleUpdate,
    check_schedule,
)
from search.refresh import refresh


async def _phone_owner_org(
    session: AsyncSession, actor: Actor, phone: Phone | PhoneCreate
) -> tuple[uuid.UUID | None, list[uuid.UUID]]:
    """The organization a phone belongs to (authorised) and the services whose search shows it."""
    if phone.service_id is not None:
        service = await service_for(session, actor, phone.service_id)
        return service.organization_id, [service.id]
    if phone.location_id is not None:
        location = await location_for(session, actor, phone.location_id)
        return location.organization_id, await service_ids_at(session, location.id)
    org = await organization_for(session, actor, phone.organization_id, "organization_id")
    return org.id, await service_ids_of_org(session, org.id)


async def create_phone(session: AsyncSession, actor: Actor, data: PhoneCreate) -> Phone:
    """A new phone number of a service, location or organization."""
    org_id, service_ids = await _phone_owner_org(session, actor, data)
    values = data.model_dump(exclude_unset=True)
    phone = Phone(id=uuid.uuid4(), source_note=f"entered by {actor.email}", **values)
    session.add(phone)
    await session.flush()
    await record_changes(
        session,
        actor,
        resource_type="phone",
        resource_id=phone.id,
        organization_id=org_id,
        action="create",
        before={},
        after=values,
    )
    await refresh(session, service_ids)
    return phone


async def update_phone(
    session: AsyncSession, actor: Actor, *, phone: Phone, data: PhoneUpdate
) -> Phone:
    """Change a phone number or its description."""
    org_id, service_ids = await _phone_owner_org(session, actor, phone)
    before, after = apply_values(phone, data.model_dump(exclude_unset=True))
    await record_changes(
        session,
        actor,
        resource_type="phone",
        resource_id=phone.id,
        organization_id=org_id,
        action="update",
        before=before,
        after=after,
    )
    await refresh(session, service_ids)
    return phone


async def delete_phone(session: AsyncSession, actor: Actor, *, phone: Phone) -> None:
    """Remove a phone number."""
    org_id, service_ids = await _phone_owner_org(session, actor, phone)
    await record_changes(
        session,
        actor,
        resource_type="phone",
        resource_id=phone.id,
        organization_id=org_id,
        action="deactivate",
        before={"number": phone.number},
        after={"number": None},
    )
    await session.delete(phone)
    await refresh(session, service_ids)


async def _schedule_owner(
    session: AsyncSession, actor: Actor, owner: Schedule | ScheduleCreate
) -> uuid.UUID | None:
    """The organization whose service or location the schedule belongs to (authorised)."""
    if owner.service_id is not None:
        return (await service_for(session, actor, owner.service_id)).organization_id
    assert owner.location_id is not None
    return (await location_for(session, actor, owner.location_id)).organization_id


def _schedule_values(data: ScheduleCreate | ScheduleUpdate) -> dict[str, Any]:
    values = data.model_dump(exclude_unset=True)
    if "byday" in values:
        values["byday"] = ",".join(values["byday"]) if values["byday"] else None
    return values


async def create_schedule(session: AsyncSession, actor: Actor, data: ScheduleCreate) -> Schedule:
    """Opening hours of a service or location."""
    org_id = await _schedule_owner(session, actor, data)
    values = _schedule_values(data)
    schedule = Schedule(id=uuid.uuid4(), **values)
    session.add(schedule)
    await session.flush()
    await record_changes(
        session,
        actor,
        resource_type="schedule",
        resource_id=schedule.id,
        organization_id=org_id,
        action="create",
        before={},
        after=values,
    )
    return schedule


async def update_schedule(
    session: AsyncSession, actor: Actor, *, schedule: Schedule, data: ScheduleUpdate
) -> Schedule:
    """Change opening hours."""
    org_id = await _schedule_owner(session, actor, schedule)
    before, after = apply_values(schedule, _schedule_values(data))
    try:
        check_schedule(
            schedule.opens_at, schedule.closes_at, schedule.valid_from, schedule.valid_to
        )
    except Rule as exc:
        raise OutOfOrder(field=exc.field, problem=exc.en, problem_bn=exc.bn) from exc
    await record_changes(
        session,
        actor,
        resource_type="schedule",
        resource_id=schedule.id,
        organization_id=org_id,
        action="update",
        before=before,
        after=after,
    )
    return schedule


async def delete_schedule(session: AsyncSession, actor: Actor, *, schedule: Schedule) -> None:
    """Remove opening hours."""
    org_id = await _schedule_owner(session, actor, schedule)
    await record_changes(
        session,
        actor,
        resource_type="schedule",
        resource_id=schedule.id,
        organization_id=org_id,
        action="deactivate",
        before={"description": schedule.description},
        after={"description": None},
    )
    await session.delete(schedule)
