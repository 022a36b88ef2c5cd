"""MoUs: who records and reads them, and their expiry."""

from datetime import date, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.referrals.mous import expire_mous
from tests.accounts import make_account, organization_id
from tests.referrals.helpers import PROVIDER, REFERRER, make_mou, service_id


async def _body(session: AsyncSession, **overrides: Any) -> dict[str, Any]:
    return {
        "reference": "MOU/RJ/2026/07",
        "referring_organization_id": str(await organization_id(session, REFERRER)),
        "provider_organization_id": str(await organization_id(session, PROVIDER)),
        "signed_on": "2026-01-10",
        "valid_from": "2026-01-15",
        "valid_to": "2027-01-14",
        "status": "active",
        "services": [
            {
                "category": "legal_aid",
                "service_id": str(await service_id(session)),
                "free_of_cost": True,
                "quota": 20,
                "quota_period": "month",
                "response_sla_hours": 72,
            }
        ],
    } | overrides


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ({"role": "org_admin", "organization": REFERRER}, 201),
        ({"role": "org_admin", "organization": PROVIDER}, 201),
        ({"role": "district_admin", "organization": "cwcs", "districts": ("BD4041",)}, 201),
        ({"role": "admin", "organization": "cwcs"}, 201),
        ({"role": "caseworker", "organization": REFERRER}, 403),
        ({"role": "org_admin", "organization": "cwcs"}, 403),
        ({"role": "district_admin", "organization": "cwcs", "districts": ("BD4087",)}, 403),
    ],
)
async def test_who_may_record_an_mou(
    client: AsyncClient, session: AsyncSession, who: dict[str, Any], status: int
) -> None:
    account = await make_account(session, **who)

    response = await client.post("/mous", json=await _body(session), headers=account.headers)

    assert response.status_code == status, response.text
    if status == 201:
        mou = response.json()
        assert mou["services"][0]["quota"] == 20
        assert mou["status"] == "active"


async def test_both_parties_read_it_and_others_get_404(
    client: AsyncClient, session: AsyncSession
) -> None:
    mou = await make_mou(session)
    referrer = await make_account(session, role="caseworker", organization=REFERRER)
    provider = await make_account(session, role="caseworker", organization=PROVIDER)
    stranger = await make_account(session, role="caseworker", organization="cwcs")

    assert (await client.get(f"/mous/{mou.id}", headers=referrer.headers)).status_code == 200
    assert (await client.get(f"/mous/{mou.id}", headers=provider.headers)).status_code == 200
    assert (await client.get(f"/mous/{mou.id}", headers=stranger.headers)).status_code == 404
    listed = (await client.get("/mous", headers=stranger.headers)).json()
    assert str(mou.id) not in {m["id"] for m in listed["contents"]}
    assert str(mou.id) in {
        m["id"] for m in (await client.get("/mous", headers=referrer.headers)).json()["contents"]
    }


async def test_a_party_admin_changes_the_terms(client: AsyncClient, session: AsyncSession) -> None:
    mou = await make_mou(session)
    admin = await make_account(session, role="org_admin", organization=PROVIDER)

    response = await client.patch(
        f"/mous/{mou.id}", json={"status": "suspended"}, headers=admin.headers
    )

    assert response.json()["status"] == "suspended"


@pytest.mark.parametrize(
    "overrides",
    [
        {"valid_to": "2025-01-01"},
        {"services": []},
        {"services": [{"category": "astrology"}]},
        {"services": [{"category": "legal_aid", "quota": 5}]},
        {"provider_organization_id": "00000000-0000-0000-0000-000000000000"},
        {"secret": "x"},
    ],
)
async def test_bad_mous_are_422(
    client: AsyncClient, session: AsyncSession, overrides: dict[str, Any]
) -> None:
    admin = await make_account(session, role="admin")

    response = await client.post(
        "/mous", json=await _body(session, **overrides), headers=admin.headers
    )

    assert response.status_code == 422, response.text


async def test_mous_past_their_validity_are_expired(
    client: AsyncClient, session: AsyncSession
) -> None:
    mou = await make_mou(
        session,
        valid_from=date.today() - timedelta(days=400),
        valid_to=date.today() - timedelta(days=1),
    )
    referrer = await make_account(session, role="caseworker", organization=REFERRER)

    assert (await client.get(f"/mous/{mou.id}", headers=referrer.headers)).json()[
        "status"
    ] == "expired"
    assert await expire_mous(session) >= 1
    await session.refresh(mou)
    assert mou.status == "expired"
