"""What the loaded seed directory holds, and the rules it keeps (provenance, licences, no
guesses)."""

import re
import uuid
from collections import Counter
from dataclasses import dataclass

import pytest
from httpx import AsyncClient
from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import Base
from app.directory.models import (
    Location,
    Organization,
    Phone,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)
from app.gazetteer.models import AdminArea, AdminAreaName
from directory_data.loader import collect
from search.text import clean_text

REQUIRED_CATEGORIES = {
    "health",
    "legal_aid",
    "counselling",
    "shelter",
    "skills_training",
    "employment_migration",
    "law_enforcement",
    "child_protection",
    "livelihood",
    "education",
    "drug_rehabilitation",
    "case_management",
    "helpline",
}


async def test_the_gazetteer_holds_every_level(session: AsyncSession) -> None:
    result = await session.execute(select(AdminArea.level, func.count()).group_by(AdminArea.level))
    rows: dict[str, int] = dict(result.tuples().all())

    assert rows == {"country": 1, "division": 8, "district": 64, "upazila": 507, "union": 5160}
    missing_bn = await session.scalar(
        select(func.count()).where(
            AdminArea.level.in_(["division", "district", "upazila"]), AdminArea.name_bn.is_(None)
        )
    )
    assert missing_bn == 0


async def test_the_taxonomy_has_every_required_category_in_both_languages(
    session: AsyncSession,
) -> None:
    terms = (await session.execute(select(TaxonomyTerm))).scalars().all()

    assert {t.code for t in terms} >= REQUIRED_CATEGORIES
    assert all(t.name and t.name_bn and t.description_bn for t in terms)


async def test_there_are_at_least_40_services_with_sources(session: AsyncSession) -> None:
    services = (await session.execute(select(Service))).scalars().all()

    assert len(services) >= 40
    assert all(s.source_note for s in services)
    # only an OSM facility may lack a Bangla name: none is made up for it
    assert all(s.name_bn for s in services if s.data_source != "openstreetmap")


@pytest.mark.parametrize(
    "name",
    [
        "Rights Jessore",
        "CWCS",
        "Agrogoti",
        "Dhaka Ahsania Mission",
        "Technical Training Centre",
        "Employment and Manpower",
        "BMET",
        "BRAC",
        "FPAB",
        "Jharna",
        "Smiling Sun",
        "Queens Hospital",
        "Legal Aid Office, Jashore",
        "Legal Aid Office, Satkhira",
        "Social Service",
        "Women Affairs",
        "Youth Development",
        "police stations",
        "Union Parishad",
        "Child Welfare Board",
        "Nasirullah",
    ],
)
async def test_providers_named_in_the_field_reports_are_there(
    session: AsyncSession, name: str
) -> None:
    count = await session.scalar(
        select(func.count())
        .select_from(Organization)
        .where(
            (Organization.name.ilike(f"%{name}%"))
            | (Organization.alternate_name.ilike(f"%{name}%"))
        )
    )
    assert count, name


async def test_the_eight_police_stations_of_satkhira_are_separate_places(
    session: AsyncSession,
) -> None:
    stations = (
        (
            await session.execute(
                select(Location).where(
                    Location.name.ilike("%Police Station%"), Location.district_pcode == "BD4087"
                )
            )
        )
        .scalars()
        .all()
    )

    assert len(stations) == 8


async def test_national_helplines_cover_bangladesh_and_have_no_location(
    session: AsyncSession,
) -> None:
    helplines = (
        (await session.execute(select(Service).where(Service.data_source == "helpline list")))
        .scalars()
        .all()
    )

    assert {
        p
        for (p,) in (
            await session.execute(
                select(Phone.number).where(
                    Phone.service_id.in_([h.id for h in helplines]), Phone.number.not_like("+%")
                )
            )
        )
    } == {"999", "109", "1098", "16430", "333", "16135", "16263"}
    areas = (
        (
            await session.execute(
                select(ServiceArea.admin_pcode).where(
                    ServiceArea.service_id.in_([h.id for h in helplines])
                )
            )
        )
        .scalars()
        .all()
    )
    assert areas == ["BD"] * len(helplines)


