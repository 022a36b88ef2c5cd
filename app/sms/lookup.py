"""The providers an SMS answer names: the directory's own search (either backend, the public
view: no confidential point, no inactive service), those located in the place first, then the
nearest around it, each nearest first from the place's centroid."""

import math
import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.gazetteer.service import Place
from app.portal import views
from app.portal.i18n import Lang, Words
from search.backend import SearchBackend
from search.query import VISIBLE_STATUSES, AdminLevel, Point, ServiceQuery

# more than two SMS ever show, so that MORE has something to send
CANDIDATES = 30
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Provider:
    name: str  # the organization's
    phone: str | None  # as the directory has it; None when it has none (none is made up)
    area: str | None  # the upazila (or district) of its location nearest to the place


def _km(a: Point, lat: float, lng: float) -> float:
    """The great-circle distance (haversine, mean Earth radius)."""
    dlat, dlng = math.radians(lat - a.lat), math.radians(lng - a.lng)
    h = (
        math.sin(dlat / 2) ** 2
        + math.cos(math.radians(a.lat)) * math.cos(math.radians(lat)) * math.sin(dlng / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


async def _hits(backend: SearchBackend, query: ServiceQuery) -> dict[uuid.UUID, float | None]:
    return {hit.service_id: hit.distance_km for hit in (await backend.search_services(query)).hits}


def _nearest(
    card: dict[str, Any], centre: Point, found_at: float | None
) -> tuple[float, dict[str, Any]]:
    """A service's distance and its location nearest to the centre. The distance is measured
    here from the points both backends index, so that either gives one order; a confidential
    location (no point leaves the database) keeps the backend's distance."""
    best: tuple[float, dict[str, Any]] = (math.inf, card["places"][0] if card["places"] else {})
    for place in card["places"]:
        if place["lat"] is not None and place["lng"] is not None:
            best = min(best, (_km(centre, place["lat"], place["lng"]), place), key=lambda b: b[0])
    if best[0] == math.inf and found_at is not None:
        best = (found_at, best[1])
    return best


async def providers(
    session: AsyncSession, backend: SearchBackend, *, need: str, place: Place, lang: Lang
) -> list[Provider]:
    """The services of category `need` for `place`: in it first, then within SMS_RADIUS_KM,
    each group nearest first (then by name), one line per organization."""
    centre = Point(place.lat, place.lng)
    inside = await _hits(
        backend,
        ServiceQuery(
            point=centre,
            admin={cast(AdminLevel, place.level): (place.pcode,)},
            categories=(need,),
            sort="distance",
            per_page=CANDIDATES,
        ),
    )
    around = await _hits(
        backend,
        ServiceQuery(
            point=centre,
            radius_km=get_settings().sms_radius_km,
            categories=(need,),
            sort="distance",
            per_page=CANDIDATES,
        ),
    )
    distances = around | inside
    found = await views.cards(session, list(distances))
    gazetteer = await views.gazetteer(session)
    words = Words(lang)
    national = {views.tel(number) for number in get_settings().portal_helplines}
    ranked = []
    for sid, found_at in distances.items():
        card = found.get(sid)
        if card is None or card["status"] not in VISIBLE_STATUSES:
            continue
        view = views.service_view(sid, card, gazetteer, words)
        phones = [call.number for call in view.calls if call.tel not in national]
        if view.calls and not phones:
            continue  # a national helpline itself: every reply names one already
        km, location = _nearest(card, centre, found_at)
        area = gazetteer.name(location.get("upazila"), words) or gazetteer.name(
            location.get("district"), words
        )
        provider = Provider(view.organization, phones[0] if phones else None, area)
        ranked.append(((sid not in inside, round(km, 3), provider.name), provider))
    # who to go to is the organization; its first service in this order speaks for it
    first: dict[str, Provider] = {}
    for _, provider in sorted(ranked, key=lambda r: r[0]):
        first.setdefault(provider.name, provider)
    return list(first.values())
