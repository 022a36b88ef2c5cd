"""Place lookups: pcodes or any known spelling (English, HDX, Bangla, variants) to gazetteer
units."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from geoalchemy2.functions import ST_X, ST_Y
from sqlalchemy import ColumnElement, and_, case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.core.cache import TTLCache
from app.core.pagination import Page, fetch_page
from app.gazetteer.errors import SearchOrLevelRequired
from app.gazetteer.models import AdminArea, AdminAreaName
from app.gazetteer.schemas import PlaceRead, PlaceRef
from search.query import ADMIN_LEVELS, AdminLevel
from search.text import search_key

PCODE = re.compile(r"^BD[0-9]{0,8}$", re.IGNORECASE)
# `near=Dhaka` means the district rather than the division; unions come last.
NEAR_PREFERENCE = ("district", "upazila", "union", "division", "country")
# a unit's pcode, level, names, latitude and longitude, in Place's order
PLACE_COLUMNS = (
    AdminArea.pcode,
    AdminArea.level,
    AdminArea.name_en,
    AdminArea.name_bn,
    ST_Y(AdminArea.centroid),
    ST_X(AdminArea.centroid),
)


@dataclass(frozen=True)
class Place:
    pcode: str
    level: str
    name_en: str
    name_bn: str | None
    lat: float
    lng: float


# The gazetteer changes only when the seed is reloaded; lookups are cached for a few minutes.
_places: TTLCache[tuple[str, str | None], list[Place]] = TTLCache(ttl=300, max_size=20_000)


async def find_places(
    session: AsyncSession, *, value: str, level: str | None = None
) -> list[Place]:
    """Every unit (of `level`, if given) whose pcode or one of whose names equals `value`."""
    value = value.strip()
    key = (value.upper() if PCODE.match(value) else search_key(value), level)
    cached = _places.get(key)
    if cached is None:
        cached = await _find_places(session, value=value, level=level)
        _places.put(key, cached)
    return cached


async def _find_places(session: AsyncSession, *, value: str, level: str | None) -> list[Place]:
    stmt = select(*PLACE_COLUMNS)
    if PCODE.match(value):
        stmt = stmt.where(AdminArea.pcode == value.upper())
    else:
        names = select(AdminAreaName.pcode).where(AdminAreaName.name_key == search_key(value))
        stmt = stmt.where(AdminArea.pcode.in_(names))
    if level is not None:
        stmt = stmt.where(AdminArea.level == level)
    rows = (await session.execute(stmt.order_by(AdminArea.pcode))).all()
    return [Place(*row) for row in rows]


def preferred_place(places: list[Place]) -> list[Place]:
    """The candidates of the most likely level for a `near=` lookup."""
    for level in NEAR_PREFERENCE:
        found = [place for place in places if place.level == level]
        if found:
            return found
    return []


def _prefix_pattern(key: str) -> str:
    """A LIKE pattern of the strings that begin with `key`, its wildcards escaped."""
    return key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def list_places(
    session: AsyncSession,
    *,
    search: str | None,
    level: AdminLevel | None,
    page: int,
    per_page: int,
) -> Page[PlaceRead]:
    """Units (of `level`, if given) whose pcode is `search` or one of whose names begins with it,
    in any spelling: exact matches first, then districts, upazilas, unions and divisions, then
    by name. Without `search`, every unit of `level` by name; without either,
    `SearchOrLevelRequired`."""
    key = search_key(search) if search else ""
    if not key and level is None:
        raise SearchOrLevelRequired()
    conditions: list[Any] = [
        AdminArea.level == level if level else AdminArea.level.in_(ADMIN_LEVELS)
    ]
    order: list[Any] = []
    if key:
        by_name = select(AdminAreaName.pcode)
        found: ColumnElement[bool] = AdminArea.pcode.in_(
            by_name.where(AdminAreaName.name_key.like(_prefix_pattern(key)))
        )
        exact: ColumnElement[bool] = AdminArea.pcode.in_(
            by_name.where(AdminAreaName.name_key == key)
        )
        if PCODE.match(key):
            found = or_(found, AdminArea.pcode == key.upper())
            exact = or_(exact, AdminArea.pcode == key.upper())
        rank = {name: i for i, name in enumerate(NEAR_PREFERENCE)}
        conditions.append(found)
        order = [exact.desc(), case(rank, value=AdminArea.level)]
    query = (
        select(AdminArea.pcode)
        .where(*conditions)
        .order_by(*order, AdminArea.name_en, AdminArea.pcode)
    )
    pcodes, total = await fetch_page(session, query, page=page, per_page=per_page)
    return Page[PlaceRead].build(
        contents=await _place_reads(session, pcodes), total=total, page=page, per_page=per_page
    )


async def _place_reads(session: AsyncSession, pcodes: Sequence[str]) -> list[PlaceRead]:
    """The units of these pcodes, in their order, each with its parent (a division's is the
    country, which is left out)."""
    parent = aliased(AdminArea)
    stmt = (
        select(
            *PLACE_COLUMNS,
            parent.pcode,
            parent.level,
            parent.name_en,
            parent.name_bn,
        )
        .outerjoin(
            parent,
            and_(parent.pcode == AdminArea.parent_pcode, parent.level.in_(ADMIN_LEVELS)),
        )
        .where(AdminArea.pcode.in_(pcodes))
    )
    places = {}
    for pcode, level, name, name_bn, lat, lng, *up in (await session.execute(stmt)).tuples():
        above = None
        if up[0] is not None:
            above = PlaceRef(pcode=up[0], level=up[1], name=up[2], name_bn=up[3])
        places[pcode] = PlaceRead(
            pcode=pcode, level=level, name=name, name_bn=name_bn, parent=above, lat=lat, lng=lng
        )
    return [places[pcode] for pcode in pcodes]
