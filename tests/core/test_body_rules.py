"""What a client can send never gives a 500: text the database cannot store, nulls where a value
is required, dates out of bounds, and records that break the model's rules are 422s naming the
field (or a 409), and change nothing."""

import json
from typing import Any

import pytest
from httpx import AsyncClient, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.models import Location, Organization, Phone, Schedule, Service
from app.directory.write_schemas import (
    LocationUpdate,
    OrganizationUpdate,
    PhoneUpdate,
    ScheduleUpdate,
    ServiceUpdate,
)
from app.referrals.models import Mou
from app.referrals.schemas import MouUpdate
from tests.accounts import Account, make_account, organization_id
from tests.referrals.helpers import make_mou, parties, refer, referral_body, service_id

LONE_SURROGATE = "a\\ud800b"  # as JSON writes it: a half of a UTF-16 pair, alone


def problem_fields(response: Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [e["parameter"] for e in response.json()["errors"]]


async def post_raw(client: AsyncClient, path: str, body: str, account: Account) -> Response:
    headers = {**account.headers, "Content-Type": "application/json"}
    return await client.post(path, content=body.encode(), headers=headers)


@pytest.fixture
async def admin(session: AsyncSession) -> Account:
    return await make_account(session, role="admin")


def with_surrogate(body: dict[str, Any], *path: str) -> str:
    """`body` as JSON with the field at `path` holding a lone surrogate."""
    marker = "SURROGATE-MARKER"
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = marker
    return json.dumps(body).replace(marker, LONE_SURROGATE)


@pytest.mark.parametrize(
    ("path", "field"),
    [(("reason",), "reason"), (("consent", "scope"), "consent.scope"), (("notes",), "notes")],
)
async def test_a_lone_surrogate_in_a_referral_is_a_422_naming_the_field(
    client: AsyncClient, session: AsyncSession, path: tuple[str, ...], field: str
) -> None:
    referrer, _ = await parties(session)
    body = referral_body(await service_id(session), notes="some notes")

    response = await post_raw(client, "/referrals", with_surrogate(body, *path), referrer)

    assert field in problem_fields(response)


async def test_a_lone_surrogate_in_a_transition_note_or_an_mou_is_a_422(
    client: AsyncClient, session: AsyncSession, admin: Account
) -> None:
    referrer, _ = await parties(session)
    referral, etag = await refer(client, referrer, await service_id(session))
    note = json.dumps({"to": "cancelled", "note": "X"}).replace('"X"', f'"{LONE_SURROGATE}"')
    moved = await client.post(
        f"/referrals/{referral['id']}/transitions",
        content=note.encode(),
        headers={**referrer.headers, "If-Match": etag, "Content-Type": "application/json"},
    )
    mou = {
        "reference": "MOU-1",
        "valid_from": "2026-01-01",
        "referring_organization_id": str(await organization_id(session, "rights-jessore")),
        "provider_organization_id": str(await organization_id(session, "cwcs")),
        "services": [{"category": "legal_aid", "cost_terms": "free"}],
    }

    assert "note" in problem_fields(moved)
    assert "reference" in problem_fields(
        await post_raw(client, "/mous", with_surrogate(dict(mou), "reference"), admin)
    )
    mou["services"] = [{"category": "legal_aid", "cost_terms": "X"}]
    terms = json.dumps(mou).replace('"cost_terms": "X"', f'"cost_terms": "{LONE_SURROGATE}"')
    assert "services.0.cost_terms" in problem_fields(await post_raw(client, "/mous", terms, admin))


async def test_a_nul_in_the_sign_in_form_is_a_422(client: AsyncClient) -> None:
    response = await client.post(
        "/auth/token", data={"username": "admin\x00@demo.test", "password": "x"}
    )

    assert problem_fields(response) == ["username"]


# Every update body field whose column cannot be empty refuses an explicit null.
UPDATES = [
    (OrganizationUpdate, Organization),
    (ServiceUpdate, Service),
    (LocationUpdate, Location),
    (PhoneUpdate, Phone),
    (ScheduleUpdate, Schedule),
    (MouUpdate, Mou),
]


@pytest.mark.parametrize(("schema", "model"), UPDATES, ids=[u[0].__name__ for u in UPDATES])
def test_update_bodies_refuse_null_for_every_required_column(schema: Any, model: Any) -> None:
    required = {
        name
        for name in schema.model_fields
        if name in model.__table__.columns and not model.__table__.columns[name].nullable
    }

    for name in required:
        with pytest.raises(ValueError, match="not set to null"):
            schema.model_validate({name: None})
    if schema is not ScheduleUpdate:  # a schedule has no required column
        assert required


async def test_explicit_nulls_in_patches_are_422s_not_500s(
    client: AsyncClient, session: AsyncSession, admin: Account
) -> None:
    org = await organization_id(session, "rights-jessore")
    service = (
        (await session.execute(select(Service.id).where(Service.organization_id == org)))
        .scalars()
        .first()
    )
    mou = await make_mou(session)

    cases = [
        (f"/organizations/{org}", {"name": None}, "name"),
        (f"/services/{service}", {"status": None}, "status"),
        (f"/mous/{mou.id}", {"reference": None}, "reference"),
    ]
    for path, body, field in cases:
        response = await client.patch(path, json=body, headers=admin.headers)
        assert field in problem_fields(response), path


async def test_booleans_are_booleans(client: AsyncClient, session: AsyncSession) -> None:
    referrer, _ = await parties(session)
    body = referral_body(await service_id(session))
    body["consent"]["given"] = "yes"

    response = await client.post("/referrals", json=body, headers=referrer.headers)

    assert "consent.given" in problem_fields(response)


@pytest.mark.parametrize(
    "obtained_at", ["9999-12-31T23:59:59-12:00", "2099-01-01T00:00:00Z", "1899-12-31T00:00:00Z"]
)
async def test_consent_is_obtained_in_the_past_within_bounds(
    client: AsyncClient, session: AsyncSession, obtained_at: str
) -> None:
    referrer, _ = await parties(session)
    body = referral_body(await service_id(session))
    body["consent"]["obtained_at"] = obtained_at

    response = await client.post("/referrals", json=body, headers=referrer.headers)

    assert "consent.obtained_at" in problem_fields(response)


@pytest.mark.parametrize("completed_on", ["9999-12-31", "2099-01-01", "2000-01-01"])
async def test_a_completion_date_is_neither_in_the_future_nor_before_the_referral(
    client: AsyncClient, session: AsyncSession, completed_on: str
) -> None:
    referrer, provider = await parties(session)
    referral, etag = await refer(client, referrer, await service_id(session))
    url = f"/referrals/{referral['id']}/transitions"
    accepted = await client.post(
        url, json={"to": "accepted"}, headers={**provider.headers, "If-Match": etag}
    )
    outcome = {
        "services_delivered": "legal advice",
        "completed_on": completed_on,
        "free_of_cost_honoured": True,
    }

    completed = await client.post(
        url,
        json={"to": "completed", "outcome": outcome},
        headers={**provider.headers, "If-Match": accepted.headers["etag"]},
    )

    assert "outcome.completed_on" in problem_fields(completed)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/reports/referrals", {"to": "9999-12-31"}),
        ("/reports/referrals", {"from": "0001-01-01"}),
        ("/referrals", {"until": "9999-12-31T23:59:59-12:00"}),
        ("/audit-events", {"since": "9999-12-31T23:59:59-12:00"}),
        ("/services", {"modified_after": "9999-12-31T23:59:59-12:00"}),
    ],
)
async def test_dates_in_queries_are_within_bounds(
    client: AsyncClient, session: AsyncSession, admin: Account, path: str, params: dict[str, str]
) -> None:
    response = await client.get(path, params=params, headers=admin.headers)

    assert set(params) <= set(problem_fields(response))


