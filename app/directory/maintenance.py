"""Directory writes: who may change what, the change history, and keeping search in step."""

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import AnyUrl, BaseModel
from sqlalchemy import delete, exists, func, or_, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.context import Actor, touch
from app.auth.errors import Forbidden
from app.core.errors import Conflict, InvalidField, InvalidParameter, NotFound
from app.directory.models import (
    Address,
    Attribute,
    CostOption,
    Location,
    Organization,
    Phone,
    RecordChange,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
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
    check_schedule,
    ordered,
)
from app.gazetteer.service import find_places
from search.refresh import refresh

MAINTAINER_ROLES = ("admin", "district_admin", "org_admin")


class InvalidReference(InvalidField):
    """A body field names a record or place that does not exist."""

    code = "invalid-reference"


def _forbidden() -> Forbidden:
    return Forbidden(
        "Your role does not allow changing this entry.",
        "আপনার ভূমিকায় এই তথ্য পরিবর্তনের অনুমতি নেই।",
    )


def may_maintain(actor: Actor, *, district: str | None, organization_id: uuid.UUID | None) -> bool:
    """Admins anything; district admins their districts' organizations (not national bodies);
    organization admins their own organization; caseworkers nothing."""
    if actor.role == "admin":
        return True
    if actor.role == "district_admin":
        return district is not None and district in actor.districts
    if actor.role == "org_admin":
        return organization_id is not None and organization_id == actor.organization_id
    return False


def authorize(actor: Actor, org: Organization) -> None:
    """`Forbidden` unless the actor maintains this organization."""
    if not may_maintain(actor, district=org.district_pcode, organization_id=org.id):
        raise _forbidden()


async def _get(
    session: AsyncSession, model: type[Any], record_id: uuid.UUID | None, name: str
) -> Any:
    record = await session.get(model, record_id) if record_id is not None else None
    if record is None:
        raise NotFound(f"No {name} with id {record_id}.", f"{record_id} আইডির কোনো {name} নেই।")
    return record


async def _org_for(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID | None, field: str
) -> Organization:
    org = await session.get(Organization, organization_id) if organization_id else None
    if org is None:
        raise InvalidReference(field, "no such organization", "এমন কোনো সংস্থা নেই")
    authorize(actor, org)
    return org


async def resolve_district(session: AsyncSession, value: str, field: str = "district") -> str:
    """A district pcode from a pcode or any known name, or 422."""
    places = await find_places(session, value=value, level="district")
    if len(places) != 1:
        raise InvalidReference(field, f"unknown district {value!r}", f"অজানা জেলা {value!r}")
    return places[0].pcode


def _plain(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return json.dumps(sorted(str(v) for v in value), ensure_ascii=False)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


async def record_changes(
    session: AsyncSession, actor: Actor, *, resource_type: str, resource_id: uuid.UUID,
    organization_id: uuid.UUID | None, action: str, before: dict[str, Any], after: dict[str, Any],
) -> None:  # fmt: skip
    """One history row per field whose value changed (all given fields on create)."""
    for field in sorted(after):
        old, new = _plain(before.get(field)), _plain(after[field])
        if action == "create" and new is None:
            continue
        if old != new or action != "update":
            session.add(
                RecordChange(
                    resource_id=resource_id, resource_type=resource_type,
                    organization_id=organization_id, last_action_type=action,
                    field_name=field, previous_value=old, replacement_value=new,
                    updated_by=actor.email, updated_by_id=actor.user_id,
                )
            )  # fmt: skip
    touch(resource_id)


async def _service_ids_of_org(session: AsyncSession, org_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        (
            await session.execute(select(Service.id).where(Service.organization_id == org_id))
        ).scalars()
    )


async def _service_ids_at(session: AsyncSession, location_id: uuid.UUID) -> list[uuid.UUID]:
    stmt = select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id == location_id)
    return list((await session.execute(stmt)).scalars())


def _fields(model: BaseModel, *, exclude: set[str]) -> dict[str, Any]:
    """The fields the client sent, as column values (URLs as text)."""
    data = model.model_dump(exclude_unset=True, exclude=exclude)
    return {k: str(v) if isinstance(v, AnyUrl) else v for k, v in data.items()}


