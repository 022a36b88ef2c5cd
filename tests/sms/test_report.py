"""`GET /reports/sms`: what people ask for and where, by need and upazila, for district admins
(their districts) and platform admins (all); no number anywhere."""

from datetime import date

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.gazetteer.service import find_places
from app.sms.models import SmsAskCount
from tests.accounts import make_account

DAY = date(2001, 1, 2)  # a day no other test asks on
PERIOD = {"from": "2001-01-02", "to": "2001-01-02"}


@pytest.fixture
async def asked(session: AsyncSession) -> dict[str, str]:
    """Questions of one day: legal aid in Kalaroa (Satkhira) and Jashore, health in Sharsha."""
    pcodes = {
        name: next(p.pcode for p in await find_places(session, value=name) if p.level == level)
        for name, level in (("Kalaroa", "upazila"), ("Sharsha", "upazila"), ("Jashore", "district"))
    }
    session.add_all(
        [
            SmsAskCount(day=DAY, need="legal_aid", place_pcode=pcodes["Kalaroa"], count=7),
            SmsAskCount(day=DAY, need="legal_aid", place_pcode=pcodes["Jashore"], count=2),
            SmsAskCount(day=DAY, need="health", place_pcode=pcodes["Sharsha"], count=3),
            SmsAskCount(day=DAY, need="", place_pcode=pcodes["Sharsha"], count=1),
            SmsAskCount(day=DAY, need="", place_pcode="", count=4),
            SmsAskCount(
                day=date(2001, 1, 3), need="health", place_pcode=pcodes["Sharsha"], count=50
            ),
        ]
    )
    await session.flush()
    return pcodes


async def test_platform_admins_see_every_count(
    client: AsyncClient, session: AsyncSession, asked: dict[str, str]
) -> None:
    admin = await make_account(session, role="admin")

    response = await client.get("/reports/sms", params=PERIOD, headers=admin.headers)

    assert response.status_code == 200
    report = response.json()
    assert (report["from"], report["to"], report["districts"], report["total"]) == (
        "2001-01-02",
        "2001-01-02",
        None,
        17,
    )
    first = report["counts"][0]
    assert (first["need"], first["need_name"], first["need_name_bn"]) == (
        "legal_aid",
        "Legal aid",
        "আইনগত সহায়তা",
    )
    assert (first["upazila"], first["upazila_bn"], first["district"], first["count"]) == (
        "Kalaroa",
        "কলারোয়া",
        "Satkhira",
        7,
    )
    district_only = next(
        c for c in report["counts"] if c["district"] == "Jashore" and c["need"] == "legal_aid"
    )
    assert district_only["upazila_pcode"] is None
    nothing = next(c for c in report["counts"] if c["district_pcode"] is None)
    assert (nothing["need"], nothing["count"]) == (None, 4)


async def test_district_admins_see_their_districts(
    client: AsyncClient, session: AsyncSession, asked: dict[str, str]
) -> None:
    jashore = asked["Jashore"]
    district_admin = await make_account(session, role="district_admin", districts=(jashore,))

    response = await client.get("/reports/sms", params=PERIOD, headers=district_admin.headers)

    report = response.json()
    assert report["districts"] == [jashore] and report["total"] == 6  # Sharsha 3 + 1, Jashore 2
    assert {c["district_pcode"] for c in report["counts"]} == {jashore}
    assert "Kalaroa" not in response.text


async def test_others_may_not(client: AsyncClient, session: AsyncSession) -> None:
    caseworker = await make_account(session, role="caseworker")

    forbidden = await client.get("/reports/sms", headers=caseworker.headers)
    anonymous = await client.get("/reports/sms")

    assert (forbidden.status_code, anonymous.status_code) == (403, 401)
    assert forbidden.headers["content-type"] == "application/problem+json"


async def test_a_bad_period_is_422(client: AsyncClient, session: AsyncSession) -> None:
    admin = await make_account(session, role="admin")

    response = await client.get(
        "/reports/sms", params={"from": "2001-02-01", "to": "2001-01-01"}, headers=admin.headers
    )

    assert response.status_code == 422
