"""Place lookups: pcodes or any known spelling (English, HDX, Bangla, variants) to gazetteer
units."""

import re
from dataclasses import dataclass

from geoalchemy2.functions import ST_X, ST_Y
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.cache import TTLCache
from app.gazetteer.models import AdminArea, AdminAreaName
from search.text import search_key

PCODE = re.compile(r"^BD[0-9]{0,8}$", re.IGNORECASE)
# `near=Dhaka` means the district rather than the division; unions come last.
NEAR_PREFERENCE = ("district", "upazila", "union", "division", "country")


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
    stmt = select(
        AdminArea.pcode,
        AdminArea.level,
        AdminArea.name_en,
        AdminArea.name_bn,
        ST_Y(AdminArea.centroid),
        ST_X(AdminArea.centroid),
    )
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