def _apply(record: Any, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    before = {field: getattr(record, field) for field in values}
    for field, value in values.items():
        setattr(record, field, value)
    return before, values


# organizations --------------------------------------------------------------------------------


async def create_organization(
    session: AsyncSession, actor: Actor, data: OrganizationCreate
) -> Organization:
    """A new organization in a district the actor maintains (national ones: admins only)."""
    district = await resolve_district(session, data.district) if data.district else None
    if actor.role not in ("admin", "district_admin") or not may_maintain(
        actor, district=district, organization_id=None
    ):
        raise _forbidden()
    values = _fields(data, exclude={"district"}) | {"district_pcode": district}
    org = Organization(id=uuid.uuid4(), data_source="maintainer", **values)
    session.add(org)
    await session.flush()
    await record_changes(session, actor, resource_type="organization", resource_id=org.id, organization_id=org.id,
                         action="create", before={}, after=values)  # fmt: skip
    return org


async def update_organization(
    session: AsyncSession, actor: Actor, org_id: uuid.UUID, data: OrganizationUpdate
) -> Organization:
    """Change fields of an organization (`active: false` deactivates it and its services)."""
    org: Organization = await _get(session, Organization, org_id, "organization")
    authorize(actor, org)
    values = _fields(data, exclude={"district"})
    if "district" in data.model_fields_set:
        district = await resolve_district(session, data.district) if data.district else None
        # moving an organization is allowed only into a district the actor maintains too
        if not may_maintain(actor, district=district, organization_id=org.id) or (
            actor.role == "org_admin" and district != org.district_pcode
        ):
            raise _forbidden()
        values["district_pcode"] = district
    if values.get("case_ref_pattern") is not None:
        await _check_pattern(session, values["case_ref_pattern"])
    before, after = _apply(org, values)
    await record_changes(session, actor, resource_type="organization", resource_id=org.id, organization_id=org.id,
                         action="deactivate" if values.get("active") is False else "update",
                         before=before, after=after)  # fmt: skip
    vouched = (
        await _service_ids_vouched_by(session, org.id) if {"name", "name_bn"} & set(values) else []
    )
    await refresh(session, [*await _service_ids_of_org(session, org.id), *vouched])
    return org


async def _check_pattern(session: AsyncSession, pattern: str) -> None:
    """422 unless PostgreSQL, which matches case references, accepts the regular expression."""
    try:
        async with session.begin_nested():
            await session.execute(text("SELECT '' ~ :pattern"), {"pattern": pattern})
    except DBAPIError as exc:
        raise InvalidField("case_ref_pattern", "is not a valid regular expression",
                           "সঠিক রেগুলার এক্সপ্রেশন নয়") from exc  # fmt: skip


def _assurance(actor: Actor) -> dict[str, Any]:
    """Checked today by the actor: the email stays internal (history), the actor's organization
    is what public reads show (`assured_by`)."""
    return {
        "assured_date": date.today(),
        "assurer_email": actor.email,
        "assurer_organization_id": actor.organization_id,
    }


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
    session: AsyncSession, actor: Actor, org_id: uuid.UUID
) -> Organization:
    """Mark an organization's entry as checked today by the actor."""
    org: Organization = await _get(session, Organization, org_id, "organization")
    authorize(actor, org)
    before, after = _apply(org, _assurance(actor))
    await record_changes(session, actor, resource_type="organization", resource_id=org.id, organization_id=org.id,
                         action="verify", before=before, after=after)  # fmt: skip
    await refresh(session, await _service_ids_of_org(session, org.id))
    return org


# services -------------------------------------------------------------------------------------


async def _term_ids(session: AsyncSession, codes: list[str]) -> dict[str, uuid.UUID]:
    rows = (
        await session.execute(
            select(TaxonomyTerm.code, TaxonomyTerm.id).where(TaxonomyTerm.code.in_(codes))
        )
    ).tuples()
    found = dict(rows.all())
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise InvalidReference(
            "categories", f"unknown categories {unknown}", f"অজানা সেবার ধরন {unknown}"
        )
    return found


async def _set_categories(session: AsyncSession, service: Service, codes: list[str]) -> None:
    terms = await _term_ids(session, codes)
    await session.execute(
        delete(Attribute).where(Attribute.link_id == service.id, Attribute.link_entity == "service")
    )
    for code in dict.fromkeys(codes):
        session.add(Attribute(id=uuid.uuid4(), link_id=service.id, taxonomy_term_id=terms[code],
                              link_type="category", link_entity="service"))  # fmt: skip


