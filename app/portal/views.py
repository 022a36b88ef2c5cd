"""What the portal's pages show, built from the same directory and search services as the API:
the search form's choices, the results as a person needs them, one service, the helplines."""

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.cache import TTLCache
from app.core.config import get_settings
from app.core.errors import InvalidParameter
from app.core.params import MAX_SEARCH_LENGTH
from app.directory.models import Phone, Service, TaxonomyTerm
from app.directory.params import SearchParams, build_service_query
from app.directory.service import parse_id
from app.gazetteer.models import AdminArea
from app.portal.i18n import TEXT, Lang, Words
from search.backend import SearchBackend
from search.query import VISIBLE_STATUSES, ServiceQuery

PER_PAGE = 10
RADII_KM = (5, 10, 25, 50, 100)
# the parameters a search page keeps in its links, in this order
KEPT = (
    "search",
    "category",
    "division",
    "district",
    "upazila",
    "near",
    "lat",
    "lng",
    "radius_km",
    "free_of_cost",
)
# the ones a printed or downloaded directory keeps
PLACE_KEPT = ("category", "district", "upazila")


class NotANumber(InvalidParameter):
    en = "must be a number"
    bn = "একটি সংখ্যা হতে হবে"


class OutOfRange(InvalidParameter):
    en = "must be between {low} and {high}"
    bn = "{low} থেকে {high} এর মধ্যে হতে হবে"


class RadiusNotPositive(InvalidParameter):
    field = "radius_km"
    en = "must be above 0"
    bn = "০ এর বেশি হতে হবে"


# places ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    pcode: str
    level: str
    name_en: str
    name_bn: str | None
    division: str | None
    district: str | None


@dataclass(frozen=True)
class Gazetteer:
    """Divisions, districts and upazilas by pcode (unions are not offered to pick)."""

    areas: dict[str, Area]
    _groups: dict[str, list[tuple[str, list[tuple[str, str]], str]]] = field(default_factory=dict)

    def name(self, pcode: str | None, words: Words) -> str | None:
        area = self.areas.get(pcode or "")
        return words.pick(area.name_en, area.name_bn) if area else None

    def districts(self) -> list[Area]:
        return sorted(
            (a for a in self.areas.values() if a.level == "district"),
            key=lambda a: (a.division or "", a.name_en),
        )

    def divisions(self) -> list[Area]:
        return sorted(
            (a for a in self.areas.values() if a.level == "division"), key=lambda a: a.name_en
        )

    def district_groups(
        self, words: Words, division: str | None = None
    ) -> list[tuple[str, list[tuple[str, str]], str]]:
        """The districts by division (of one division, if given), named in the page's
        language, as the form lists them."""
        if division:
            return [g for g in self.district_groups(words) if g[2] == division]
        groups = self._groups.get(words.lang)
        if groups is None:
            groups = [
                (
                    words.pick(area.name_en, area.name_bn),
                    [
                        (d.pcode, words.pick(d.name_en, d.name_bn))
                        for d in self.districts()
                        if d.division == area.pcode
                    ],
                    area.pcode,
                )
                for area in self.divisions()
            ]
            self._groups[words.lang] = groups
        return groups

    def upazilas(self, district: str | None) -> list[Area]:
        return sorted(
            (a for a in self.areas.values() if a.level == "upazila" and a.district == district),
            key=lambda a: a.name_en,
        )


_gazetteer: TTLCache[str, Gazetteer] = TTLCache(ttl=300, max_size=1)


async def gazetteer(session: AsyncSession) -> Gazetteer:
    """The gazetteer's divisions, districts and upazilas, cached for a few minutes."""
    cached = _gazetteer.get("areas")
    if cached is None:
        rows = await session.execute(
            select(
                AdminArea.pcode,
                AdminArea.level,
                AdminArea.name_en,
                AdminArea.name_bn,
                AdminArea.division_pcode,
                AdminArea.district_pcode,
            ).where(AdminArea.level.in_(("division", "district", "upazila")))
        )
        cached = Gazetteer({row[0]: Area(*row) for row in rows})
        _gazetteer.put("areas", cached)
    return cached