async def test_osm_facilities_carry_their_licence_and_attribution(session: AsyncSession) -> None:
    locations = (
        (await session.execute(select(Location).where(Location.data_source == "openstreetmap")))
        .scalars()
        .all()
    )

    assert len(locations) == 84
    assert all(
        loc.licence == "ODbL-1.0" and "OpenStreetMap contributors" in (loc.source_note or "")
        for loc in locations
    )
    assert not any(loc.coordinates_approximate for loc in locations)
    assert {loc.district_pcode for loc in locations} == {"BD4041", "BD4087"}


async def test_seed_points_without_a_source_coordinate_are_flagged_approximate(
    session: AsyncSession,
) -> None:
    seeded = (
        (await session.execute(select(Location).where(Location.data_source == "seed report")))
        .scalars()
        .all()
    )

    assert seeded
    for location in seeded:
        assert location.coordinates_approximate, location.name
        assert location.coordinates_source and (
            location.coordinates_source.startswith("centroid of")
            or "DC office" in location.coordinates_source
        )
        assert location.district_pcode is not None


async def test_every_seed_phone_number_names_its_source(session: AsyncSession) -> None:
    phones = (await session.execute(select(Phone))).scalars().all()

    assert phones
    assert all(phone.source_note for phone in phones)


async def test_nothing_is_verified_yet(session: AsyncSession) -> None:
    assert (
        await session.scalar(
            select(func.count()).select_from(Service).where(Service.assured_date.is_not(None))
        )
        == 0
    )


async def test_the_api_root_carries_the_data_attributions(client: AsyncClient) -> None:
    body = (await client.get("/")).json()

    text = " ".join(body["attribution"])
    for needle in (
        "OpenStreetMap contributors",
        "ODbL",
        "CC BY 3.0 IGO",
        "Nuhil Mehdy",
        "Open Referral",
    ):
        assert needle in text
    assert len(body["attribution_bn"]) == len(body["attribution"])


LATIN_WORD = re.compile(r"[A-Za-z]+")
GAZETTEER_UNITS = ("division", "district", "upazila", "union")


@dataclass
class BanglaField:
    table: str
    column: str
    record: str
    value: str
    english: str | None  # the same field in English (`name` for `name_bn`), if the table has it


def _seeded_ids() -> dict[str, set[uuid.UUID]]:
    """The ids of every directory record the seed files give, by table."""
    ids: dict[str, set[uuid.UUID]] = {"organization": set()}
    for plan in collect().plans:
        ids["organization"].add(plan.organization["id"])
        for table, rows in (
            ("location", plan.locations),
            ("service", plan.services),
            ("service_area", plan.service_areas),
            ("schedule", plan.schedules),
            ("phone", plan.phones),
        ):
            ids.setdefault(table, set()).update(row["id"] for row in rows)
    return ids


async def _bangla_fields(session: AsyncSession) -> list[BanglaField]:
    """Every non-empty `_bn` field of the seeded records: the gazetteer and the taxonomy whole,
    and the directory's records that the seed files give (tests add others of their own)."""
    seeded = _seeded_ids()
    fields: list[BanglaField] = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if c.name.endswith("_bn")]
        if not columns:
            continue
        key = next(iter(table.primary_key.columns))
        stmt = select(table)
        if table.name in seeded:
            stmt = stmt.where(key.in_(seeded[table.name]))
        for row in (await session.execute(stmt)).mappings():
            for column in columns:
                value = row[column.name]
                if value:
                    english = _english_of(table, column.name)
                    fields.append(
                        BanglaField(
                            table.name,
                            column.name,
                            str(row[key.name]),
                            value,
                            row[english] if english else None,
                        )
                    )
    return fields


def _english_of(table: Table, column: str) -> str | None:
    base = column.removesuffix("_bn")
    return next((name for name in (base, f"{base}_en") if name in table.columns), None)


