"""Query parameters of the search endpoints, parsed into a backend-neutral `ServiceQuery`."""

import math
import uuid
from collections.abc import Iterable
from typing import Annotated, ClassVar, Literal

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.cache import TTLCache
from app.core.config import get_settings
from app.core.pagination import PageNumber, PerPage
from app.core.params import (
    MAX_PLACE_LENGTH,
    MAX_SEARCH_LENGTH,
    PLACE_DESCRIPTION,
    SEARCH_DESCRIPTION,
)
from app.core.schemas import SaneDateTime
from app.directory.errors import (
    AmbiguousPlace,
    BadBBox,
    BBoxLatitudes,
    BBoxLongitudes,
    BBoxOrder,
    DistanceNeedsPoint,
    LatLngTogether,
    NearOrLatLng,
    NotFinite,
    NotWithNdjson,
    RadiusNeedsPoint,
    RadiusTooLarge,
    RelevanceNeedsSearch,
    UnknownCategory,
    UnknownFacet,
    UnknownPlace,
)
from app.directory.models import TaxonomyTerm
from app.gazetteer.service import find_places, preferred_place
from search.query import ADMIN_LEVELS, FACETS, AdminLevel, BBox, Point, ServiceQuery
from search.text import clean_text


class SearchParams(BaseModel):
    """The query parameters of the search endpoints, as the client sent them (types and ranges
    checked; their combination is checked by `build_service_query`)."""

    # the parameters of the HSDS API profile; the others are this API's extensions
    HSDS: ClassVar[frozenset[str]] = frozenset(
        {
            "search",
            "page",
            "per_page",
            "organization_id",
            "taxonomy_term_id",
            "taxonomy_id",
            "modified_after",
            "full",
            "format",
        }
    )

    search: str | None = Field(
        default=None, max_length=MAX_SEARCH_LENGTH, description=SEARCH_DESCRIPTION
    )
    page: PageNumber = 1
    per_page: PerPage = 20
    lat: float | None = Field(default=None, ge=-90, le=90, description="Latitude (WGS84).")
    lng: float | None = Field(default=None, ge=-180, le=180, description="Longitude (WGS84).")
    radius_km: float | None = Field(
        default=None, gt=0, description="Radius around lat/lng or near, in km."
    )
    near: str | None = Field(
        default=None,
        max_length=MAX_PLACE_LENGTH,
        description=f"Instead of lat/lng: a {PLACE_DESCRIPTION}",
    )
    bbox: str | None = Field(default=None, description="minLng,minLat,maxLng,maxLat")
    division: str | None = Field(
        default=None, max_length=MAX_PLACE_LENGTH, description=f"Division: {PLACE_DESCRIPTION}"
    )
    district: str | None = Field(
        default=None, max_length=MAX_PLACE_LENGTH, description=f"District: {PLACE_DESCRIPTION}"
    )
    upazila: str | None = Field(
        default=None, max_length=MAX_PLACE_LENGTH, description=f"Upazila: {PLACE_DESCRIPTION}"
    )
    union: str | None = Field(
        default=None, max_length=MAX_PLACE_LENGTH, description=f"Union: {PLACE_DESCRIPTION}"
    )
    category: str | None = Field(default=None, description="Category codes, comma-separated (OR).")
    free_of_cost: bool | None = Field(default=None, description="Only free services.")
    sort: Literal["relevance", "distance", "name"] | None = Field(
        default=None,
        description="relevance (default with search), distance (default with a point), name.",
    )
    facets: str | None = Field(
        default=None,
        description=f"Comma list of: {', '.join(FACETS)}; the page then carries `facets`, each "
        "facet's values with their code, English and Bangla names and count.",
    )
    organization_id: uuid.UUID | None = None
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    modified_after: SaneDateTime | None = None
    full: bool = Field(default=False, description="Return fully nested services.")
    format: Literal["json", "ndjson"] = Field(
        default="json",
        description="`json` (pages) or `ndjson`: every match, one JSON object per line "
        "(application/x-ndjson), unpaged, by name, always from PostgreSQL; not with page, "
        "per_page, sort or facets.",
    )

    @classmethod
    def extensions(cls) -> list[str]:
        """The parameters beyond the HSDS API profile, in order (the API root lists them)."""
        return [name for name in cls.model_fields if name not in cls.HSDS]


SearchParamsDep = Annotated[SearchParams, Query()]


class ServiceSearchParams(SearchParams):
    """The search parameters of `GET /services`: those of the searches plus HSDS `minimal`."""

    HSDS: ClassVar[frozenset[str]] = SearchParams.HSDS | {"minimal"}

    minimal: bool = Field(
        default=False,
        description="Items of just `id` and `modified_date` (for harvesters, with "
        "`modified_after`; with `format=ndjson`, all of them in one call); not with full.",
    )


ServiceSearchParamsDep = Annotated[ServiceSearchParams, Query()]

# what a stream has no use for: it is unpaged and in one order
NOT_WITH_NDJSON = ("page", "per_page", "sort", "facets")