async def _set_locations(
    session: AsyncSession, service: Service, location_ids: list[uuid.UUID]
) -> None:
    if location_ids:
        found = (
            (
                await session.execute(
                    select(Location.id, Location.organization_id).where(
                        Location.id.in_(location_ids)
                    )
                )
            )
            .tuples()
            .all()
        )
        if len(found) != len(set(location_ids)) or any(
            org != service.organization_id for _, org in found
        ):
            raise InvalidReference("location_ids", "locations must exist and belong to the service's organization",
                                   "অবস্থানগুলো থাকতে হবে এবং সেবার সংস্থার হতে হবে")  # fmt: skip
    await session.execute(
        delete(ServiceAtLocation).where(ServiceAtLocation.service_id == service.id)
    )
    for location_id in dict.fromkeys(location_ids):
        session.add(
            ServiceAtLocation(id=uuid.uuid4(), service_id=service.id, location_id=location_id)
        )


async def _set_service_area(session: AsyncSession, service: Service, places: list[str]) -> None:
    await session.execute(delete(ServiceArea).where(ServiceArea.service_id == service.id))
    for value in dict.fromkeys(places):
        found = await find_places(session, value=value)
        if len(found) != 1:
            raise InvalidReference("service_area", f"{value!r} is not one known place; use a pcode",
                                   f"{value!r} একটি পরিচিত স্থান নয়; pcode দিন")  # fmt: skip
        place = found[0]
        session.add(ServiceArea(id=uuid.uuid4(), service_id=service.id, admin_pcode=place.pcode,
                                name=place.name_en, name_bn=place.name_bn, extent_type="admin_area"))  # fmt: skip


async def _set_free(session: AsyncSession, service: Service, free: bool | None) -> None:
    await session.execute(delete(CostOption).where(CostOption.service_id == service.id))
    if free is not None:
        session.add(CostOption(id=uuid.uuid4(), service_id=service.id,
                               option="Free of cost" if free else "Charged",
                               currency="BDT" if free else None, amount=Decimal(0) if free else None))  # fmt: skip


_SERVICE_LINKS = {"categories", "location_ids", "service_area", "free_of_cost"}


async def _set_links(
    session: AsyncSession, service: Service, data: ServiceCreate | ServiceUpdate
) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    sent = data.model_fields_set
    if "categories" in sent and data.categories is not None:
        await _set_categories(session, service, data.categories)
        changed["categories"] = data.categories
    if "location_ids" in sent and data.location_ids is not None:
        await _set_locations(session, service, data.location_ids)
        changed["location_ids"] = data.location_ids
    if "service_area" in sent and data.service_area is not None:
        await _set_service_area(session, service, data.service_area)
        changed["service_area"] = data.service_area
    if "free_of_cost" in sent:
        await _set_free(session, service, data.free_of_cost)
        changed["free_of_cost"] = data.free_of_cost
    return changed


async def _has_a_place(session: AsyncSession, service_id: uuid.UUID) -> bool:
    """Whether a service is still somewhere: at a location, or serving an area."""
    await session.flush()
    located = select(ServiceAtLocation.id).where(ServiceAtLocation.service_id == service_id)
    serving = select(ServiceArea.id).where(ServiceArea.service_id == service_id)
    placed = await session.scalar(select(or_(exists(located), exists(serving))))
    return bool(placed)


async def _links_before(session: AsyncSession, service_id: uuid.UUID) -> dict[str, Any]:
    codes = (
        (
            await session.execute(
                select(TaxonomyTerm.code)
                .join(Attribute, Attribute.taxonomy_term_id == TaxonomyTerm.id)
                .where(Attribute.link_id == service_id)
            )
        )
        .scalars()
        .all()
    )
    locations = (
        (
            await session.execute(
                select(ServiceAtLocation.location_id).where(
                    ServiceAtLocation.service_id == service_id
                )
            )
        )
        .scalars()
        .all()
    )
    areas = (
        (
            await session.execute(
                select(ServiceArea.admin_pcode).where(ServiceArea.service_id == service_id)
            )
        )
        .scalars()
        .all()
    )
    free = (
        await session.execute(
            select(func.bool_or(func.coalesce(CostOption.amount == 0, False))).where(
                CostOption.service_id == service_id
            )
        )
    ).scalar()
    return {
        "categories": list(codes),
        "location_ids": list(locations),
        "service_area": list(areas),
        "free_of_cost": free,
    }


