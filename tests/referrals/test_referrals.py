"""Referrals: creation against MoUs, idempotency, privacy of the payload, visibility."""

from datetime import date, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts import make_account
from tests.referrals.helpers import make_mou, parties, refer, referral_body, service_id


async def test_a_referral_under_an_mou_is_requested_with_its_due_time(
    client: AsyncClient, session: AsyncSession
) -> None:
    mou = await make_mou(session, sla_hours=48)
    referrer, _ = await parties(session)

    body, etag = await refer(client, referrer, await service_id(session))

    assert body["status"] == "requested"
    assert (body["mou_id"], body["outside_mou"], body["mou_match"]) == (
        str(mou.id),
        False,
        "covered",
    )
    assert body["category"] == "legal_aid"
    assert etag == f'"{body["id"]}.1"'
    hours = (_ts(body["due_by"]) - _ts(body["requested_at"])).total_seconds() / 3600
    assert hours == pytest.approx(48)
    assert [(e["from"], e["to"], e["actor"]["role"]) for e in body["events"]] == [
        (None, "requested", "caseworker")
    ]


def _ts(value: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(value)


@pytest.mark.parametrize(
    ("mou", "match"),
    [
        (None, "no_mou"),
        ({"status": "suspended"}, "no_mou"),
        ({"status": "draft"}, "no_mou"),
        ({"valid_to": date.today() - timedelta(days=1)}, "no_mou"),
        ({"valid_from": date.today() + timedelta(days=1)}, "no_mou"),
        ({"category": "health", "service": None}, "no_mou"),
        ({"category": "legal_aid", "service": None}, "covered"),
        ({"referring": "cwcs"}, "no_mou"),
    ],
)
async def test_mou_matching(
    client: AsyncClient, session: AsyncSession, mou: dict[str, Any] | None, match: str
) -> None:
    if mou is not None:
        await make_mou(session, **mou)
    referrer, _ = await parties(session)

    body, _ = await refer(client, referrer, await service_id(session))

    assert body["mou_match"] == match
    assert body["outside_mou"] is (match != "covered")


async def test_a_quota_used_up_leaves_the_referral_outside_the_mou(
    client: AsyncClient, session: AsyncSession
) -> None:
    await make_mou(session, quota=2)
    referrer, _ = await parties(session)
    service = await service_id(session)

    matches = [(await refer(client, referrer, service))[0]["mou_match"] for _ in range(3)]

    assert matches == ["covered", "covered", "quota_used_up"]


async def test_outside_any_mou_the_default_answer_time_applies(
    client: AsyncClient, session: AsyncSession
) -> None:
    referrer, _ = await parties(session)

    body, _ = await refer(client, referrer, await service_id(session))

    assert (_ts(body["due_by"]) - _ts(body["requested_at"])).total_seconds() == 72 * 3600


async def test_a_draft_has_no_clock_until_it_is_requested(
    client: AsyncClient, session: AsyncSession
) -> None:
    referrer, _ = await parties(session)

    body, _ = await refer(client, referrer, await service_id(session), draft=True)

    assert body["status"] == "draft"
    assert body["due_by"] is None


@pytest.mark.parametrize(
    ("change", "parameter"),
    [
        ({"consent": {"given": False, "obtained_at": "2026-11-20T10:00:00Z"}}, "consent"),
        ({"name": "Rahima Khatun"}, "name"),
        (
            {"client": {"sex": "female", "age_band": "18-24", "phone": "01700000000"}},
            "client.phone",
        ),
        (
            {"client": {"sex": "female", "age_band": "18-24", "address": "Jashore"}},
            "client.address",
        ),
        (
            {"consent": {"given": True, "obtained_at": "2026-11-20T10:00:00Z", "witness": "X"}},
            "consent.witness",
        ),
        ({"client": {"sex": "woman", "age_band": "18-24"}}, "client.sex"),
        ({"client": {"sex": "female", "age_band": "19"}}, "client.age_band"),
        ({"case_ref": "has spaces and names"}, "case_ref"),
        ({"priority": "asap"}, "priority"),
    ],
)
async def test_no_identifying_or_unknown_fields_are_accepted(
    client: AsyncClient, session: AsyncSession, change: dict[str, Any], parameter: str
) -> None:
    referrer, _ = await parties(session)

    response = await client.post(
        "/referrals",
        json=referral_body(await service_id(session), **change),
        headers=referrer.headers,
    )

    assert response.status_code == 422
    assert any(parameter.split(".")[0] in e["parameter"] for e in response.json()["errors"])


async def test_the_same_idempotency_key_and_body_give_the_same_referral(
    client: AsyncClient, session: AsyncSession
) -> None:
    referrer, _ = await parties(session)
    body = referral_body(await service_id(session))
    headers = {**referrer.headers, "Idempotency-Key": "abc-123"}

    first = await client.post("/referrals", json=body, headers=headers)
    again = await client.post("/referrals", json=body, headers=headers)
    other = await client.post(
        "/referrals", json={**body, "reason": "Something else"}, headers=headers
    )

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert other.status_code == 422
    [error] = other.json()["errors"]
    assert (error["location"], error["parameter"]) == ("header", "Idempotency-Key")
    listed = (
        await client.get("/referrals", params={"direction": "outgoing"}, headers=referrer.headers)
    ).json()
    assert [r["id"] for r in listed["contents"]].count(first.json()["id"]) == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [({"role": "district_admin", "districts": ("BD4041",)}, 403), ({"role": "admin"}, 403)],
)
async def test_only_caseworkers_and_organization_admins_refer(
    client: AsyncClient, session: AsyncSession, who: dict[str, Any], status: int
) -> None:
    account = await make_account(session, **who)

    response = await client.post(
        "/referrals", json=referral_body(await service_id(session)), headers=account.headers
    )

    assert response.status_code == status


