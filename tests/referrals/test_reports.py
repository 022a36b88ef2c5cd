"""Referral reports against hand counts, small-cell suppression, CSV and quota use."""

import csv
import io
from typing import Any, get_args

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.referrals.schemas import MouReport, ReferralReport, RejectionCode
from tests.accounts import Account, make_account
from tests.referrals.helpers import make_mou, parties, refer, service_id
from tests.referrals.test_lifecycle import move, payload

# (sex, age band, moves) of the referrals the report is checked against
CASES = [
    ("female", "18-24", ["accepted", "completed"]),
    ("female", "18-24", ["accepted", "completed"]),
    ("female", "25-49", ["rejected"]),
    ("female", "12-17", ["accepted"]),
    ("male", "25-49", ["rejected"]),
    ("male", "25-49", ["cancelled"]),
    ("male", "18-24", []),
]


async def _scenario(client: AsyncClient, session: AsyncSession) -> tuple[str, Account, Account]:
    mou = await make_mou(session, quota=50)
    referrer, provider = await parties(session)
    service = await service_id(session)
    for sex, age_band, moves in CASES:
        body, etag = await refer(
            client, referrer, service, client={"sex": sex, "age_band": age_band}
        )
        for target in moves:
            actor = referrer if target == "cancelled" else provider
            response = await move(client, actor, body["id"], etag, payload(target))
            assert response.status_code == 200, response.text
            etag = response.headers["etag"]
    return str(mou.id), referrer, provider


async def _report(client: AsyncClient, account: Account, **params: Any) -> Any:
    response = await client.get("/reports/referrals", params=params, headers=account.headers)
    assert response.status_code == 200, response.text
    if params.get("format") == "csv":
        return response.text
    # the report is what the OpenAPI documents (ReferralReport: no field more, none less)
    ReferralReport.model_validate(response.json())
    return response.json()


async def test_counts_by_sex_match_a_hand_count(client: AsyncClient, session: AsyncSession) -> None:
    mou_id, referrer, _ = await _scenario(client, session)

    report = await _report(client, referrer, mou_id=mou_id, group_by="sex")

    rows = {row["sex"]: row for row in report["rows"]}
    assert report["suppressed_below"] is None
    female = {"sent": 4, "accepted": 3, "rejected": 1, "completed": 2, "free_of_cost_honoured": 2}
    male = {"sent": 3, "accepted": 0, "rejected": 1, "cancelled": 1}
    assert {k: rows["female"][k] for k in female} == female
    assert {k: rows["male"][k] for k in male} == male
    assert rows["female"]["rejected_by_reason"] == {"no_capacity": 1}
    assert rows["female"]["accepted_within_sla"] == 3
    assert rows["female"]["median_hours_to_accept"] is not None
    assert rows["female"]["median_sla_hours"] == 48.0


async def test_totals_and_two_way_groups(client: AsyncClient, session: AsyncSession) -> None:
    mou_id, referrer, _ = await _scenario(client, session)

    total = (await _report(client, referrer, mou_id=mou_id))["rows"]
    by_two = (await _report(client, referrer, mou_id=mou_id, group_by="sex,age_band"))["rows"]

    assert total[0]["sent"] == len(CASES)
    assert sum(row["sent"] for row in by_two) == len(CASES)
    assert {(r["sex"], r["age_band"]): r["sent"] for r in by_two}[("female", "18-24")] == 2


@pytest.mark.parametrize("role", ["admin", "district_admin"])
async def test_small_cells_are_suppressed_outside_the_two_parties(
    client: AsyncClient, session: AsyncSession, role: str
) -> None:
    mou_id, _, _ = await _scenario(client, session)
    viewer = await make_account(
        session, role=role, districts=("BD4041",) if role == "district_admin" else ()
    )

    report = await _report(client, viewer, mou_id=mou_id, group_by="sex")

    rows = {row["sex"]: row for row in report["rows"]}
    assert report["suppressed_below"] == 5
    assert rows["female"]["sent"] == "<5"
    assert rows["female"]["rejected_by_reason"] == {"no_capacity": "<5"}
    assert rows["male"]["accepted"] == 0
    assert rows["female"]["median_hours_to_accept"] is None
    total = (await _report(client, viewer, mou_id=mou_id))["rows"][0]
    assert total["sent"] == len(CASES)


async def test_csv_export(client: AsyncClient, session: AsyncSession) -> None:
    mou_id, referrer, _ = await _scenario(client, session)

    text = await _report(client, referrer, mou_id=mou_id, group_by="status", format="csv")

    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["status"]: int(row["sent"]) for row in rows} == {
        "accepted": 1, "cancelled": 1, "completed": 2, "rejected": 2, "requested": 1,
    }  # fmt: skip
    rejected = {row["status"]: row for row in rows}["rejected"]
    assert rejected["rejected_no_capacity"] == "2"  # both rejections of CASES
    # every reason has its column, whatever the period holds
    assert rejected["rejected_out_of_area"] == "0"
    assert [c for c in rows[0] if c.startswith("rejected_")] == [
        f"rejected_{code}" for code in get_args(RejectionCode)
    ]


async def test_the_mou_report_shows_quota_use(client: AsyncClient, session: AsyncSession) -> None:
    mou_id, _, provider = await _scenario(client, session)

    report = (await client.get(f"/mous/{mou_id}/report", headers=provider.headers)).json()

    MouReport.model_validate(report)

    assert report["quotas"][0]["quota"] == 50
    assert report["quotas"][0]["used_this_period"] == len(CASES)
    assert report["rows"][0]["sent"] == len(CASES)


async def test_reports_refuse_unknown_groups_and_strangers_see_nothing(
    client: AsyncClient, session: AsyncSession
) -> None:
    mou_id, _, _ = await _scenario(client, session)
    stranger = await make_account(session, role="caseworker", organization="cwcs")

    bad = await client.get(
        "/reports/referrals", params={"group_by": "religion"}, headers=stranger.headers
    )
    none = await _report(client, stranger, mou_id=mou_id)

    assert bad.status_code == 422
    assert none["rows"][0]["sent"] == 0
    assert (await client.get(f"/mous/{mou_id}/report", headers=stranger.headers)).status_code == 404


async def test_a_bad_group_or_district_is_named_as_a_query_parameter(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await make_account(session, role="admin")

    for params, parameter in [
        ({"group_by": "religion"}, "group_by"),
        ({"district": "Atlantis"}, "district"),
    ]:
        response = await client.get("/reports/referrals", params=params, headers=admin.headers)
        assert response.status_code == 422, response.text
        [error] = response.json()["errors"]
        assert (error["location"], error["parameter"]) == ("query", parameter)
