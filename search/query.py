"""Backend-neutral description of a service search and its result."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Sort = Literal["relevance", "distance", "name"]
AdminLevel = Literal["division", "district", "upazila", "union"]

ADMIN_LEVELS: tuple[AdminLevel, ...] = ("division", "district", "upazila", "union")
# each facet and the document field (column or attribute) both backends count it on
FACET_FIELDS = {
    "category": "category_codes",
    "division": "division_codes",
    "district": "district_codes",
    "upazila": "upazila_codes",
    "union": "union_codes",
    "free_of_cost": "free_of_cost",
}
FACETS = tuple(FACET_FIELDS)
VISIBLE_STATUSES = ("active", "temporarily closed")


@dataclass(frozen=True)
class Point:
    lat: float
    lng: float


@dataclass(frozen=True)
class BBox:
    min_lng: float
    min_lat: float
    max_lng: float
    max_lat: float


@dataclass(frozen=True)
class ServiceQuery:
    """Filters, sort and page of a search; place names are already resolved to pcodes."""

    text: str | None = None
    point: Point | None = None
    radius_km: float | None = None
    bbox: BBox | None = None
    admin: dict[AdminLevel, tuple[str, ...]] = field(default_factory=dict)
    categories: tuple[str, ...] = ()
    free_of_cost: bool | None = None
    organization_id: uuid.UUID | None = None
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    modified_after: datetime | None = None
    sort: Sort = "name"
    page: int = 1
    per_page: int = 20
    facets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    service_id: uuid.UUID
    distance_km: float | None = None
    # the HSDS list item as JSON text, when the backend stores it (with `distance_km` merged in)
    document: str | None = None
    # relevance in [0, 1], higher first, for searches sorted by relevance (else None)
    score: float | None = None


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit]
    total: int
    facets: dict[str, dict[str, int]]
