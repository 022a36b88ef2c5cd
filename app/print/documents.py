"""What the printed documents hold, read from the same directory and search services as the
portal's pages (so a printed list shows what the portal shows: no confidential location's address
or point, no inactive service), before any rendering starts."""

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.errors import InvalidParameter
from app.portal import views
from app.portal.i18n import Lang, Words
from search.backend import SearchBackend

# a search's results are read this many at a time
BATCH = 100
# the back of the hotline card: the needs it names, one or two providers each
CARD_NEEDS = ("legal_aid", "health", "shelter", "counselling")
CARD_PER_NEED = 1


class DistrictRequired(InvalidParameter):
    field = "district"
    en = "name the district to print"
    bn = "কোন জেলার তালিকা ছাপা হবে তা লিখুন"


@dataclass
class Group:
    """One category's services, named in the document's language."""

    name: str
    services: list[views.ServiceView] = field(default_factory=list)


@dataclass
class Directory:
    lang: Lang
    district: str
    upazila: str | None
    category: str | None
    printed_on: str
    helplines: list[views.Helpline]
    groups: list[Group]
    total: int
    online_url: str


@dataclass
class Need:
    name: str
    services: list[views.ServiceView]


@dataclass
class Card:
    district: str
    helplines: list[views.Helpline]
    needs: list[Need]
    online_url: str


def online_url(filters: views.Filters, lang: Lang) -> str:
    """The same search on the portal, absolute (the public base URL), for the QR code."""
    return f"{get_settings().base_url}/find?{filters.query_string(lang)}"


async def _all_views(
    session: AsyncSession, backend: SearchBackend, filters: views.Filters, words: Words
) -> list[views.ServiceView]:
    """Every service the search finds, in the backend's order."""
    query = await views.service_query(session, filters)
    found: list[views.ServiceView] = []
    page = 1
    while True:
        results = await views.find(
            session, backend, replace(query, page=page, per_page=BATCH), words
        )
        found += results.views
        if page >= results.pages:
            break
        page += 1
    return found


def _require_district(filters: views.Filters) -> None:
    if not filters.district:
        raise DistrictRequired()


async def _district_name(session: AsyncSession, value: str, words: Words) -> str:
    """The district as the gazetteer names it in the document's language."""
    gazetteer = await views.gazetteer(session)
    wanted = value.casefold()
    for area in gazetteer.districts():
        if wanted in (area.pcode.casefold(), area.name_en.casefold(), (area.name_bn or "")):
            return words.pick(area.name_en, area.name_bn)
    return value


async def directory(
    session: AsyncSession, backend: SearchBackend, filters: views.Filters, lang: Lang
) -> Directory:
    """A district's services (of an upazila, a category, if given), grouped by category."""
    _require_district(filters)
    words = Words(lang)
    services = await _all_views(session, backend, filters, words)
    categories = await views.categories(session)
    wanted = {code.strip() for code in filters.category.split(",") if code.strip()}
    groups = {
        words.pick(c.name_en, c.name_bn): Group(words.pick(c.name_en, c.name_bn))
        for c in categories
        if not wanted or c.code in wanted
    }
    for service in services:
        for name in service.categories:
            if name in groups:
                groups[name].services.append(service)
    gazetteer = await views.gazetteer(session)
    upazila = None
    if filters.upazila:
        matches = [
            a
            for a in gazetteer.areas.values()
            if a.level == "upazila"
            and filters.upazila.casefold() in (a.pcode.casefold(), a.name_en.casefold())
        ]
        upazila = words.pick(matches[0].name_en, matches[0].name_bn) if matches else filters.upazila
    return Directory(
        lang=lang,
        district=await _district_name(session, filters.district, words),
        upazila=upazila,
        category=", ".join(g.name for g in groups.values()) if wanted else None,
        printed_on=words.date(datetime.now(UTC)),
        helplines=await views.helplines(session),
        groups=[g for g in groups.values() if g.services],
        total=len(services),
        online_url=online_url(filters, lang),
    )


async def card(
    session: AsyncSession, backend: SearchBackend, filters: views.Filters, lang: Lang
) -> Card:
    """The national helplines and, by need, the district's first providers one can call."""
    _require_district(filters)
    words = Words(lang)
    helplines = await views.helplines(session)
    national = {views.tel(h.number) for h in helplines}
    names = {c.code: words.pick(c.name_en, c.name_bn) for c in await views.categories(session)}
    needs = []
    for code in CARD_NEEDS:
        query = await views.service_query(session, replace(filters, category=code))
        results = await views.find(session, backend, replace(query, per_page=20), words)
        # a district's own providers (the national helplines are on the front already), those
        # one can call first; the seed gives many no phone, and none is ever made up
        local = sorted(
            (s for s in results.views if not {c.tel for c in s.calls} & national),
            key=lambda s: not s.calls,
        )
        needs.append(Need(names.get(code, code), local[:CARD_PER_NEED]))
    return Card(
        district=await _district_name(session, filters.district, words),
        helplines=helplines,
        needs=needs,
        online_url=online_url(views.Filters(district=filters.district), lang),
    )
