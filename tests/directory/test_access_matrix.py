"""Who may call each write and protected endpoint: every role and anonymous, inside and outside
its district or organization."""

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.models import Location, Phone, Schedule, Service
from tests.accounts import make_account, organization_id

# The targets: an organization of Jashore, one of Satkhira, and a national body (no district).
TARGETS = {"jashore": "rights-jessore", "satkhira": "cwcs", "national": "bmet"}
ROLES: dict[str, dict[str, Any]] = {
    "anonymous": {},
    "caseworker": {"role": "caseworker", "organization": "rights-jessore"},
    "org_admin": {"role": "org_admin", "organization": "rights-jessore"},
    "district_admin_jashore": {
        "role": "district_admin",
        "organization": "rights-jessore",
        "districts": ("BD4041",),
    },
    "district_admin_satkhira": {
        "role": "district_admin",
        "organization": "cwcs",
        "districts": ("BD4087",),
    },
    "admin": {"role": "admin", "organization": "rights-jessore"},
}
DISTRICTS = {"jashore": "Jashore", "satkhira": "BD4087", "national": None}


def allowed(role: str, target: str) -> bool:
    """Maintenance rights: admins anywhere; district admins their district; org admins their
    organization (Rights Jessore, the Jashore target); nobody else."""
    return {
        "anonymous": False,
        "caseworker": False,
        "org_admin": target == "jashore",
        "district_admin_jashore": target == "jashore",
        "district_admin_satkhira": target == "satkhira",
        "admin": True,
    }[role]


@dataclass
class Target:
    org_id: uuid.UUID
    service_id: uuid.UUID
    location_id: uuid.UUID
    phone_id: uuid.UUID
    schedule_id: uuid.UUID


async def _target(session: AsyncSession, slug: str) -> Target:
    """Records under the organization: one of each, made here so every kind exists."""
    org_id = await organization_id(session, slug)
    service_id = (
        await session.execute(select(Service.id).where(Service.organization_id == org_id).limit(1))
    ).scalar_one()
    location = Location(
        id=uuid.uuid4(), organization_id=org_id, name="Matrix site", data_source="test"
    )
    phone = Phone(id=uuid.uuid4(), service_id=service_id, number="109", source_note="test")
    schedule = Schedule(id=uuid.uuid4(), service_id=service_id, description="Sunday to Thursday")
    session.add_all([location, phone, schedule])
    await session.flush()
    return Target(org_id, service_id, location.id, phone.id, schedule.id)


def _requests(t: Target, target: str) -> list[tuple[str, str, str, dict[str, Any] | None]]:
    """(name, method, path, json) of every write and maintainer-only read, against one target."""
    return [
        ("create organization", "POST", "/organizations",
         {"name": "Matrix org", "description": "Test", "district": DISTRICTS[target]}),
        ("update organization", "PATCH", f"/organizations/{t.org_id}", {"description_bn": "পরীক্ষা"}),
        ("verify organization", "POST", f"/organizations/{t.org_id}/verify", None),
        ("organization history", "GET", f"/organizations/{t.org_id}/history", None),
        ("create service", "POST", "/services",
         {"organization_id": str(t.org_id), "name": "Matrix service", "categories": ["health"],
          "service_area": ["BD"]}),
        ("update service", "PATCH", f"/services/{t.service_id}", {"alert": "Closed on Friday"}),
        ("verify service", "POST", f"/services/{t.service_id}/verify", None),
        ("link category", "PUT", f"/services/{t.service_id}/categories/education", None),
        ("service history", "GET", f"/services/{t.service_id}/history", None),
        ("create location", "POST", "/locations",
         {"organization_id": str(t.org_id), "name": "Matrix office",
          "latitude": 23.17, "longitude": 89.21}),
        ("update location", "PATCH", f"/locations/{t.location_id}", {"transportation": "Bus"}),
        ("delete location", "DELETE", f"/locations/{t.location_id}", None),
        ("create phone", "POST", "/phones", {"number": "999", "service_id": str(t.service_id)}),
        ("update phone", "PATCH", f"/phones/{t.phone_id}", {"description": "Front desk"}),
        ("delete phone", "DELETE", f"/phones/{t.phone_id}", None),
        ("create schedule", "POST", "/schedules",
         {"service_id": str(t.service_id), "description": "9 to 5"}),
        ("update schedule", "PATCH", f"/schedules/{t.schedule_id}",
         {"notes": "Closed on holidays"}),
        ("delete schedule", "DELETE", f"/schedules/{t.schedule_id}", None),
    ]  # fmt: skip


REQUEST_NAMES = [name for name, *_ in _requests(Target(*(uuid.uuid4(),) * 5), "jashore")]


def _expected(role: str, target: str, name: str) -> int:
    if role == "anonymous":
        return 401
    if name == "create organization" and role == "org_admin":
        return 403  # organization admins maintain their organization, they do not add others
    return 0 if allowed(role, target) else 403  # 0: any 2xx


@pytest.mark.parametrize("name", REQUEST_NAMES)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
async def test_access_matrix(
    client: AsyncClient, session: AsyncSession, role: str, target: str, name: str
) -> None:
    t = await _target(session, TARGETS[target])
    headers = {}
    if ROLES[role]:
        headers = (await make_account(session, **ROLES[role])).headers
    _, method, path, body = next(r for r in _requests(t, target) if r[0] == name)

    response = await client.request(method, path, json=body, headers=headers)

    expected = _expected(role, target, name)
    if expected:
        assert response.status_code == expected, response.text
        assert response.headers["content-type"] == "application/problem+json"
    else:
        assert 200 <= response.status_code < 300, response.text


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("caseworker", 403),
        ("org_admin", 403),
        ("district_admin_jashore", 403),
        ("admin", 200),
    ],
)
async def test_only_admins_read_the_audit_log(
    client: AsyncClient, session: AsyncSession, role: str, status: int
) -> None:
    headers = (await make_account(session, **ROLES[role])).headers if ROLES[role] else {}

    assert (await client.get("/audit-events", headers=headers)).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("caseworker", 403),
        ("org_admin", 403),
        ("district_admin_jashore", 200),
        ("admin", 200),
    ],
)
async def test_only_admins_and_district_admins_see_the_moderation_queue(
    client: AsyncClient, session: AsyncSession, role: str, status: int
) -> None:
    headers = (await make_account(session, **ROLES[role])).headers if ROLES[role] else {}

    assert (await client.get("/corrections", headers=headers)).status_code == status
