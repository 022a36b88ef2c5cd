"""Validating dependencies: a route that takes a record's id in its path gets the record, or the
request ends once, here, with the record kind's 404."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.core.db import SessionDep
from app.core.openapi import raises
from app.directory.errors import OrganizationNotFound, ServiceNotFound
from app.directory.lookups import get_record
from app.directory.models import Location, Organization, Phone, Schedule, Service


@raises(404)
async def organization_record(session: SessionDep, organization_id: uuid.UUID) -> Organization:
    org = await session.get(Organization, organization_id)
    if org is None:
        raise OrganizationNotFound(organization_id=str(organization_id))
    return org


@raises(404)
async def service_record(session: SessionDep, service_id: uuid.UUID) -> Service:
    service = await session.get(Service, service_id)
    if service is None:
        raise ServiceNotFound(service_id=str(service_id))
    return service


@raises(404)
async def location_record(session: SessionDep, location_id: uuid.UUID) -> Location:
    location: Location = await get_record(session, Location, location_id, "location")
    return location


@raises(404)
async def phone_record(session: SessionDep, phone_id: uuid.UUID) -> Phone:
    phone: Phone = await get_record(session, Phone, phone_id, "phone")
    return phone


@raises(404)
async def schedule_record(session: SessionDep, schedule_id: uuid.UUID) -> Schedule:
    schedule: Schedule = await get_record(session, Schedule, schedule_id, "schedule")
    return schedule


OrganizationDep = Annotated[Organization, Depends(organization_record)]
ServiceDep = Annotated[Service, Depends(service_record)]
LocationDep = Annotated[Location, Depends(location_record)]
PhoneDep = Annotated[Phone, Depends(phone_record)]
ScheduleDep = Annotated[Schedule, Depends(schedule_record)]