@dataclass(frozen=True)
class Category:
    code: str
    name_en: str
    name_bn: str


_categories: TTLCache[str, list[Category]] = TTLCache(ttl=300, max_size=1)


async def categories(session: AsyncSession) -> list[Category]:
    """The service categories, cached for a few minutes."""
    cached = _categories.get("categories")
    if cached is None:
        rows = await session.execute(
            select(TaxonomyTerm.code, TaxonomyTerm.name, TaxonomyTerm.name_bn).order_by(
                TaxonomyTerm.name
            )
        )
        cached = [Category(*row) for row in rows]
        _categories.put("categories", cached)
    return cached


@dataclass(frozen=True)
class Helpline:
    number: str
    name_en: str
    name_bn: str | None


_helplines: TTLCache[str, list[Helpline]] = TTLCache(ttl=300, max_size=1)


async def helplines(session: AsyncSession) -> list[Helpline]:
    """The national helplines every page keeps in view (`PORTAL_HELPLINES`), with their names as
    the directory has them; a number the directory lacks is not shown."""
    cached = _helplines.get("helplines")
    if cached is None:
        wanted = get_settings().portal_helplines
        rows = await session.execute(
            select(Phone.number, Service.name, Service.name_bn)
            .join(Service, Service.id == Phone.service_id)
            .where(Phone.number.in_(wanted), Service.status == "active")
        )
        found = {number: Helpline(number, name, name_bn) for number, name, name_bn in rows}
        cached = [found[number] for number in wanted if number in found]
        _helplines.put("helplines", cached)
    return cached


# the search --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The search as the page's form holds it (strings as sent, empty meaning not set)."""

    search: str = ""
    category: str = ""
    division: str = ""
    district: str = ""
    upazila: str = ""
    near: str = ""
    lat: str = ""
    lng: str = ""
    radius_km: str = ""
    free_of_cost: bool = False
    page: int = 1

    @classmethod
    def from_query(cls, params: Any) -> "Filters":
        values = {
            name: (params.get(name) or "").strip()[:MAX_SEARCH_LENGTH]
            for name in KEPT
            if name != "free_of_cost"
        }
        free = (params.get("free_of_cost") or "").lower() in ("1", "true", "on", "yes")
        try:
            page = max(1, min(int(params.get("page") or 1), 10_000))
        except ValueError:
            page = 1
        return cls(**values, free_of_cost=free, page=page)

    @property
    def has_point(self) -> bool:
        return bool((self.lat and self.lng) or self.near)

    def query_string(self, lang: Lang, **changes: Any) -> str:
        """This search (with `changes`) as a link's query string, in `lang`."""
        changed = replace(self, **changes)
        pairs: list[tuple[str, str]] = [("lang", lang)]
        for name in KEPT:
            value = getattr(changed, name)
            if name == "free_of_cost":
                if value:
                    pairs.append((name, "true"))
            elif value:
                pairs.append((name, value))
        if changed.page > 1:
            pairs.append(("page", str(changed.page)))
        return urlencode(pairs)

    def place_query(self, lang: Lang | None = None) -> str:
        """The category and place of this search, for the printed and downloaded directory.

        A print or an export takes the directory by place and kind, not by words or distance:
        the words of a search would make a partial list look like the whole directory.
        """
        pairs = [("lang", lang)] if lang else []
        pairs += [(name, getattr(self, name)) for name in PLACE_KEPT if getattr(self, name)]
        return urlencode(pairs)


