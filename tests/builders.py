"""Plain typed builders of directory records for tests (written through the ORM)."""

import uuid
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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
from search.refresh import refresh


async def make_organization(
    session: AsyncSession, *, name: str = "Test organization"
) -> Organization:
    org = Organization(id=uuid.uuid4(), name=name, description=f"{name} (test)", data_source="test")
    session.add(org)
    await session.flush()
    return org


async def make_service(
    session: AsyncSession,
    *,
    name: str,
    lat: float | None = None,
    lng: float | None = None,
    categories: tuple[str, ...] = ("health",),
    name_bn: str | None = None,
    description: str | None = None,
    free_of_cost: bool | None = None,
    area_pcodes: tuple[str, ...] = (),
    organization: Organization | None = None,
    confidential: bool = False,
) -> Service:
    """A service, optionally at a point (a confidential one: a safe home) and/or covering admin
    areas, indexed for search."""
    org = organization or await make_organization(session, name=f"{name} provider")
    service = Service(
        id=uuid.uuid4(),
        organization_id=org.id,
        name=name,
        name_bn=name_bn,
        description=description,
        status="active",
        data_source="test",
    )
    session.add(service)
    await session.flush()
    if lat is not None and lng is not None:
        location = Location(
            id=uuid.uuid4(),
            organization_id=org.id,
            name=f"{name} site",
            latitude=Decimal(f"{lat:.6f}"),
            longitude=Decimal(f"{lng:.6f}"),
            confidential=confidential,
            data_source="test",
        )
        session.add(location)
        await session.flush()
        session.add(
            ServiceAtLocation(id=uuid.uuid4(), service_id=service.id, location_id=location.id)
        )
    for pcode in area_pcodes:
        session.add(ServiceArea(id=uuid.uuid4(), service_id=service.id, admin_pcode=pcode))
    for code in categories:
        term_id = (
            await session.execute(select(TaxonomyTerm.id).where(TaxonomyTerm.code == code))
        ).scalar_one()
        session.add(
            Attribute(
                id=uuid.uuid4(), link_id=service.id, taxonomy_term_id=term_id, link_entity="service"
            )
        )
    if free_of_cost is not None:
        session.add(
            CostOption(
                id=uuid.uuid4(),
                service_id=service.id,
                amount=Decimal(0) if free_of_cost else None,
                option="Free" if free_of_cost else "Charged",
                currency="BDT",
            )
        )
    await session.flush()
    await refresh(session, [service.id])
    return service
