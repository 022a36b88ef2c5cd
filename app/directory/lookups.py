"""Loading the records a maintenance request names, or the error that says it does not exist."""

import uuid
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.actor import Actor, Reach
from app.core.errors import Location as InputLocation
from app.directory.errors import (
    NothingToChange,
    RecordNotFound,
    UnknownDistrict,
    UnknownOrganization,
)
from app.directory.models import (
    Location,
    Organization,
    Phone,
    Service,
    ServiceAtLocation,
)
from app.directory.policy import authorize
from app.gazetteer.service import find_places


async def get_record(
    session: AsyncSession, model: type[Any], record_id: uuid.UUID | None, name: str
) -> Any:
    record = await session.get(model, record_id) if record_id is not None else None
    if record is None:
        raise RecordNotFound(kind=name, record_id=record_id)
    return record


async def organization_for(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID | None, field: str
) -> Organization:
    org = await session.get(Organization, organization_id) if organization_id else None
    if org is None:
        raise UnknownOrganization(field=field)
    authorize(actor, org)
    return org


async def resolve_district(
    session: AsyncSession, value: str, field: str = "district", location: InputLocation = "body"
) -> str:
    """A district pcode from a pcode or any known name, or 422 naming the input."""
    places = await find_places(session, value=value, level="district")
    if len(places) != 1:
        raise UnknownDistrict(field=field, location=location, value=value)
    return places[0].pcode


async def service_ids_of_org(session: AsyncSession, org_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        (
            await session.execute(select(Service.id).where(Service.organization_id == org_id))
        ).scalars()
    )


async def service_ids_at(session: AsyncSession, location_id: uuid.UUID) -> list[uuid.UUID]:
    stmt = select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id == location_id)
    return list((await session.execute(stmt)).scalars())


async def organization_of(
    session: AsyncSession, resource_type: str, resource_id: uuid.UUID
) -> Organization:
    """The organization responsible for a record (for permissions and the moderation queue)."""
    model: type[Any] = {
        "organization": Organization,
        "service": Service,
        "location": Location,
        "phone": Phone,
    }[resource_type]
    record = await get_record(session, model, resource_id, resource_type)
    org_id: uuid.UUID | None
    if isinstance(record, Organization):
        return record
    if isinstance(record, Phone):
        if record.organization_id:
            org_id = record.organization_id
        elif record.service_id:
            org_id = (
                await get_record(session, Service, record.service_id, "service")
            ).organization_id
        else:
            assert record.location_id is not None
            org_id = (
                await get_record(session, Location, record.location_id, "location")
            ).organization_id
    else:
        org_id = record.organization_id
    org: Organization = await get_record(session, Organization, org_id, "organization")
    return org


def check_not_empty(data: BaseModel) -> None:
    """A PATCH must change something."""
    if not data.model_fields_set:
        raise NothingToChange()


def within_reach(reach: Reach, *org_columns: Any) -> list[ColumnElement[bool]]:
    """The conditions (none for everything) that a row, whose organizations are in
    `org_columns`, is within the reach: one of them is the reach's organization or lies in
    one of its districts."""
    if reach.everything:
        return []
    alternatives: list[ColumnElement[bool]] = []
    if reach.organization_id is not None:
        alternatives += [column == reach.organization_id for column in org_columns]
    if reach.districts:
        in_districts = select(Organization.id).where(
            Organization.district_pcode.in_(sorted(reach.districts))
        )
        alternatives += [column.in_(in_districts) for column in org_columns]
    return [or_(*alternatives) if alternatives else false()]
