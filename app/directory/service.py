"""Reads of the directory: searches through the configured backend, then loads HSDS objects."""

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, Text, case, cast, func, null, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption
from starlette.responses import Response, StreamingResponse

from app.core.ndjson import MEDIA_TYPE, stream_lines
from app.core.pagination import Page, fetch_page, page_meta
from app.directory.confidential import Viewer, hidden_locations, redact_location
from app.directory.errors import (
    OrganizationNotFound,
    ServiceAtLocationNotFound,
    ServiceNotFound,
    TaxonomyNotFound,
    TaxonomyTermNotFound,
)
from app.directory.facets import name_facets
from app.directory.models import (
    Attribute,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from app.directory.schemas import (
    CategoryRead,
    LocationRead,
    OrganizationRead,
    ServiceAtLocationRead,
    ServiceBase,
    ServiceFull,
    ServiceMinimal,
    TaxonomyRead,
    TaxonomyTermRead,
)
from search.backend import SearchBackend
from search.models import ServiceSearch
from search.postgres import (
    every_match,
    location_conditions,
    location_geography,
    point_of,
    service_conditions,
)
from search.query import VISIBLE_STATUSES, ServiceQuery
from search.text import search_key


def parse_id(value: str) -> uuid.UUID | None:
    """A UUID from a path segment, or None when it is not one (then the record is unknown)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _location_options(path: Any) -> list[LoaderOption]:
    return [path.selectinload(Location.addresses), path.selectinload(Location.phones)]


def _full_service_options() -> list[LoaderOption]:
    """Everything a full HSDS service nests."""
    sal_location = selectinload(Service.service_at_locations).selectinload(
        ServiceAtLocation.location
    )
    return [
        selectinload(Service.organization),
        selectinload(Service.attributes).selectinload(Attribute.taxonomy_term),
        selectinload(Service.cost_options),
        selectinload(Service.phones),
        selectinload(Service.schedules),
        selectinload(Service.service_areas),
        selectinload(Service.languages),
        selectinload(Service.contacts),
        *_location_options(sal_location),
    ]


def _columns(obj: Any) -> dict[str, Any]:
    """The column values of an ORM object (never its relationships, which may not be loaded)."""
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}


@dataclass(frozen=True)
class Shown:
    """What a read shows besides its records: the locations the viewer may not see (redacted)
    and the organizations that vouch for verified entries, by id."""

    hidden: frozenset[uuid.UUID] = frozenset()
    assurers: Mapping[uuid.UUID, dict[str, Any]] = field(default_factory=dict)


async def _shown(
    session: AsyncSession,
    viewer: Viewer,
    *,
    records: Iterable[Organization | Service],
    locations: Iterable[Location] = (),
) -> Shown:
    """The `Shown` of a read of these organizations or services and locations."""
    ids = {r.assurer_organization_id for r in records if r.assurer_organization_id is not None}
    assurers: dict[uuid.UUID, dict[str, Any]] = {}
    if ids:
        # plain columns, not ORM objects: the assurer may be one of the records being read
        stmt = select(Organization.id, Organization.name, Organization.name_bn).where(
            Organization.id.in_(ids)
        )
        for org_id, name, name_bn in (await session.execute(stmt)).tuples():
            assurers[org_id] = {"id": org_id, "name": name, "name_bn": name_bn}
    return Shown(hidden=await hidden_locations(session, viewer, locations), assurers=assurers)


def _vouched(record: Organization | Service, shown: Shown) -> dict[str, Any]:
    """The columns of an organization or service with the organization that vouches for it
    (`assured_by`), which public reads show instead of the verifying user's email."""
    assured_by = None
    if record.assurer_organization_id is not None:
        assured_by = shown.assurers.get(record.assurer_organization_id)
    return {**_columns(record), "assured_by": assured_by}


def _extensions(service: Service, distance_km: float | None = None) -> dict[str, Any]:
    categories = sorted(
        (
            CategoryRead(
                code=a.taxonomy_term.code,
                name=a.taxonomy_term.name,
                name_bn=a.taxonomy_term.name_bn,
            )
            for a in service.attributes
        ),
        key=lambda c: c.code,
    )
    free = None
    if service.cost_options:
        free = any(option.amount == 0 for option in service.cost_options)
    return {
        "categories": categories,
        "free_of_cost": free,
        "last_modified": service.updated_at,
        "distance_km": None if distance_km is None else round(distance_km, 3),
    }


def location_read(
    location: Location, distance_km: float | None = None, *, hidden: bool = False
) -> LocationRead:
    """A location with its addresses and phones (both must be loaded); `hidden`: redacted, as
    a confidential location is for those who may not see it."""
    read = LocationRead.model_validate(
        {
            **_columns(location),
            "addresses": location.addresses,
            "phones": location.phones,
            "distance_km": None if distance_km is None else round(distance_km, 3),
        }
    )
    return redact_location(read) if hidden else read


def service_base(service: Service, shown: Shown) -> ServiceBase:
    """A service's own fields and categories (attributes and cost options must be loaded)."""
    return ServiceBase.model_validate({**_vouched(service, shown), **_extensions(service)})


def _term_read(term: TaxonomyTerm, taxonomy_name: str | None = None) -> TaxonomyTermRead:
    return TaxonomyTermRead.model_validate({**_columns(term), "taxonomy_name": taxonomy_name})


def _sal_nested(sal: ServiceAtLocation, shown: Shown) -> dict[str, Any]:
    """A service-at-location nested in a full service; with a redacted location goes the
    free-text description of the service there, which could lead to it."""
    concealed = sal.location_id in shown.hidden
    return {
        **_columns(sal),
        "description": None if concealed else sal.description,
        "location": location_read(sal.location, hidden=concealed),
    }


def service_full(
    service: Service, shown: Shown, *, distance_km: float | None = None
) -> ServiceFull:
    """The full HSDS service of a `Service` loaded with `_full_service_options()`."""
    return ServiceFull.model_validate(
        {
            **_vouched(service, shown),
            **_extensions(service, distance_km),
            "organization": _vouched(service.organization, shown),
            "phones": service.phones,
            "schedules": service.schedules,
            "service_areas": service.service_areas,
            "languages": service.languages,
            "contacts": service.contacts,
            "cost_options": service.cost_options,
            "attributes": [
                {**_columns(a), "taxonomy_term": _term_read(a.taxonomy_term)}
                for a in service.attributes
            ],
            "service_at_locations": [
                _sal_nested(sal, shown)
                for sal in sorted(
                    service.service_at_locations, key=lambda sal: sal.location.name or ""
                )
            ],
        }
    )


async def search_service_list(
    session: AsyncSession, backend: SearchBackend, *, query: ServiceQuery
) -> bytes:
    """One page of HSDS service list items as JSON, spliced from the stored search documents."""
    result = await backend.search_services(query)
    documents = {hit.service_id: hit.document for hit in result.hits if hit.document}
    missing = [hit.service_id for hit in result.hits if hit.service_id not in documents]
    if missing:
        doc = ServiceSearch.__table__.c
        stmt = select(doc.service_id, cast(doc.list_item, Text)).where(doc.service_id.in_(missing))
        distances = {hit.service_id: hit.distance_km for hit in result.hits}
        for service_id, item in (await session.execute(stmt)).tuples():
            # backends that store no list item (Meilisearch) give the distance separately
            distance = distances[service_id]
            if distance is not None:
                item = f'{item[:-1]},"distance_km":{round(distance, 3)}}}'
            documents[service_id] = item
    contents = [documents[hit.service_id] for hit in result.hits if hit.service_id in documents]
    meta = page_meta(
        total=result.total, page=query.page, per_page=query.per_page, size=len(contents)
    )
    if query.facets:
        facets = await name_facets(session, result.facets)
        meta["facets"] = {
            name: [value.model_dump(exclude_none=True) for value in values]
            for name, values in facets.items()
        }
    head = json.dumps(meta, ensure_ascii=False, separators=(",", ":"))[:-1]
    return f'{head},"contents":[{",".join(contents)}]}}'.encode()


async def search_service_minimal(
    session: AsyncSession, backend: SearchBackend, *, query: ServiceQuery
) -> Page[ServiceMinimal]:
    """One page of `{id, modified_date}` items (HSDS `minimal`), in the backend's order."""
    result = await backend.search_services(query)
    ids = [hit.service_id for hit in result.hits]
    doc = ServiceSearch.__table__.c
    stmt = select(doc.service_id, doc.modified_at).where(doc.service_id.in_(ids))
    modified = dict((await session.execute(stmt)).tuples().all())
    return Page[ServiceMinimal].build(
        contents=[ServiceMinimal(id=i, modified_date=modified[i]) for i in ids if i in modified],
        total=result.total,
        page=query.page,
        per_page=query.per_page,
        facets=await name_facets(session, result.facets) if query.facets else None,
    )


def service_stream(engine: AsyncEngine, query: ServiceQuery, *, minimal: bool) -> Response:
    """Every matching service as ndjson: the list items the pages hold (so the same services
    are left out), or the minimal items; PostgreSQL answers whatever backend is configured."""

    def line(row: Row[Any]) -> str:
        if minimal:
            return ServiceMinimal(
                id=row.service_id, modified_date=row.modified_at
            ).model_dump_json()
        return str(row.document)

    stream = stream_lines(engine, every_match(query, minimal=minimal), line)
    return StreamingResponse(
        stream, media_type=MEDIA_TYPE, headers={"X-Search-Backend": "postgres"}
    )


async def _shown_services(
    session: AsyncSession, viewer: Viewer, services: Sequence[Service]
) -> Shown:
    """The `Shown` of full services: their organizations and locations too."""
    return await _shown(
        session,
        viewer,
        records=[*services, *(service.organization for service in services)],
        locations=[sal.location for service in services for sal in service.service_at_locations],
    )


async def search_services_full(
    session: AsyncSession, backend: SearchBackend, *, query: ServiceQuery, viewer: Viewer
) -> Page[ServiceFull]:
    """One page of fully nested services, in the backend's order, as the viewer may see them."""
    result = await backend.search_services(query)
    ids = [hit.service_id for hit in result.hits]
    stmt = select(Service).where(Service.id.in_(ids)).options(*_full_service_options())
    loaded = {s.id: s for s in (await session.execute(stmt)).scalars()}
    shown = await _shown_services(session, viewer, list(loaded.values()))
    contents = [
        service_full(loaded[hit.service_id], shown, distance_km=hit.distance_km)
        for hit in result.hits
        if hit.service_id in loaded
    ]
    return Page[ServiceFull].build(
        contents=contents,
        total=result.total,
        page=query.page,
        per_page=query.per_page,
        facets=await name_facets(session, result.facets) if query.facets else None,
    )


async def get_service(session: AsyncSession, *, service_id: str, viewer: Viewer) -> ServiceFull:
    """The full service as the viewer may see it, or `ServiceNotFound`."""
    sid = parse_id(service_id)
    service = None
    if sid is not None:
        stmt = select(Service).where(Service.id == sid).options(*_full_service_options())
        stmt = stmt.execution_options(populate_existing=True)
        service = (await session.execute(stmt)).scalar_one_or_none()
    if service is None:
        raise ServiceNotFound(service_id=service_id)
    return service_full(service, await _shown_services(session, viewer, [service]))


def _like_pattern(text: str) -> str:
    """A LIKE pattern matching the search key of `text` anywhere, with wildcards escaped."""
    escaped = search_key(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _org_search(stmt: Any, search: str | None) -> Any:
    if not search:
        return stmt
    key = _like_pattern(search)
    return stmt.where(
        or_(
            func.search_normalize(Organization.name).like(key),
            func.search_normalize(func.coalesce(Organization.name_bn, "")).like(key),
            func.search_normalize(func.coalesce(Organization.alternate_name, "")).like(key),
        )
    )


async def list_organizations(
    session: AsyncSession,
    *,
    search: str | None,
    page: int,
    per_page: int,
    full: bool,
    viewer: Viewer,
) -> Page[OrganizationRead]:
    """Organizations by name (HSDS page envelope), as the viewer may see them."""
    base = _org_search(select(Organization).where(Organization.active.is_(True)), search)
    query = base.order_by(Organization.name, Organization.id)
    if full:
        query = query.options(*_organization_options())
    orgs, total = await fetch_page(session, query, page=page, per_page=per_page)
    if full:
        contents = [await _organization_read(session, org, viewer=viewer) for org in orgs]
    else:
        shown = await _shown(session, viewer, records=orgs)
        contents = [OrganizationRead.model_validate(_vouched(org, shown)) for org in orgs]
    return Page[OrganizationRead].build(
        contents=contents, total=total, page=page, per_page=per_page
    )


def _organization_options() -> list[LoaderOption]:
    return [
        selectinload(Organization.phones),
        selectinload(Organization.services)
        .selectinload(Service.attributes)
        .selectinload(Attribute.taxonomy_term),
        selectinload(Organization.services).selectinload(Service.cost_options),
    ]


async def _organization_read(
    session: AsyncSession, org: Organization, *, viewer: Viewer
) -> OrganizationRead:
    """An organization with its phones, locations and services (`_organization_options()`)."""
    stmt = (
        select(Location)
        .where(Location.organization_id == org.id)
        .options(selectinload(Location.addresses), selectinload(Location.phones))
        .order_by(Location.name, Location.id)
    )
    locations = (await session.execute(stmt)).scalars().all()
    services = [
        s for s in sorted(org.services, key=lambda s: s.name) if s.status in VISIBLE_STATUSES
    ]
    shown = await _shown(session, viewer, records=[org, *services], locations=locations)
    return OrganizationRead.model_validate(
        {
            **_vouched(org, shown),
            "phones": org.phones,
            "locations": [location_read(x, hidden=x.id in shown.hidden) for x in locations],
            "services": [service_base(s, shown) for s in services],
        }
    )


async def get_organization(
    session: AsyncSession, *, organization_id: str, viewer: Viewer
) -> OrganizationRead:
    """The organization with its phones, locations and services as the viewer may see them, or
    `OrganizationNotFound`."""
    oid = parse_id(organization_id)
    org = None
    if oid is not None:
        stmt = select(Organization).where(Organization.id == oid).options(*_organization_options())
        stmt = stmt.execution_options(populate_existing=True)
        org = (await session.execute(stmt)).scalar_one_or_none()
    if org is None:
        raise OrganizationNotFound(organization_id=organization_id)
    return await _organization_read(session, org, viewer=viewer)


async def get_location(session: AsyncSession, *, location_id: uuid.UUID) -> LocationRead:
    """One location with its addresses and phones (as written, admin codes included, never
    redacted: for its maintainers)."""
    stmt = (
        select(Location)
        .where(Location.id == location_id)
        .options(selectinload(Location.addresses), selectinload(Location.phones))
        .execution_options(populate_existing=True)
    )
    location = (await session.execute(stmt)).scalar_one()
    return location_read(location)


def _sal_options() -> list[LoaderOption]:
    service = selectinload(ServiceAtLocation.service)
    location = selectinload(ServiceAtLocation.location)
    return [
        service.selectinload(Service.attributes).selectinload(Attribute.taxonomy_term),
        service.selectinload(Service.cost_options),
        *_location_options(location),
    ]


def _sal_read(
    sal: ServiceAtLocation, distance_km: float | None, shown: Shown
) -> ServiceAtLocationRead:
    hidden = sal.location_id in shown.hidden
    return ServiceAtLocationRead(
        id=sal.id,
        service_id=sal.service_id,
        location_id=sal.location_id,
        # free text about the service at that place, which could lead there
        description=None if hidden else sal.description,
        service=service_base(sal.service, shown),
        location=location_read(sal.location, hidden=hidden),
        distance_km=None if distance_km is None or hidden else round(distance_km, 3),
    )


async def _shown_sals(
    session: AsyncSession, viewer: Viewer, sals: Sequence[ServiceAtLocation]
) -> Shown:
    return await _shown(
        session,
        viewer,
        records=[sal.service for sal in sals],
        locations=[sal.location for sal in sals],
    )


async def list_service_at_locations(
    session: AsyncSession, *, query: ServiceQuery, viewer: Viewer
) -> Page[ServiceAtLocationRead]:
    """Service-at-location pairs: text, category and admin filters apply to the service,
    radius and bbox to the location itself (never to a confidential one)."""
    doc, place = ServiceSearch.__table__, Location.__table__.c
    conditions = [*service_conditions(query, doc.c, geo=False), *location_conditions(query, place)]
    joined = (
        select(ServiceAtLocation.id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .join(doc, doc.c.service_id == ServiceAtLocation.service_id)
        .where(*conditions)
    )
    total = (
        await session.execute(select(func.count()).select_from(joined.subquery()))
    ).scalar_one()
    distance: Any = null()
    order: list[Any] = [doc.c.name_key, ServiceAtLocation.id]
    if query.point is not None:
        # a point search leaves confidential locations out; no distance to one, whatever else
        distance = case(
            (Location.confidential, null()),
            else_=func.ST_Distance(location_geography(place), point_of(query), False) / 1000.0,
        )
        if query.sort == "distance":
            order.insert(0, distance)
    page = joined.add_columns(distance.label("distance_km")).order_by(*order)
    rows = (
        await session.execute(page.offset((query.page - 1) * query.per_page).limit(query.per_page))
    ).all()
    stmt = select(ServiceAtLocation).where(ServiceAtLocation.id.in_([row[0] for row in rows]))
    loaded = {
        sal.id: sal for sal in (await session.execute(stmt.options(*_sal_options()))).scalars()
    }
    shown = await _shown_sals(session, viewer, list(loaded.values()))
    contents = [_sal_read(loaded[sal_id], distance_km, shown) for sal_id, distance_km in rows]
    return Page[ServiceAtLocationRead].build(
        contents=contents, total=total, page=query.page, per_page=query.per_page
    )


async def get_service_at_location(
    session: AsyncSession, *, sal_id: str, viewer: Viewer
) -> ServiceAtLocationRead:
    """One service-at-location as the viewer may see it, or `ServiceAtLocationNotFound`."""
    sid = parse_id(sal_id)
    sal = None
    if sid is not None:
        stmt = select(ServiceAtLocation).where(ServiceAtLocation.id == sid).options(*_sal_options())
        sal = (await session.execute(stmt)).scalar_one_or_none()
    if sal is None:
        raise ServiceAtLocationNotFound(sal_id=sal_id)
    return _sal_read(sal, None, await _shown_sals(session, viewer, [sal]))


async def list_taxonomies(session: AsyncSession, *, page: int, per_page: int) -> Page[TaxonomyRead]:
    """Every taxonomy (there is one: the service categories)."""
    query = select(Taxonomy).order_by(Taxonomy.name, Taxonomy.id)
    rows, total = await fetch_page(session, query, page=page, per_page=per_page)
    return Page[TaxonomyRead].build(
        contents=[TaxonomyRead.model_validate(t) for t in rows],
        total=total,
        page=page,
        per_page=per_page,
    )


async def get_taxonomy(session: AsyncSession, *, taxonomy_id: str) -> TaxonomyRead:
    """One taxonomy, or `TaxonomyNotFound`."""
    tid = parse_id(taxonomy_id)
    taxonomy = await session.get(Taxonomy, tid) if tid else None
    if taxonomy is None:
        raise TaxonomyNotFound(taxonomy_id=taxonomy_id)
    return TaxonomyRead.model_validate(taxonomy)


async def list_taxonomy_terms(
    session: AsyncSession,
    *,
    taxonomy_id: uuid.UUID | None,
    parent_id: uuid.UUID | None,
    search: str | None,
    page: int,
    per_page: int,
    top_only: bool = False,
) -> Page[TaxonomyTermRead]:
    """Taxonomy terms, optionally of one taxonomy or parent, only the top ones (no parent), or
    matching a word."""
    conditions: list[Any] = []
    if taxonomy_id is not None:
        conditions.append(TaxonomyTerm.taxonomy_id == taxonomy_id)
    if parent_id is not None:
        conditions.append(TaxonomyTerm.parent_id == parent_id)
    if top_only:
        conditions.append(TaxonomyTerm.parent_id.is_(None))
    if search:
        key = _like_pattern(search)
        conditions.append(
            or_(
                *(
                    func.search_normalize(col).like(key)
                    for col in (TaxonomyTerm.code, TaxonomyTerm.name, TaxonomyTerm.name_bn)
                )
            )
        )
    query = (
        select(TaxonomyTerm)
        .where(*conditions)
        .options(selectinload(TaxonomyTerm.taxonomy))
        .order_by(TaxonomyTerm.code)
    )
    terms, total = await fetch_page(session, query, page=page, per_page=per_page)
    return Page[TaxonomyTermRead].build(
        contents=[_term_read(t, t.taxonomy.name) for t in terms],
        total=total,
        page=page,
        per_page=per_page,
    )


async def get_taxonomy_term(session: AsyncSession, *, term_id: str) -> TaxonomyTermRead:
    """One taxonomy term, or `TaxonomyTermNotFound`."""
    tid = parse_id(term_id)
    term = None
    if tid is not None:
        stmt = (
            select(TaxonomyTerm)
            .where(TaxonomyTerm.id == tid)
            .options(selectinload(TaxonomyTerm.taxonomy))
        )
        term = (await session.execute(stmt)).scalar_one_or_none()
    if term is None:
        raise TaxonomyTermNotFound(term_id=term_id)
    return _term_read(term, term.taxonomy.name)
