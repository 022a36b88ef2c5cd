"""Adding, changing and verifying services, with their categories, places and links."""

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.context import touch
from app.auth.actor import Actor
from app.core.errors import Rule
from app.directory.errors import (
    AgesOutOfOrder,
    ForeignLocations,
    KeepsACategory,
    KeepsAPlace,
    NeedsAPlace,
    UnknownCategories,
    UnknownCategoryInPath,
    UnknownServiceArea,
)
from app.directory.history import apply_values, record_changes, values_of
from app.directory.lookups import get_record, organization_for
from app.directory.models import (
    Attribute,
    CostOption,
    Location,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from app.directory.policy import assurance_of, authorize
from app.directory.write_schemas import (
    AGES_OUT_OF_ORDER,
    ServiceCreate,
    ServiceUpdate,
    ordered,
)
from app.gazetteer.service import find_places
from search.refresh import refresh


async def _term_ids(session: AsyncSession, codes: list[str]) -> dict[str, uuid.UUID]:
    rows = (
        await session.execute(
            select(TaxonomyTerm.code, TaxonomyTerm.id).where(TaxonomyTerm.code.in_(codes))
        )
    ).tuples()
    found = dict(rows.all())
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise UnknownCategories(codes=unknown)
    return found


async def _set_categories(session: AsyncSession, service: Service, codes: list[str]) -> None:
    terms = await _term_ids(session, codes)
    await session.execute(
        delete(Attribute).where(Attribute.link_id == service.id, Attribute.link_entity == "service")
    )
    for code in dict.fromkeys(codes):
        session.add(
            Attribute(
                id=uuid.uuid4(),
                link_id=service.id,
                taxonomy_term_id=terms[code],
                link_type="category",
                link_entity="service",
            )
        )


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
            raise ForeignLocations()
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
            raise UnknownServiceArea(value=value)
        place = found[0]
        session.add(
            ServiceArea(
                id=uuid.uuid4(),
                service_id=service.id,
                admin_pcode=place.pcode,
                name=place.name_en,
                name_bn=place.name_bn,
                extent_type="admin_area",
            )
        )


async def _set_free(session: AsyncSession, service: Service, free: bool | None) -> None:
    await session.execute(delete(CostOption).where(CostOption.service_id == service.id))
    if free is not None:
        session.add(
            CostOption(
                id=uuid.uuid4(),
                service_id=service.id,
                option="Free of cost" if free else "Charged",
                currency="BDT" if free else None,
                amount=Decimal(0) if free else None,
            )
        )


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
    org = await organization_for(session, actor, data.organization_id, "organization_id")
    values = values_of(data, exclude=_SERVICE_LINKS)
    service = Service(id=uuid.uuid4(), data_source="maintainer", **values)
    session.add(service)
    await session.flush()
    links = await _set_links(session, service, data)
    if not links.get("location_ids") and not links.get("service_area"):
        raise NeedsAPlace()
    await record_changes(
        session,
        actor,
        resource_type="service",
        resource_id=service.id,
        organization_id=service.organization_id,
        action="create",
        before={},
        after=values | links,
    )
    touch(org.id)
    await refresh(session, [service.id])
    return service


async def authorize_service(session: AsyncSession, actor: Actor, service: Service) -> None:
    """`Forbidden` unless the actor maintains the service's organization."""
    org = await session.get(Organization, service.organization_id)
    assert org is not None
    authorize(actor, org)


async def service_for(session: AsyncSession, actor: Actor, service_id: uuid.UUID) -> Service:
    """The service a request body names, if the actor maintains it."""
    service: Service = await get_record(session, Service, service_id, "service")
    await authorize_service(session, actor, service)
    return service


async def update_service(
    session: AsyncSession, actor: Actor, *, service: Service, data: ServiceUpdate
) -> Service:
    """Change fields, categories, places or cost of a service (`status: inactive` deactivates)."""
    await authorize_service(session, actor, service)
    links_before = await _links_before(session, service.id)
    before, after = apply_values(service, values_of(data, exclude=_SERVICE_LINKS))
    try:
        ordered(service.minimum_age, service.maximum_age, AGES_OUT_OF_ORDER)
    except Rule as exc:
        raise AgesOutOfOrder() from exc
    links = await _set_links(session, service, data)
    if not await _has_a_place(session, service.id):
        raise KeepsAPlace()
    action = "deactivate" if after.get("status") in ("inactive", "defunct") else "update"
    await record_changes(
        session,
        actor,
        resource_type="service",
        resource_id=service.id,
        organization_id=service.organization_id,
        action=action,
        before=before | links_before,
        after=after | links,
    )
    await refresh(session, [service.id])
    return service


async def verify_service(session: AsyncSession, actor: Actor, *, service: Service) -> Service:
    """Mark a service's entry as checked today by the actor."""
    await authorize_service(session, actor, service)
    before, after = apply_values(service, assurance_of(actor))
    await record_changes(
        session,
        actor,
        resource_type="service",
        resource_id=service.id,
        organization_id=service.organization_id,
        action="verify",
        before=before,
        after=after,
    )
    await refresh(session, [service.id])
    return service


async def set_category(
    session: AsyncSession, actor: Actor, *, service: Service, code: str, linked: bool
) -> Service:
    """Link a service to a category, or unlink it (a service keeps at least one)."""
    await authorize_service(session, actor, service)
    if linked and not await session.scalar(select(exists().where(TaxonomyTerm.code == code))):
        raise UnknownCategoryInPath(code=code)
    current = (await _links_before(session, service.id))["categories"]
    wanted = sorted(set(current) | {code}) if linked else [c for c in current if c != code]
    if not wanted:
        raise KeepsACategory()
    if wanted != sorted(current):
        await _set_categories(session, service, wanted)
        await record_changes(
            session,
            actor,
            resource_type="service",
            resource_id=service.id,
            organization_id=service.organization_id,
            action="update",
            before={"categories": current},
            after={"categories": wanted},
        )
        await refresh(session, [service.id])
    return service
