"""Adding, changing and removing locations."""

import uuid
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.actor import Actor
from app.directory.errors import OnlyPlaceOfServices
from app.directory.history import apply_values, record_changes, values_of
from app.directory.lookups import get_record, organization_for, service_ids_at
from app.directory.models import (
    Address,
    Location,
    Service,
    ServiceArea,
    ServiceAtLocation,
)
from app.directory.write_schemas import (
    LocationCreate,
    LocationUpdate,
)
from search.refresh import refresh


async def create_location(session: AsyncSession, actor: Actor, data: LocationCreate) -> Location:
    """A new place of an organization the actor maintains; admin codes come from its point."""
    await organization_for(session, actor, data.organization_id, "organization_id")
    values = values_of(data, exclude={"address", "latitude", "longitude"})
    location = Location(
        id=uuid.uuid4(),
        location_type="physical",
        data_source="maintainer",
        latitude=Decimal(f"{data.latitude:.6f}"),
        longitude=Decimal(f"{data.longitude:.6f}"),
        coordinates_source="maintainer",
        **values,
    )
    session.add(location)
    await session.flush()
    if data.address:
        session.add(
            Address(
                id=uuid.uuid4(),
                location_id=location.id,
                country="BD",
                address_type="physical",
                **data.address.model_dump(),
            )
        )
    after = values | {"latitude": location.latitude, "longitude": location.longitude}
    if data.address:
        after["address"] = data.address.address_1
    await record_changes(
        session,
        actor,
        resource_type="location",
        resource_id=location.id,
        organization_id=location.organization_id,
        action="create",
        before={},
        after=after,
    )
    return location


async def location_for(session: AsyncSession, actor: Actor, location_id: uuid.UUID) -> Location:
    """The location a request body names, if the actor maintains it."""
    location: Location = await get_record(session, Location, location_id, "location")
    await organization_for(session, actor, location.organization_id, "organization_id")
    return location


async def update_location(
    session: AsyncSession, actor: Actor, *, location: Location, data: LocationUpdate
) -> Location:
    """Change a place; a new point gets new admin codes and moves its services in search."""
    await organization_for(session, actor, location.organization_id, "organization_id")
    values = values_of(data, exclude={"latitude", "longitude"})
    if data.latitude is not None and data.longitude is not None:
        values |= {
            "latitude": Decimal(f"{data.latitude:.6f}"),
            "longitude": Decimal(f"{data.longitude:.6f}"),
        }
    before, after = apply_values(location, values)
    await record_changes(
        session,
        actor,
        resource_type="location",
        resource_id=location.id,
        organization_id=location.organization_id,
        action="update",
        before=before,
        after=after,
    )
    await session.flush()
    await session.refresh(location)
    await refresh(session, await service_ids_at(session, location.id))
    return location


async def delete_location(session: AsyncSession, actor: Actor, *, location: Location) -> None:
    """Remove a place (and its service-at-location links); its services leave its area."""
    await organization_for(session, actor, location.organization_id, "organization_id")
    service_ids = await service_ids_at(session, location.id)
    stranded = await _only_place_of(session, location.id, service_ids)
    if stranded:
        names = ", ".join(sorted(name for name, _ in stranded))
        names_bn = ", ".join(sorted(name_bn or name for name, name_bn in stranded))
        raise OnlyPlaceOfServices(names=names, names_bn=names_bn)
    await record_changes(
        session,
        actor,
        resource_type="location",
        resource_id=location.id,
        organization_id=location.organization_id,
        action="deactivate",
        before={"name": location.name},
        after={"name": None},
    )
    await session.delete(location)
    await refresh(session, service_ids)


async def _only_place_of(
    session: AsyncSession, location_id: uuid.UUID, service_ids: list[uuid.UUID]
) -> list[tuple[str, str | None]]:
    """The names (English, Bangla) of the services that would be nowhere without this
    location."""
    elsewhere = select(ServiceAtLocation.id).where(
        ServiceAtLocation.service_id == Service.id, ServiceAtLocation.location_id != location_id
    )
    serving = select(ServiceArea.id).where(ServiceArea.service_id == Service.id)
    stmt = select(Service.name, Service.name_bn).where(
        Service.id.in_(service_ids), ~exists(elsewhere), ~exists(serving)
    )
    return list((await session.execute(stmt)).tuples())
