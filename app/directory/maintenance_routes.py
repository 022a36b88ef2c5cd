"""Directory write API for maintainers: organizations, services, locations, phones, schedules,
category links, verification and change history."""

import uuid
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app.auth.deps import CurrentActor
from app.core.db import SessionDep
from app.core.middleware import CrossOrigin
from app.core.pagination import Page, PageNumber, PerPage
from app.directory import contacts, history, locations, lookups, organizations, services
from app.directory import service as directory
from app.directory.confidential import viewer_for
from app.directory.deps import (
    LocationDep,
    OrganizationDep,
    PhoneDep,
    ScheduleDep,
    ServiceDep,
)
from app.directory.models import Phone, Schedule
from app.directory.schemas import (
    LocationRead,
    OrganizationRead,
    PhoneRead,
    RecordChangeRead,
    ScheduleRead,
    ServiceFull,
)
from app.directory.write_schemas import (
    LocationCreate,
    LocationUpdate,
    OrganizationCreate,
    OrganizationUpdate,
    PhoneCreate,
    PhoneUpdate,
    ScheduleCreate,
    ScheduleUpdate,
    ServiceCreate,
    ServiceUpdate,
)

router = APIRouter(tags=["directory maintenance"])
# what other origins may call (SplitCORS): the reads here are not public
cross_origin = CrossOrigin(private_read_suffixes=("/history",))


async def _history(
    session: SessionDep,
    actor: CurrentActor,
    resource_type: str,
    resource_id: uuid.UUID,
    page: int,
    per_page: int,
) -> Page[RecordChangeRead]:
    rows, total = await history.history(
        session,
        actor,
        resource_type=resource_type,
        resource_id=resource_id,
        page=page,
        per_page=per_page,
    )
    return Page[RecordChangeRead].build(
        contents=[RecordChangeRead.model_validate(r) for r in rows],
        total=total,
        page=page,
        per_page=per_page,
    )


async def _organization(
    session: SessionDep, actor: CurrentActor, org_id: uuid.UUID
) -> OrganizationRead:
    viewer = await viewer_for(session, actor)
    return await directory.get_organization(session, organization_id=str(org_id), viewer=viewer)


async def _service(session: SessionDep, actor: CurrentActor, service_id: uuid.UUID) -> ServiceFull:
    viewer = await viewer_for(session, actor)
    return await directory.get_service(session, service_id=str(service_id), viewer=viewer)


@router.post(
    "/organizations",
    status_code=201,
    response_model=OrganizationRead,
    response_model_exclude_none=True,
)
async def create_organization(
    session: SessionDep, actor: CurrentActor, body: OrganizationCreate
) -> OrganizationRead:
    """Add an organization, with its home district (admins and the district's admins)."""
    org = await organizations.create_organization(session, actor, body)
    return await _organization(session, actor, org.id)


@router.patch(
    "/organizations/{organization_id}",
    response_model=OrganizationRead,
    response_model_exclude_none=True,
)
async def update_organization(
    session: SessionDep, actor: CurrentActor, org: OrganizationDep, body: OrganizationUpdate
) -> OrganizationRead:
    """Change an organization; `active: false` deactivates it and takes its services out of
    search."""
    lookups.check_not_empty(body)
    await organizations.update_organization(session, actor, org=org, data=body)
    return await _organization(session, actor, org.id)


@router.post(
    "/organizations/{organization_id}/verify",
    response_model=OrganizationRead,
    response_model_exclude_none=True,
)
async def verify_organization(
    session: SessionDep, actor: CurrentActor, org: OrganizationDep
) -> OrganizationRead:
    """Record that the entry was checked today (`assured_date`, and `assured_by`: your
    organization)."""
    await organizations.verify_organization(session, actor, org=org)
    return await _organization(session, actor, org.id)


