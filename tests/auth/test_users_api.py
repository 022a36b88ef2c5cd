"""Organization, district and platform admins manage the accounts in their reach, no further."""

import uuid
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts import PASSWORD, make_account, organization_id

MANAGERS: dict[str, dict[str, Any]] = {
    "caseworker": {"role": "caseworker"},
    "org_admin": {"role": "org_admin"},
    "district_admin": {"role": "district_admin", "districts": ("BD4041",)},
    "admin": {"role": "admin"},
}


@pytest.mark.parametrize(
    ("manager", "organization", "role", "districts", "status"),
    [
        ("caseworker", "rights-jessore", "caseworker", [], 403),
        ("org_admin", "rights-jessore", "caseworker", [], 201),
        ("org_admin", "rights-jessore", "org_admin", [], 201),
        ("org_admin", "rights-jessore", "district_admin", ["Jashore"], 403),
        ("org_admin", "cwcs", "caseworker", [], 403),
        ("district_admin", "district-legal-aid-office-jashore", "caseworker", [], 201),
        ("district_admin", "cwcs", "caseworker", [], 403),
        ("district_admin", "rights-jessore", "admin", [], 403),
        ("admin", "bmet", "district_admin", ["Satkhira"], 201),
        ("admin", "bmet", "district_admin", [], 422),
    ],
)
async def test_who_may_create_which_accounts(
    client: AsyncClient,
    session: AsyncSession,
    manager: str,
    organization: str,
    role: str,
    districts: list[str],
    status: int,
) -> None:
    actor = await make_account(session, **MANAGERS[manager])
    body = {
        "email": f"new-{uuid.uuid4().hex[:8]}@test.example",
        "password": "a-good-long-password",
        "organization_id": str(await organization_id(session, organization)),
        "role": role,
        "districts": districts,
    }

    response = await client.post("/users", json=body, headers=actor.headers)

    assert response.status_code == status, response.text
    if status == 201:
        assert response.json()["email"] == body["email"]
        signed_in = await client.post(
            "/auth/token", data={"username": body["email"], "password": body["password"]}
        )
        assert signed_in.status_code == 200


async def test_lists_are_scoped_to_what_one_manages(
    client: AsyncClient, session: AsyncSession
) -> None:
    own = await make_account(session, role="caseworker")
    elsewhere = await make_account(session, role="caseworker", organization="cwcs")
    org_admin = await make_account(session, role="org_admin")

    listed = (
        await client.get("/users", params={"per_page": 100}, headers=org_admin.headers)
    ).json()

    emails = {u["email"] for u in listed["contents"]}
    assert own.user.email in emails
    assert elsewhere.user.email not in emails
    assert (
        await client.get(f"/users/{elsewhere.user.id}", headers=org_admin.headers)
    ).status_code == 403


async def test_disabling_an_account_stops_its_tokens(
    client: AsyncClient, session: AsyncSession
) -> None:
    worker = await make_account(session, role="caseworker")
    org_admin = await make_account(session, role="org_admin")

    disabled = await client.patch(
        f"/users/{worker.user.id}", json={"active": False}, headers=org_admin.headers
    )

    assert disabled.json()["active"] is False
    assert (await client.get("/auth/me", headers=worker.headers)).status_code == 401
    signed_in = await client.post(
        "/auth/token", data={"username": worker.user.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 401


async def test_an_email_is_one_account(client: AsyncClient, session: AsyncSession) -> None:
    admin = await make_account(session, role="admin")
    body = {
        "email": admin.user.email.upper(),
        "password": "a-good-long-password",
        "organization_id": str(admin.user.organization_id),
        "role": "caseworker",
    }

    assert (await client.post("/users", json=body, headers=admin.headers)).status_code == 409


@pytest.mark.parametrize(
    "body",
    [
        {
            "email": "x@test.example",
            "password": "short",
            "organization_id": "ORG",
            "role": "caseworker",
        },
        {
            "email": "not-an-email",
            "password": "a-good-long-password",
            "organization_id": "ORG",
            "role": "caseworker",
        },
        {
            "email": "x@test.example",
            "password": "a-good-long-password",
            "organization_id": "ORG",
            "role": "caseworker",
            "phone": "01700000000",
        },
    ],
)
async def test_bad_account_bodies_are_422(
    client: AsyncClient, session: AsyncSession, body: dict[str, Any]
) -> None:
    admin = await make_account(session, role="admin")
    body = {k: (str(admin.user.organization_id) if v == "ORG" else v) for k, v in body.items()}

    assert (await client.post("/users", json=body, headers=admin.headers)).status_code == 422


async def test_no_one_changes_their_own_account(client: AsyncClient, session: AsyncSession) -> None:
    admin = await make_account(session, role="admin")

    for body in ({"active": False}, {"role": "caseworker"}, {"password": "a new long password"}):
        response = await client.patch(f"/users/{admin.user.id}", json=body, headers=admin.headers)
        assert response.status_code == 403, body
    assert (await client.get("/auth/me", headers=admin.headers)).status_code == 200