async def create_service(session: AsyncSession, actor: Actor, data: ServiceCreate) -> Service:
    """A new service of an organization the actor maintains, with its categories and places."""
    org = await _org_for(session, actor, data.organization_id, "organization_id")
    values = _fields(data, exclude=_SERVICE_LINKS)
    service = Service(id=uuid.uuid4(), data_source="maintainer", **values)
    session.add(service)
    await session.flush()
    links = await _set_links(session, service, data)
    if not links.get("location_ids") and not links.get("service_area"):
        raise InvalidReference("location_ids", "a service needs a location or a service_area",
                               "সেবার একটি অবস্থান বা সেবা-এলাকা দরকার")  # fmt: skip
    await record_changes(session, actor, resource_type="service", resource_id=service.id, organization_id=service.organization_id,
                         action="create", before={}, after=values | links)  # fmt: skip
    touch(org.id)
    await refresh(session, [service.id])
    return service


async def _service_for(session: AsyncSession, actor: Actor, service_id: uuid.UUID) -> Service:
    service: Service = await _get(session, Service, service_id, "service")
    org = await session.get(Organization, service.organization_id)
    assert org is not None
    authorize(actor, org)
    return service


async def update_service(
    session: AsyncSession, actor: Actor, service_id: uuid.UUID, data: ServiceUpdate
) -> Service:
    """Change fields, categories, places or cost of a service (`status: inactive` deactivates)."""
    service = await _service_for(session, actor, service_id)
    links_before = await _links_before(session, service.id)
    before, after = _apply(service, _fields(data, exclude=_SERVICE_LINKS))
    try:
        ordered(service.minimum_age, service.maximum_age, "minimum_age is above maximum_age")
    except ValueError as exc:
        raise InvalidField("maximum_age", str(exc), "সর্বনিম্ন বয়স সর্বোচ্চ বয়সের বেশি") from exc
    links = await _set_links(session, service, data)
    if not await _has_a_place(session, service.id):
        raise InvalidReference("location_ids", "a service keeps a location or a service_area",
                               "সেবার একটি অবস্থান বা সেবা-এলাকা থাকতে হবে")  # fmt: skip
    action = "deactivate" if after.get("status") in ("inactive", "defunct") else "update"
    await record_changes(session, actor, resource_type="service", resource_id=service.id, organization_id=service.organization_id, action=action,
                         before=before | links_before, after=after | links)  # fmt: skip
    await refresh(session, [service.id])
    return service


async def verify_service(session: AsyncSession, actor: Actor, service_id: uuid.UUID) -> Service:
    """Mark a service's entry as checked today by the actor."""
    service = await _service_for(session, actor, service_id)
    before, after = _apply(service, _assurance(actor))
    await record_changes(session, actor, resource_type="service", resource_id=service.id, organization_id=service.organization_id,
                         action="verify", before=before, after=after)  # fmt: skip
    await refresh(session, [service.id])
    return service


async def set_category(
    session: AsyncSession, actor: Actor, service_id: uuid.UUID, code: str, *, linked: bool
) -> Service:
    """Link a service to a category, or unlink it (a service keeps at least one)."""
    service = await _service_for(session, actor, service_id)
    current = (await _links_before(session, service.id))["categories"]
    wanted = sorted(set(current) | {code}) if linked else [c for c in current if c != code]
    if not wanted:
        raise InvalidReference(
            "categories", "a service keeps at least one category", "সেবার অন্তত একটি ধরন থাকতে হবে"
        )
    if wanted != sorted(current):
        await _set_categories(session, service, wanted)
        await record_changes(session, actor, resource_type="service", resource_id=service.id, organization_id=service.organization_id, action="update",
                             before={"categories": current}, after={"categories": wanted})  # fmt: skip
        await refresh(session, [service.id])
    return service


# locations, phones, schedules -----------------------------------------------------------------


async def create_location(session: AsyncSession, actor: Actor, data: LocationCreate) -> Location:
    """A new place of an organization the actor maintains; admin codes come from its point."""
    await _org_for(session, actor, data.organization_id, "organization_id")
    values = _fields(data, exclude={"address", "latitude", "longitude"})
    location = Location(
        id=uuid.uuid4(), location_type="physical", data_source="maintainer",
        latitude=Decimal(f"{data.latitude:.6f}"), longitude=Decimal(f"{data.longitude:.6f}"),
        coordinates_source="maintainer", **values,
    )  # fmt: skip
    session.add(location)
    await session.flush()
    if data.address:
        session.add(Address(id=uuid.uuid4(), location_id=location.id, country="BD",
                            address_type="physical", **data.address.model_dump()))  # fmt: skip
    after = values | {"latitude": location.latitude, "longitude": location.longitude}
    if data.address:
        after["address"] = data.address.address_1
    await record_changes(session, actor, resource_type="location", resource_id=location.id, organization_id=location.organization_id,
                         action="create", before={}, after=after)  # fmt: skip
    return location