@pytest.fixture
async def maintainer(session: AsyncSession) -> Account:
    return await make_account(session, role="district_admin", districts=("BD4041",))


async def _created(client: AsyncClient, account: Account, path: str, body: dict[str, Any]) -> Any:
    response = await client.post(path, json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_ages_are_in_order_on_create_and_update(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    org = str(await organization_id(session, "rights-jessore"))
    body = {
        "organization_id": org,
        "name": "Ages clinic",
        "categories": ["health"],
        "service_area": ["BD4041"],
    }

    refused = await client.post(
        "/services", json={**body, "minimum_age": 90, "maximum_age": 5}, headers=maintainer.headers
    )
    service = await _created(client, maintainer, "/services", {**body, "maximum_age": 5})
    raised = await client.patch(
        f"/services/{service['id']}", json={"minimum_age": 90}, headers=maintainer.headers
    )

    assert problem_fields(refused) == ["maximum_age"]
    assert "minimum_age is above maximum_age" in refused.text
    assert problem_fields(raised) == ["maximum_age"]


async def test_a_service_is_always_somewhere(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    org = str(await organization_id(session, "rights-jessore"))
    location = await _created(
        client,
        maintainer,
        "/locations",
        {"organization_id": org, "name": "Only office", "latitude": 23.17, "longitude": 89.21},
    )
    service = await _created(
        client,
        maintainer,
        "/services",
        {
            "organization_id": org,
            "name": "Placed clinic",
            "categories": ["health"],
            "location_ids": [location["id"]],
        },
    )

    emptied = await client.patch(
        f"/services/{service['id']}", json={"location_ids": []}, headers=maintainer.headers
    )
    deleted = await client.delete(f"/locations/{location['id']}", headers=maintainer.headers)
    deleted_bn = await client.delete(
        f"/locations/{location['id']}", headers={**maintainer.headers, "Accept-Language": "bn"}
    )
    moved = await client.patch(
        f"/services/{service['id']}",
        json={"location_ids": [], "service_area": ["BD4041"]},
        headers=maintainer.headers,
    )
    then_deleted = await client.delete(f"/locations/{location['id']}", headers=maintainer.headers)

    assert problem_fields(emptied) == ["location_ids"]
    assert deleted.status_code == 409
    assert "Placed clinic" in deleted.json()["detail"]
    # a service without a Bangla name is named in English, the one name it has
    assert deleted_bn.status_code == 409
    assert "Placed clinic" in deleted_bn.json()["detail"]
    assert "সেবার একমাত্র স্থান" in deleted_bn.json()["detail"]
    assert moved.status_code == 200, moved.text
    assert then_deleted.status_code == 204


async def test_schedules_open_before_they_close_and_start_before_they_end(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    org = str(await organization_id(session, "rights-jessore"))
    service = await _created(
        client,
        maintainer,
        "/services",
        {
            "organization_id": org,
            "name": "Hours clinic",
            "categories": ["health"],
            "service_area": ["BD4041"],
        },
    )
    hours = {
        "service_id": service["id"],
        "byday": ["SU"],
        "opens_at": "17:00",
        "closes_at": "09:00",
    }
    dates = {"service_id": service["id"], "valid_from": "2026-06-01", "valid_to": "2026-01-01"}

    backwards = await client.post("/schedules", json=hours, headers=maintainer.headers)
    expired = await client.post("/schedules", json=dates, headers=maintainer.headers)
    schedule = await _created(client, maintainer, "/schedules", {**hours, "opens_at": "08:00"})
    reversed_ = await client.patch(
        f"/schedules/{schedule['id']}", json={"opens_at": "10:00"}, headers=maintainer.headers
    )

    # a rule of the whole body names the field it is about
    assert problem_fields(backwards) == ["closes_at"]
    assert problem_fields(expired) == ["valid_to"]
    assert problem_fields(reversed_) == ["closes_at"]


async def test_a_refused_patch_changes_nothing(
    client: AsyncClient, session: AsyncSession, admin: Account
) -> None:
    org = await organization_id(session, "rights-jessore")
    before = (await session.get(Organization, org, populate_existing=True)).name  # type: ignore[union-attr]

    response = await client.patch(
        f"/organizations/{org}",
        content=with_surrogate({"name": "x"}, "name").encode(),
        headers={**admin.headers, "Content-Type": "application/json"},
    )

    assert problem_fields(response) == ["name"]
    after = await session.get(Organization, org, populate_existing=True)
    assert after is not None and after.name == before