def _number(name: str, value: str) -> float | None:
    if not value:
        return None
    try:
        return float(value.translate(str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")))
    except ValueError:
        raise NotANumber(field=name) from None


def _params(filters: Filters) -> SearchParams:
    point = filters.lat and filters.lng
    # unvalidated, as the API's are before `build_service_query`: it refuses a NaN as the API does
    return SearchParams.model_construct(
        search=filters.search or None,
        page=filters.page,
        per_page=PER_PAGE,
        lat=_number("lat", filters.lat) if point else None,
        lng=_number("lng", filters.lng) if point else None,
        radius_km=_number("radius_km", filters.radius_km) if filters.has_point else None,
        near=None if point else (filters.near or None),
        bbox=None,
        division=filters.division or None,
        district=filters.district or None,
        upazila=filters.upazila or None,
        union=None,
        category=filters.category or None,
        free_of_cost=True if filters.free_of_cost else None,
        sort=None,
        facets=None,
        organization_id=None,
        taxonomy_term_id=None,
        taxonomy_id=None,
        modified_after=None,
        full=True,
    )


async def service_query(session: AsyncSession, filters: Filters) -> ServiceQuery:
    """The backend-neutral query of the page's filters (`InvalidParameter` when they clash)."""
    lat, lng = _number("lat", filters.lat), _number("lng", filters.lng)
    for name, value, low, high in (("lat", lat, -90, 90), ("lng", lng, -180, 180)):
        if value is not None and not low <= value <= high:
            raise OutOfRange(field=name, low=low, high=high)
    radius = _number("radius_km", filters.radius_km)
    if radius is not None and radius <= 0:
        raise RadiusNotPositive()
    return await build_service_query(session, _params(filters))


# what a person sees ---------------------------------------------------------------------------


@dataclass
class Call:
    number: str
    tel: str
    label: str | None = None


@dataclass
class Place:
    name: str | None
    area: str
    exact: bool
    approximate: bool
    confidential: bool
    lat: float | None = None
    lng: float | None = None
    address: str | None = None
    geo_uri: str | None = None
    osm_url: str | None = None


@dataclass
class ServiceView:
    id: uuid.UUID
    name: str
    organization: str
    categories: list[str]
    free: bool
    distance: str | None
    places: list[Place]
    calls: list[Call]
    hours: list[str]
    verified: str
    serves: list[str] = field(default_factory=list)
    description: str | None = None
    eligibility: str | None = None
    application: str | None = None
    fees: str | None = None
    url: str | None = None
    alert: str | None = None
    source: str | None = None


# Everything a page shows of some services, in one statement, as JSON: the portal is public, so
# a confidential location's point and address never leave the database (the rule of
# app/directory/confidential.py for anonymous readers).
CARDS = text("""
SELECT s.id, json_build_object(
  'name', s.name, 'name_bn', s.name_bn, 'status', s.status,
  'organization', o.name, 'organization_bn', o.name_bn,
  'assured_date', coalesce(s.assured_date, o.assured_date),
  'description', s.description, 'description_bn', s.description_bn,
  'eligibility', s.eligibility_description, 'eligibility_bn', s.eligibility_description_bn,
  'application', s.application_process, 'fees', s.fees_description, 'url', s.url,
  'alert', s.alert, 'alert_bn', s.alert_bn, 'source', s.data_source,
  'categories', (SELECT coalesce(json_agg(json_build_object('en', t.name, 'bn', t.name_bn)
                                          ORDER BY t.code), '[]')
                 FROM attribute a JOIN taxonomy_term t ON t.id = a.taxonomy_term_id
                 WHERE a.link_id = s.id AND a.link_entity = 'service'),
  'free', (SELECT bool_or(coalesce(c.amount = 0, false)) FROM cost_option c
           WHERE c.service_id = s.id),
  'phones', (SELECT coalesce(json_agg(json_build_object('number', p.number, 'en', p.description,
                                                        'bn', p.description_bn)
                                      ORDER BY p.service_id IS NULL, p.number), '[]')
             FROM phone p WHERE p.service_id = s.id OR p.organization_id = s.organization_id),
  'hours', (SELECT coalesce(json_agg(json_build_object('byday', h.byday, 'opens', h.opens_at,
                                                       'closes', h.closes_at, 'en', h.description,
                                                       'bn', h.description_bn) ORDER BY h.id), '[]')
            FROM schedule h WHERE h.service_id = s.id),
  'areas', (SELECT coalesce(json_agg(sa.admin_pcode ORDER BY sa.admin_pcode), '[]')
            FROM service_area sa WHERE sa.service_id = s.id),
  'places', (SELECT coalesce(json_agg(json_build_object(
                'name', l.name, 'name_bn', l.name_bn, 'upazila', l.upazila_pcode,
                'district', l.district_pcode, 'confidential', l.confidential,
                'approximate', l.coordinates_approximate,
                'lat', CASE WHEN l.confidential THEN NULL ELSE l.latitude END,
                'lng', CASE WHEN l.confidential THEN NULL ELSE l.longitude END,
                'address', CASE WHEN l.confidential THEN NULL ELSE
                  (SELECT concat_ws(', ', ad.address_1, ad.address_2, ad.city) FROM address ad
                   WHERE ad.location_id = l.id ORDER BY ad.id LIMIT 1) END,
                'phones', (SELECT coalesce(json_agg(json_build_object('number', p.number,
                             'en', p.description, 'bn', p.description_bn) ORDER BY p.number), '[]')
                           FROM phone p WHERE p.location_id = l.id))
              ORDER BY l.name), '[]')
             FROM service_at_location sal JOIN location l ON l.id = sal.location_id
             WHERE sal.service_id = s.id)
) AS card
FROM service s JOIN organization o ON o.id = s.organization_id
WHERE s.id = ANY(:ids)
""")


def tel(number: str) -> str:
    """The `tel:` form of a number as written (digits and a leading +)."""
    digits = re.sub(r"[^\d+]", "", number.translate(str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")))
    return "tel:" + digits


def _calls(phones: list[dict[str, Any]], words: Words, seen: set[str]) -> list[Call]:
    calls = []
    for phone in phones:
        link = tel(phone["number"])
        if link in seen:
            continue
        seen.add(link)
        label = words.pick(phone["en"], phone["bn"]) or None
        calls.append(Call(number=words.number(phone["number"]), tel=link, label=label))
    return calls


def _hours(schedules: list[dict[str, Any]], words: Words) -> list[str]:
    hours = []
    for schedule in schedules:
        days = ""
        if schedule["byday"]:
            codes = schedule["byday"].split(",")
            days = (
                "–".join((words.weekday(codes[0]), words.weekday(codes[-1])))
                if len(codes) > 2
                else ", ".join(words.weekday(code) for code in codes)
            )
        times = ""
        if schedule["opens"] and schedule["closes"]:
            opens, closes = (time.fromisoformat(schedule[k]) for k in ("opens", "closes"))
            times = f"{words.time(opens)}–{words.time(closes)}"
        text = " ".join(part for part in (days, times) if part)
        # the data's own words stay as written (an English note keeps its digits)
        described = words.pick(schedule["en"], schedule["bn"])
        if text or described:
            hours.append(text + (f" ({described})" if text and described else described))
    return hours


def _place(location: dict[str, Any], gazetteer: Gazetteer, words: Words) -> Place:
    names = (
        gazetteer.name(location["upazila"], words),
        gazetteer.name(location["district"], words),
    )
    area = ", ".join(name for name in names if name)
    name = words.pick(location["name"], location["name_bn"]) or None
    if location["confidential"]:
        return Place(name=name, area=area, exact=False, approximate=False, confidential=True)
    approximate = bool(location["approximate"])
    lat, lng = location["lat"], location["lng"]
    place = Place(
        name=name,
        area=area,
        exact=not approximate and lat is not None,
        approximate=approximate,
        confidential=False,
        address=location["address"] or None,
    )
    if place.exact and lat is not None and lng is not None:
        place.lat, place.lng = round(lat, 6), round(lng, 6)
        label = urlencode({"q": f"{place.lat},{place.lng}({location['name'] or ''})"})
        place.geo_uri = f"geo:{place.lat},{place.lng}?{label}"
        place.osm_url = (
            f"https://www.openstreetmap.org/?mlat={place.lat}&mlon={place.lng}"
            f"#map=17/{place.lat}/{place.lng}"
        )
    return place


def service_view(
    service_id: uuid.UUID,
    card: dict[str, Any],
    gazetteer: Gazetteer,
    words: Words,
    distance_km: float | None = None,
) -> ServiceView:
    """One service as a person needs it, in the page's language."""
    seen: set[str] = set()
    calls = _calls(card["phones"], words, seen)
    places = [_place(location, gazetteer, words) for location in card["places"]]
    for location in card["places"]:
        calls += _calls(location["phones"], words, seen)
    serves = [
        words("whole_country") if pcode == "BD" else gazetteer.name(pcode, words)
        for pcode in card["areas"]
    ]
    verified = card["assured_date"]
    return ServiceView(
        id=service_id,
        name=words.pick(card["name"], card["name_bn"]),
        organization=words.pick(card["organization"], card["organization_bn"]),
        categories=[words.pick(c["en"], c["bn"]) for c in card["categories"]],
        free=bool(card["free"]),
        distance=words("distance", km=words.distance(distance_km))
        if distance_km is not None
        else None,
        places=places,
        calls=calls,
        hours=_hours(card["hours"], words),
        verified=words("verified_on", date=words.date(date.fromisoformat(verified)))
        if verified
        else words("not_verified"),
        serves=[s for s in serves if s],
        description=words.pick(card["description"], card["description_bn"]) or None,
        eligibility=words.pick(card["eligibility"], card["eligibility_bn"]) or None,
        application=card["application"],
        fees=card["fees"],
        url=card["url"],
        alert=words.pick(card["alert"], card["alert_bn"]) or None,
        source=words(f"source_{card['source']}")
        if f"source_{card['source']}" in TEXT
        else card["source"],
    )


async def cards(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """What the pages show of these services, by id."""
    rows = await session.execute(CARDS, {"ids": ids})
    return {service_id: card for service_id, card in rows.tuples()}


@dataclass
class Results:
    views: list[ServiceView]
    total: int
    pages: int
    query: ServiceQuery


async def find(
    session: AsyncSession, backend: SearchBackend, query: ServiceQuery, words: Words
) -> Results:
    """A page of search results, in the backend's order."""
    result = await backend.search_services(query)
    found = await cards(session, [hit.service_id for hit in result.hits])
    gaz = await gazetteer(session)
    views = [
        service_view(hit.service_id, found[hit.service_id], gaz, words, hit.distance_km)
        for hit in result.hits
        if hit.service_id in found
    ]
    pages = (result.total + query.per_page - 1) // query.per_page
    return Results(views=views, total=result.total, pages=pages, query=query)


async def one_service(session: AsyncSession, service_id: str, words: Words) -> ServiceView | None:
    """One active service as a person needs it, or None."""
    sid = parse_id(service_id)
    found = await cards(session, [sid]) if sid else {}
    card = found.get(sid) if sid else None
    if sid is None or card is None or card["status"] not in VISIBLE_STATUSES:
        return None
    return service_view(sid, card, await gazetteer(session), words)


@dataclass
class Suggestion:
    label: str
    href: str
    count: str


async def suggestions(
    session: AsyncSession, backend: SearchBackend, filters: Filters, words: Words
) -> list[Suggestion]:
    """What to relax when nothing matched, each with how many it would find (only those that
    find something)."""
    options: list[tuple[str, dict[str, Any]]] = []
    if filters.category:
        options.append((words("relax_category"), {"category": ""}))
    if filters.has_point:
        current = float(filters.radius_km or get_settings().default_radius_km)
        wider = next((r for r in RADII_KM if r > current), None)
        if wider is not None:
            options.append(
                (words("relax_radius", km=words.distance(wider)), {"radius_km": str(wider)})
            )
    if filters.upazila:
        options.append((words("relax_upazila"), {"upazila": ""}))
    elif filters.district and not filters.has_point:
        options.append((words("relax_district"), {"district": ""}))
    if filters.free_of_cost:
        options.append((words("relax_free"), {"free_of_cost": False}))
    if filters.search:
        options.append((words("relax_search"), {"search": ""}))
    found = []
    for label, change in options:
        relaxed = replace(filters, page=1, **change)
        try:
            query = await service_query(session, relaxed)
        except InvalidParameter:
            continue
        total = (await backend.search_services(replace(query, per_page=1))).total
        if total:
            found.append(
                Suggestion(
                    label=label,
                    href="?" + relaxed.query_string(words.lang),
                    count=words("relax_count", n=total),
                )
            )
    return found


def data_as_of() -> datetime:
    """When this page's data was read (the offline banner says how old it is)."""
    return datetime.now(UTC)