def refuse_paging(sent: Iterable[str]) -> None:
    """A 422 for the first paging parameter sent with `format=ndjson` (never ignored)."""
    for name in NOT_WITH_NDJSON:
        if name in sent:
            raise NotWithNdjson(field=name)


def _finite(name: str, value: float | None) -> None:
    if value is not None and not math.isfinite(value):
        raise NotFinite(field=name)


def parse_bbox(value: str) -> BBox:
    """`minLng,minLat,maxLng,maxLat`, in range and in order."""
    parts = value.split(",")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise BadBBox()
    min_lng, min_lat, max_lng, max_lat = numbers
    if not (-180 <= min_lng <= 180 and -180 <= max_lng <= 180):
        raise BBoxLongitudes()
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise BBoxLatitudes()
    if min_lng > max_lng or min_lat > max_lat:
        raise BBoxOrder()
    return BBox(min_lng, min_lat, max_lng, max_lat)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


async def _resolve_admin(
    session: AsyncSession, params: SearchParams
) -> dict[AdminLevel, tuple[str, ...]]:
    admin: dict[AdminLevel, tuple[str, ...]] = {}
    for level in ADMIN_LEVELS:
        raw = getattr(params, level)
        if raw is None:
            continue
        pcodes: list[str] = []
        for value in _split(raw) or [raw]:
            places = await find_places(session, value=value, level=level)
            if not places:
                raise UnknownPlace(field=level, level=level, value=value)
            pcodes.extend(place.pcode for place in places)
        admin[level] = tuple(dict.fromkeys(pcodes))
    return admin


_category_codes: TTLCache[str, frozenset[str]] = TTLCache(ttl=60, max_size=1)


async def known_category_codes(session: AsyncSession) -> frozenset[str]:
    """The taxonomy term codes, cached for a minute."""
    codes = _category_codes.get("codes")
    if codes is None:
        codes = frozenset((await session.execute(select(TaxonomyTerm.code))).scalars())
        _category_codes.put("codes", codes)
    return codes


async def _resolve_categories(session: AsyncSession, raw: str | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    codes = _split(raw)
    known = await known_category_codes(session)
    unknown = [code for code in codes if code not in known]
    if unknown or not codes:
        raise UnknownCategory(unknown=", ".join(unknown) or raw, known=", ".join(sorted(known)))
    return tuple(codes)


async def _resolve_point(session: AsyncSession, params: SearchParams) -> Point | None:
    _finite("lat", params.lat)
    _finite("lng", params.lng)
    _finite("radius_km", params.radius_km)
    if (params.lat is None) != (params.lng is None):
        missing = "lng" if params.lng is None else "lat"
        raise LatLngTogether(field=missing)
    if params.near is not None and params.lat is not None:
        raise NearOrLatLng()
    if params.lat is not None and params.lng is not None:
        return Point(params.lat, params.lng)
    if params.near is not None:
        places = preferred_place(await find_places(session, value=params.near))
        if not places:
            raise UnknownPlace(field="near", level="place", value=params.near)
        if len(places) > 1:
            options = ", ".join(f"{p.pcode} ({p.name_en})" for p in places[:10])
            raise AmbiguousPlace(value=params.near, options=options)
        return Point(places[0].lat, places[0].lng)
    if params.radius_km is not None:
        raise RadiusNeedsPoint()
    return None


async def build_service_query(session: AsyncSession, params: SearchParams) -> ServiceQuery:
    """Validates the combination of parameters and resolves names to codes."""
    settings = get_settings()
    point = await _resolve_point(session, params)
    radius_km = None
    if point is not None:
        radius_km = params.radius_km if params.radius_km is not None else settings.default_radius_km
        if radius_km > settings.max_radius_km:
            raise RadiusTooLarge(limit=settings.max_radius_km)
    text = None
    if params.search is not None:
        text = clean_text(params.search) or None
    sort = params.sort or ("relevance" if text else "distance" if point else "name")
    if sort == "distance" and point is None:
        raise DistanceNeedsPoint()
    if sort == "relevance" and text is None:
        raise RelevanceNeedsSearch()
    facets = tuple(dict.fromkeys(_split(params.facets))) if params.facets is not None else ()
    unknown_facets = [name for name in facets if name not in FACETS]
    if unknown_facets or (params.facets is not None and not facets):
        raise UnknownFacet(
            unknown=", ".join(unknown_facets) or params.facets, known=", ".join(FACETS)
        )
    return ServiceQuery(
        text=text,
        point=point,
        radius_km=radius_km,
        bbox=parse_bbox(params.bbox) if params.bbox is not None else None,
        admin=await _resolve_admin(session, params),
        categories=await _resolve_categories(session, params.category),
        free_of_cost=params.free_of_cost,
        organization_id=params.organization_id,
        taxonomy_term_id=params.taxonomy_term_id,
        taxonomy_id=params.taxonomy_id,
        modified_after=params.modified_after,
        sort=sort,
        page=params.page,
        per_page=params.per_page,
        facets=facets,
    )
