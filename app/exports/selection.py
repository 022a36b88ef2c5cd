"""Which services an export holds and everything it shows of them, loaded in batches.

The filters are the directory's own (`district`, `upazila`, `category`, parsed by
`build_service_query`), so an unknown value is the same 4xx problem as in the lists. Only
visible services (`VISIBLE_STATUSES`) are selected, and a confidential location is left out
entirely: not redacted, since an open-data file has no viewer who could see it.
"""

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Query
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.core.db import SessionDep
from app.core.params import MAX_PLACE_LENGTH, PLACE_DESCRIPTION
from app.directory.models import (
    Attribute,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
)
from app.directory.params import SearchParams, build_service_query
from app.gazetteer.models import AdminArea
from search.models import ServiceSearch
from search.postgres import service_conditions
from search.query import ServiceQuery

BATCH = 500


async def export_query(
    session: SessionDep,
    district: Annotated[
        str | None,
        Query(max_length=MAX_PLACE_LENGTH, description=f"District: {PLACE_DESCRIPTION}"),
    ] = None,
    upazila: Annotated[
        str | None,
        Query(max_length=MAX_PLACE_LENGTH, description=f"Upazila: {PLACE_DESCRIPTION}"),
    ] = None,
    category: Annotated[
        str | None, Query(description="Category codes, comma-separated (OR).")
    ] = None,
) -> ServiceQuery:
    """The export's filters, resolved like the lists' (same problems for unknown values)."""
    params = SearchParams(district=district, upazila=upazila, category=category)
    return await build_service_query(session, params)


ExportQuery = Annotated[ServiceQuery, Depends(export_query)]


@dataclass(frozen=True)
class Area:
    """A place's names, English and Bangla."""

    pcode: str
    name: str
    name_bn: str | None


@dataclass(frozen=True)
class ExportedService:
    """A service as exports show it: its public locations only, and the areas they are in."""

    service: Service
    # (service_at_location id, location) of its public locations
    placements: tuple[tuple[uuid.UUID, Location], ...]
    areas: dict[str, Area]

    @property
    def locations(self) -> tuple[Location, ...]:
        return tuple(location for _, location in self.placements)

    @property
    def organization(self) -> Organization:
        return self.service.organization

    def phones(self) -> list[Phone]:
        """The service's phones, its public locations', then its organization's (none of a
        confidential location), each number once."""
        public = {location.id for location in self.locations}
        seen: dict[str, Phone] = {}
        for phone in [
            *self.service.phones,
            *(p for loc in self.locations for p in loc.phones),
            *self.organization.phones,
        ]:
            if phone.location_id is None or phone.location_id in public:
                seen.setdefault(phone.number, phone)
        return list(seen.values())

    def schedules(self) -> list[Schedule]:
        return [*self.service.schedules, *(s for loc in self.locations for s in loc.schedules)]

    def area(self, pcode: str | None) -> Area | None:
        return self.areas.get(pcode) if pcode else None

    @property
    def verified(self) -> date | None:
        return self.service.assured_date

    @property
    def free_of_cost(self) -> bool | None:
        """As the lists say it: free when a cost option costs nothing, unknown without any."""
        options = self.service.cost_options
        return any(option.amount == 0 for option in options) if options else None


def _load_options() -> list[object]:
    location = selectinload(Service.service_at_locations).selectinload(ServiceAtLocation.location)
    return [
        selectinload(Service.organization).selectinload(Organization.phones),
        selectinload(Service.phones),
        selectinload(Service.schedules),
        selectinload(Service.cost_options),
        selectinload(Service.service_areas),
        selectinload(Service.attributes).selectinload(Attribute.taxonomy_term),
        location.selectinload(Location.addresses),
        location.selectinload(Location.phones),
        location.selectinload(Location.schedules),
    ]


async def _areas(session: AsyncSession, locations: Sequence[Location]) -> dict[str, Area]:
    pcodes = {code for loc in locations for code in (loc.district_pcode, loc.upazila_pcode) if code}
    if not pcodes:
        return {}
    stmt = select(AdminArea.pcode, AdminArea.name_en, AdminArea.name_bn).where(
        AdminArea.pcode.in_(pcodes)
    )
    return {
        pcode: Area(pcode, name, name_bn)
        for pcode, name, name_bn in (await session.execute(stmt)).tuples()
    }


async def exported_services(
    session: AsyncSession, query: ServiceQuery
) -> AsyncIterator[list[ExportedService]]:
    """The selected services by name, `BATCH` at a time."""
    doc = ServiceSearch.__table__
    stmt = (
        select(doc.c.service_id)
        .where(*service_conditions(query, doc.c, geo=False))
        .order_by(doc.c.name_key, doc.c.service_id)
    )
    selected = (await session.execute(stmt)).tuples().all()
    for start in range(0, len(selected), BATCH):
        chunk = [row[0] for row in selected[start : start + BATCH]]
        loaded = {
            service.id: service
            for service in (
                await session.execute(
                    select(Service).where(Service.id.in_(chunk)).options(*_load_options())  # type: ignore[arg-type]
                )
            ).scalars()
        }
        public = {
            service_id: tuple(
                (sal.id, sal.location)
                for sal in sorted(service.service_at_locations, key=lambda sal: str(sal.id))
                if not sal.location.confidential
            )
            for service_id, service in loaded.items()
        }
        areas = await _areas(session, [loc for pairs in public.values() for _, loc in pairs])
        yield [
            ExportedService(loaded[service_id], public[service_id], areas)
            for service_id in chunk
            if service_id in loaded
        ]