@router.get("/organizations/{organization_id}/history", response_model=Page[RecordChangeRead])
async def read_organization_history(
    session: SessionDep,
    actor: CurrentActor,
    org: OrganizationDep,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> Page[RecordChangeRead]:
    """Every change to the organization's own fields, newest first (its maintainers only)."""
    return await _history(session, actor, "organization", org.id, page, per_page)


@router.post(
    "/services", status_code=201, response_model=ServiceFull, response_model_exclude_none=True
)
async def create_service(
    session: SessionDep, actor: CurrentActor, body: ServiceCreate
) -> ServiceFull:
    """Add a service to an organization you maintain; it is searchable at once."""
    service = await services.create_service(session, actor, body)
    return await _service(session, actor, service.id)


@router.patch(
    "/services/{service_id}", response_model=ServiceFull, response_model_exclude_none=True
)
async def update_service(
    session: SessionDep, actor: CurrentActor, service: ServiceDep, body: ServiceUpdate
) -> ServiceFull:
    """Change a service; `status: inactive` deactivates it (it leaves search)."""
    lookups.check_not_empty(body)
    await services.update_service(session, actor, service=service, data=body)
    return await _service(session, actor, service.id)


@router.post(
    "/services/{service_id}/verify", response_model=ServiceFull, response_model_exclude_none=True
)
async def verify_service(
    session: SessionDep, actor: CurrentActor, service: ServiceDep
) -> ServiceFull:
    """Record that the service's entry was checked today."""
    await services.verify_service(session, actor, service=service)
    return await _service(session, actor, service.id)


@router.put(
    "/services/{service_id}/categories/{code}",
    response_model=ServiceFull,
    response_model_exclude_none=True,
)
async def link_service_category(
    session: SessionDep, actor: CurrentActor, service: ServiceDep, code: str
) -> ServiceFull:
    """Add a category to a service."""
    await services.set_category(session, actor, service=service, code=code, linked=True)
    return await _service(session, actor, service.id)


@router.delete(
    "/services/{service_id}/categories/{code}",
    response_model=ServiceFull,
    response_model_exclude_none=True,
)
async def unlink_service_category(
    session: SessionDep, actor: CurrentActor, service: ServiceDep, code: str
) -> ServiceFull:
    """Remove a category from a service (it keeps at least one)."""
    await services.set_category(session, actor, service=service, code=code, linked=False)
    return await _service(session, actor, service.id)


@router.get("/services/{service_id}/history", response_model=Page[RecordChangeRead])
async def read_service_history(
    session: SessionDep,
    actor: CurrentActor,
    service: ServiceDep,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> Page[RecordChangeRead]:
    """Every change to the service, newest first (its maintainers only)."""
    return await _history(session, actor, "service", service.id, page, per_page)


@router.post(
    "/locations", status_code=201, response_model=LocationRead, response_model_exclude_none=True
)
async def create_location(
    session: SessionDep, actor: CurrentActor, body: LocationCreate
) -> LocationRead:
    """Add a place; its division, district, upazila and union come from its point."""
    location = await locations.create_location(session, actor, body)
    return await directory.get_location(session, location_id=location.id)


@router.patch(
    "/locations/{location_id}", response_model=LocationRead, response_model_exclude_none=True
)
async def update_location(
    session: SessionDep, actor: CurrentActor, location: LocationDep, body: LocationUpdate
) -> LocationRead:
    """Change a place (a new point moves its services in search)."""
    lookups.check_not_empty(body)
    await locations.update_location(session, actor, location=location, data=body)
    return await directory.get_location(session, location_id=location.id)


@router.delete("/locations/{location_id}", status_code=204)
async def delete_location(
    session: SessionDep, actor: CurrentActor, location: LocationDep
) -> Response:
    """Remove a place and its service links."""
    await locations.delete_location(session, actor, location=location)
    return Response(status_code=204)


@router.get("/locations/{location_id}/history", response_model=Page[RecordChangeRead])
async def read_location_history(
    session: SessionDep,
    actor: CurrentActor,
    location: LocationDep,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> Page[RecordChangeRead]:
    """Every change to the place, newest first (its maintainers only)."""
    return await _history(session, actor, "location", location.id, page, per_page)


def _read(model: type[BaseModel], record: Any) -> Any:
    return model.model_validate({c.key: getattr(record, c.key) for c in record.__table__.columns})


@router.post("/phones", status_code=201, response_model=PhoneRead, response_model_exclude_none=True)
async def create_phone(session: SessionDep, actor: CurrentActor, body: PhoneCreate) -> PhoneRead:
    """Add a phone number to a service, location or organization."""
    phone: Phone = await contacts.create_phone(session, actor, body)
    return _read(PhoneRead, phone)  # type: ignore[no-any-return]


@router.patch("/phones/{phone_id}", response_model=PhoneRead, response_model_exclude_none=True)
async def update_phone(
    session: SessionDep, actor: CurrentActor, phone: PhoneDep, body: PhoneUpdate
) -> PhoneRead:
    """Change a phone number."""
    lookups.check_not_empty(body)
    changed = await contacts.update_phone(session, actor, phone=phone, data=body)
    return _read(PhoneRead, changed)  # type: ignore[no-any-return]


@router.delete("/phones/{phone_id}", status_code=204)
async def delete_phone(session: SessionDep, actor: CurrentActor, phone: PhoneDep) -> Response:
    """Remove a phone number."""
    await contacts.delete_phone(session, actor, phone=phone)
    return Response(status_code=204)


@router.post(
    "/schedules", status_code=201, response_model=ScheduleRead, response_model_exclude_none=True
)
async def create_schedule(
    session: SessionDep, actor: CurrentActor, body: ScheduleCreate
) -> ScheduleRead:
    """Add opening hours to a service or location."""
    schedule: Schedule = await contacts.create_schedule(session, actor, body)
    return _read(ScheduleRead, schedule)  # type: ignore[no-any-return]


@router.patch(
    "/schedules/{schedule_id}", response_model=ScheduleRead, response_model_exclude_none=True
)
async def update_schedule(
    session: SessionDep, actor: CurrentActor, schedule: ScheduleDep, body: ScheduleUpdate
) -> ScheduleRead:
    """Change opening hours."""
    lookups.check_not_empty(body)
    changed = await contacts.update_schedule(session, actor, schedule=schedule, data=body)
    return _read(ScheduleRead, changed)  # type: ignore[no-any-return]


@router.delete("/schedules/{schedule_id}", status_code=204)
async def delete_schedule(
    session: SessionDep, actor: CurrentActor, schedule: ScheduleDep
) -> Response:
    """Remove opening hours."""
    await contacts.delete_schedule(session, actor, schedule=schedule)
    return Response(status_code=204)