async def _location_for(session: AsyncSession, actor: Actor, location_id: uuid.UUID) -> Location:
    location: Location = await _get(session, Location, location_id, "location")
    await _org_for(session, actor, location.organization_id, "organization_id")
    return location


async def update_location(
    session: AsyncSession, actor: Actor, location_id: uuid.UUID, data: LocationUpdate
) -> Location:
    """Change a place; a new point gets new admin codes and moves its services in search."""
    location = await _location_for(session, actor, location_id)
    values = _fields(data, exclude={"latitude", "longitude"})
    if data.latitude is not None and data.longitude is not None:
        values |= {
            "latitude": Decimal(f"{data.latitude:.6f}"),
            "longitude": Decimal(f"{data.longitude:.6f}"),
        }
    before, after = _apply(location, values)
    await record_changes(session, actor, resource_type="location", resource_id=location.id, organization_id=location.organization_id,
                         action="update", before=before, after=after)  # fmt: skip
    await session.flush()
    await session.refresh(location)
    await refresh(session, await _service_ids_at(session, location.id))
    return location


async def delete_location(session: AsyncSession, actor: Actor, location_id: uuid.UUID) -> None:
    """Remove a place (and its service-at-location links); its services leave its area."""
    location = await _location_for(session, actor, location_id)
    service_ids = await _service_ids_at(session, location.id)
    stranded = await _only_place_of(session, location.id, service_ids)
    if stranded:
        names = ", ".join(sorted(stranded))
        raise Conflict(
            f"This is the only place of {names}: give them another location or a service area first.",
            f"এটি {names} সেবার একমাত্র স্থান: আগে অন্য অবস্থান বা সেবা-এলাকা দিন।",
        )  # fmt: skip
    await record_changes(session, actor, resource_type="location", resource_id=location.id, organization_id=location.organization_id, action="deactivate",
                         before={"name": location.name}, after={"name": None})  # fmt: skip
    await session.delete(location)
    await refresh(session, service_ids)


async def _only_place_of(
    session: AsyncSession, location_id: uuid.UUID, service_ids: list[uuid.UUID]
) -> list[str]:
    """The names of the services that would be nowhere without this location."""
    elsewhere = select(ServiceAtLocation.id).where(
        ServiceAtLocation.service_id == Service.id, ServiceAtLocation.location_id != location_id
    )
    serving = select(ServiceArea.id).where(ServiceArea.service_id == Service.id)
    stmt = select(Service.name).where(
        Service.id.in_(service_ids), ~exists(elsewhere), ~exists(serving)
    )
    return list((await session.execute(stmt)).scalars())


async def _phone_owner_org(
    session: AsyncSession, actor: Actor, phone: Phone | PhoneCreate
) -> tuple[uuid.UUID | None, list[uuid.UUID]]:
    """The organization a phone belongs to (authorised) and the services whose search shows it."""
    if phone.service_id is not None:
        service = await _service_for(session, actor, phone.service_id)
        return service.organization_id, [service.id]
    if phone.location_id is not None:
        location = await _location_for(session, actor, phone.location_id)
        return location.organization_id, await _service_ids_at(session, location.id)
    org = await _org_for(session, actor, phone.organization_id, "organization_id")
    return org.id, await _service_ids_of_org(session, org.id)


async def create_phone(session: AsyncSession, actor: Actor, data: PhoneCreate) -> Phone:
    """A new phone number of a service, location or organization."""
    org_id, service_ids = await _phone_owner_org(session, actor, data)
    values = data.model_dump(exclude_unset=True)
    phone = Phone(id=uuid.uuid4(), source_note=f"entered by {actor.email}", **values)
    session.add(phone)
    await session.flush()
    await record_changes(session, actor, resource_type="phone", resource_id=phone.id, organization_id=org_id,
                         action="create", before={}, after=values)  # fmt: skip
    await refresh(session, service_ids)
    return phone


async def update_phone(
    session: AsyncSession, actor: Actor, phone_id: uuid.UUID, data: PhoneUpdate
) -> Phone:
    """Change a phone number or its description."""
    phone: Phone = await _get(session, Phone, phone_id, "phone")
    org_id, service_ids = await _phone_owner_org(session, actor, phone)
    before, after = _apply(phone, data.model_dump(exclude_unset=True))
    await record_changes(session, actor, resource_type="phone", resource_id=phone.id, organization_id=org_id,
                         action="update", before=before, after=after)  # fmt: skip
    await refresh(session, service_ids)
    return phone


