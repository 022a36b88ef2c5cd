"""The providers an SMS answer names: the directory's own search (either backend, the public
view: no confidential point, no inactive service), those located in the place first, then the
nearest around it, each nearest first from the place's centroid."""

import uuid
from dataclasses import dataclass
from typing import cast

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.gazetteer.service import Place
from app.portal import views
from app.portal.i18n import Lang, Words
from search.backend import SearchBackend
from search.query import VISIBLE_STATUSES, AdminLevel, Point, ServiceQuery

# more than two SMS ever show, so that MORE has something to send
CANDIDATES = 30


@dataclass(frozen=True)
class Provider:
    name: str  # the organization's
    phone: str | None  # as the directory has it; None when it has none (none is made up)
    area: str | None  # the upazila (or district) of its first location


async def _ids(backend: SearchBackend, query: ServiceQuery) -> list[uuid.UUID]:
    return [hit.service_id for hit in (await backend.search_services(query)).hits]


async def providers(
    session: AsyncSession, backend: SearchBackend, *, need: str, place: Place, lang: Lang
) -> list[Provider]:
    """The services of category `need` for `place`: in it first, then within SMS_RADIUS_KM."""
    centre = Point(place.lat, place.lng)
    inside = ServiceQuery(
        point=centre,
        admin={cast(AdminLevel, place.level): (place.pcode,)},
        categories=(need,),
        sort="distance",
        per_page=CANDIDATES,
    )
    around = ServiceQuery(
        point=centre,
        radius_km=get_settings().sms_radius_km,
        categories=(need,),
        sort="distance",
        per_page=CANDIDATES,
    )
    ids = list(dict.fromkeys(await _ids(backend, inside) + await _ids(backend, around)))
    found = await views.cards(session, ids)
    gazetteer = await views.gazetteer(session)
    words = Words(lang)
    national = {views.tel(number) for number in get_settings().portal_helplines}
    result: list[Provider] = []
    named: set[str] = set()
    for sid in ids:
        card = found.get(sid)
        if card is None or card["status"] not in VISIBLE_STATUSES:
            continue
        view = views.service_view(sid, card, gazetteer, words)
        phones = [call.number for call in view.calls if call.tel not in national]
        if view.calls and not phones:
            continue  # a national helpline itself: every reply names one already
        location = card["places"][0] if card["places"] else {}
        area = gazetteer.name(location.get("upazila"), words) or gazetteer.name(
            location.get("district"), words
        )
        # who to go to is the organization; its first (nearest) service speaks for it
        if view.organization in named:
            continue
        named.add(view.organization)
        result.append(Provider(view.organization, phones[0] if phones else None, area))
    return result
