"""What the loaded seed directory holds, and the rules it keeps (provenance, licences, no
guesses)."""

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.models import Location, Organization, Phone, Service, ServiceArea, TaxonomyTerm
from app.gazetteer.models import AdminArea

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