async def test_only_the_two_organizations_see_a_referral(
    client: AsyncClient, session: AsyncSession
) -> None:
    referrer, provider = await parties(session)
    stranger = await make_account(session, role="caseworker", organization="cwcs")
    district_admin = await make_account(session, role="district_admin", districts=("BD4041",))
    body, _ = await refer(client, referrer, await service_id(session))

    assert (
        await client.get(f"/referrals/{body['id']}", headers=provider.headers)
    ).status_code == 200
    assert (
        await client.get(f"/referrals/{body['id']}", headers=stranger.headers)
    ).status_code == 404
    assert (
        await client.get(f"/referrals/{body['id']}", headers=district_admin.headers)
    ).status_code == 404
    incoming = (
        await client.get("/referrals", params={"direction": "incoming"}, headers=provider.headers)
    ).json()
    outgoing = (
        await client.get("/referrals", params={"direction": "outgoing"}, headers=provider.headers)
    ).json()
    assert body["id"] in {r["id"] for r in incoming["contents"]}
    assert body["id"] not in {r["id"] for r in outgoing["contents"]}
    assert (await client.get("/referrals", headers=stranger.headers)).json()["total_items"] == 0


async def test_overdue_referrals_are_listable(client: AsyncClient, session: AsyncSession) -> None:
    from sqlalchemy import update

    from app.referrals.models import Referral

    referrer, provider = await parties(session)
    late, _ = await refer(client, referrer, await service_id(session))
    on_time, _ = await refer(client, referrer, await service_id(session))
    await session.execute(
        update(Referral)
        .where(Referral.id == late["id"])
        .values(due_by=Referral.requested_at - timedelta(hours=1))
    )

    overdue = (
        await client.get("/referrals", params={"overdue": "true"}, headers=provider.headers)
    ).json()

    assert {r["id"] for r in overdue["contents"]} == {late["id"]}
    assert overdue["contents"][0]["overdue"] is True
    assert on_time["id"] not in {r["id"] for r in overdue["contents"]}


async def test_a_draft_is_the_referring_organizations_alone_until_requested(
    client: AsyncClient, session: AsyncSession
) -> None:
    referrer, provider = await parties(session)
    draft, etag = await refer(client, referrer, await service_id(session), draft=True)
    incoming = {"direction": "incoming", "status": "draft"}

    unseen = await client.get("/referrals", params=incoming, headers=provider.headers)
    unread = await client.get(f"/referrals/{draft['id']}", headers=provider.headers)
    own = await client.get(f"/referrals/{draft['id']}", headers=referrer.headers)

    assert unseen.json()["total_items"] == 0
    assert unread.status_code == 404
    assert own.status_code == 200
    await client.post(
        f"/referrals/{draft['id']}/transitions",
        json={"to": "requested"},
        headers={**referrer.headers, "If-Match": etag},
    )
    seen = await client.get(
        "/referrals", params={"direction": "incoming"}, headers=provider.headers
    )
    assert draft["id"] in [r["id"] for r in seen.json()["contents"]]