async def delete_phone(session: AsyncSession, actor: Actor, phone_id: uuid.UUID) -> None:
    """Remove a phone number."""
    phone: Phone = await _get(session, Phone, phone_id, "phone")
    org_id, service_ids = await _phone_owner_org(session, actor, phone)
    await record_changes(session, actor, resource_type="phone", resource_id=phone.id, organization_id=org_id, action="deactivate",
                         before={"number": phone.number}, after={"number": None})  # fmt: skip
    await session.delete(phone)
    await refresh(session, service_ids)


async def _schedule_owner(
    session: AsyncSession, actor: Actor, owner: Schedule | ScheduleCreate
) -> uuid.UUID | None:
    """The organization whose service or location the schedule belongs to (authorised)."""
    if owner.service_id is not None:
        return (await _service_for(session, actor, owner.service_id)).organization_id
    assert owner.location_id is not None
    return (await _location_for(session, actor, owner.location_id)).organization_id


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
    await record_changes(session, actor, resource_type="schedule", resource_id=schedule.id, organization_id=org_id,
                         action="create", before={}, after=values)  # fmt: skip
    return schedule


async def update_schedule(
    session: AsyncSession, actor: Actor, schedule_id: uuid.UUID, data: ScheduleUpdate
) -> Schedule:
    """Change opening hours."""
    schedule: Schedule = await _get(session, Schedule, schedule_id, "schedule")
    org_id = await _schedule_owner(session, actor, schedule)
    before, after = _apply(schedule, _schedule_values(data))
    try:
        check_schedule(
            schedule.opens_at, schedule.closes_at, schedule.valid_from, schedule.valid_to
        )
    except ValueError as exc:
        field = "closes_at" if "closes_at" in str(exc) else "valid_to"
        raise InvalidField(field, str(exc), "সময় বা তারিখের ক্রম ঠিক নয়") from exc
    await record_changes(session, actor, resource_type="schedule", resource_id=schedule.id, organization_id=org_id,
                         action="update", before=before, after=after)  # fmt: skip
    return schedule


async def delete_schedule(session: AsyncSession, actor: Actor, schedule_id: uuid.UUID) -> None:
    """Remove opening hours."""
    schedule: Schedule = await _get(session, Schedule, schedule_id, "schedule")
    org_id = await _schedule_owner(session, actor, schedule)
    await record_changes(session, actor, resource_type="schedule", resource_id=schedule.id, organization_id=org_id, action="deactivate",
                         before={"description": schedule.description}, after={"description": None})  # fmt: skip
    await session.delete(schedule)


# history --------------------------------------------------------------------------------------


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
    record = await _get(session, model, resource_id, resource_type)
    org_id: uuid.UUID | None
    if isinstance(record, Organization):
        return record
    if isinstance(record, Phone):
        if record.organization_id:
            org_id = record.organization_id
        elif record.service_id:
            org_id = (await _get(session, Service, record.service_id, "service")).organization_id
        else:
            assert record.location_id is not None
            org_id = (await _get(session, Location, record.location_id, "location")).organization_id
    else:
        org_id = record.organization_id
    org: Organization = await _get(session, Organization, org_id, "organization")
    return org


async def history(
    session: AsyncSession,
    actor: Actor,
    *,
    resource_type: str,
    resource_id: uuid.UUID,
    page: int,
    per_page: int,
) -> tuple[list[RecordChange], int]:
    """The change history of a record, newest first, for those who maintain it."""
    org = await organization_of(session, resource_type, resource_id)
    authorize(actor, org)
    touch(resource_id)
    # an organization's history covers every record under it, phones and schedules included
    conditions = [
        RecordChange.organization_id == org.id
        if resource_type == "organization"
        else RecordChange.resource_id == resource_id
    ]
    total = (
        await session.execute(select(func.count()).select_from(RecordChange).where(*conditions))
    ).scalar_one()
    stmt = (select(RecordChange).where(*conditions).order_by(RecordChange.id.desc())
            .offset((page - 1) * per_page).limit(per_page))  # fmt: skip
    return list((await session.execute(stmt)).scalars()), total


def check_not_empty(data: BaseModel) -> None:
    """A PATCH must change something."""
    if not data.model_fields_set:
        raise InvalidParameter("body", "send at least one field to change", "অন্তত একটি ক্ষেত্র পাঠান")