async def _english_names_with_bangla(session: AsyncSession) -> set[str]:
    """The words (casefolded) of every English name of a gazetteer unit or a category that has
    a Bangla name: such a word in a Bangla field is English left where Bangla exists."""
    named = select(AdminArea.pcode).where(
        AdminArea.level.in_(GAZETTEER_UNITS), AdminArea.name_bn.is_not(None)
    )
    names = [
        *(await session.execute(select(AdminArea.name_en).where(AdminArea.pcode.in_(named))))
        .scalars()
        .all(),
        *(
            await session.execute(
                select(AdminAreaName.name).where(
                    AdminAreaName.pcode.in_(named), AdminAreaName.lang == "en"
                )
            )
        )
        .scalars()
        .all(),
        *(await session.execute(select(TaxonomyTerm.name))).scalars().all(),
    ]
    return {word.casefold() for name in names for word in LATIN_WORD.findall(name)}


async def test_no_bangla_field_holds_an_english_name_that_has_a_bangla_one(
    session: AsyncSession,
) -> None:
    fields = await _bangla_fields(session)
    english = await _english_names_with_bangla(session)

    scanned = Counter(f.table for f in fields)
    assert set(scanned) >= {
        "admin_area",
        "taxonomy",
        "taxonomy_term",
        "organization",
        "location",
        "service",
        "service_area",
        "phone",
    }
    assert scanned["service"] >= 2 * 67  # the providers' services alone have names and texts
    assert {"kalaroa", "satkhira", "jashore", "health", "shelter"} <= english
    latin = [(f, word) for f in fields for word in LATIN_WORD.findall(f.value)]
    left = [(f.table, f.column, f.record, word) for f, word in latin if word.casefold() in english]
    assert left == []
    # what Latin remains is the sources' own spelling, quoted ('MOUCA', 'DD-MoUCA')
    assert {word for _, word in latin} <= {"MOUCA", "DD", "MoUCA"}


async def test_no_bangla_field_is_a_copy_of_its_english(session: AsyncSession) -> None:
    fields = await _bangla_fields(session)

    copies = [
        (f.table, f.column, f.record, f.value)
        for f in fields
        if f.english and LATIN_WORD.search(f.english) and f.value == f.english
    ]
    assert sum(f.english is not None for f in fields) > 0
    assert copies == []


async def test_an_osm_facility_is_described_in_bangla_by_the_gazetteers_names(
    session: AsyncSession,
) -> None:
    org = (
        await session.execute(
            select(Organization).where(Organization.name == "Kalaroa Upazila Health Complex")
        )
    ).scalar_one()
    service = (
        await session.execute(select(Service).where(Service.organization_id == org.id))
    ).scalar_one()

    for text in (org.description_bn, service.description_bn):
        assert text is not None
        assert clean_text("সাতক্ষীরা জেলার কলারোয়া উপজেলার হাসপাতাল") in text
        assert not LATIN_WORD.search(text)
    # OSM gives it no Bangla name, and none is made up: readers show the English one
    assert (org.name_bn, service.name_bn) == (None, None)


async def test_an_osm_name_in_both_scripts_gives_both_names(session: AsyncSession) -> None:
    org = (
        await session.execute(
            select(Organization).where(Organization.name.like("Ad-din Sakina Medical College%"))
        )
    ).scalar_one()
    location = (
        await session.execute(select(Location).where(Location.organization_id == org.id))
    ).scalar_one()
    service = (
        await session.execute(
            select(Service)
            .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
            .where(ServiceAtLocation.location_id == location.id)
        )
    ).scalar_one()

    bangla = clean_text("আদ-দ্বীন সখিনা মেডিকেল কলেজ ও হাসপাতাল")
    assert org.name == location.name == "Ad-din Sakina Medical College and Hospital"
    assert org.name_bn == location.name_bn == bangla
    assert service.name_bn == f"{bangla}: {clean_text('স্বাস্থ্যসেবা')}"
