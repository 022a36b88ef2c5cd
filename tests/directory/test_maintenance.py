"""Directory writes: search stays in step, history and verification are kept, bad bodies are 422."""

from datetime import date
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.models import RecordChange
from tests.accounts import Account, make_account, organization_id
from tests.api import ids, search


@pytest.fixture
async def maintainer(session: AsyncSession) -> Account:
    return await make_account(session, role="district_admin", districts=("BD4041",))


async def _post(
    client: AsyncClient, account: Account, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=account.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def _new_service(
    client: AsyncClient, session: AsyncSession, account: Account, **extra: Any
) -> dict[str, Any]:
    org = str(await organization_id(session, "rights-jessore"))
    location = await _post(
        client,
        account,
        "/locations",
        {"organization_id": org, "name": "Quagga office", "latitude": 23.17, "longitude": 89.21},
    )
    body = {
        "organization_id": org,
        "name": "Quagga legal clinic",
        "categories": ["legal_aid"],
        "location_ids": [location["id"]],
        "free_of_cost": True,
        **extra,
    }
    return await _post(client, account, "/services", body)


async def test_a_new_service_is_searchable_at_once_by_word_place_and_category(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    service = await _new_service(client, session, maintainer)

    assert service["id"] in ids(await search(client, search="quagga"))
    assert service["id"] in ids(
        await search(client, lat=23.17, lng=89.21, radius_km=1, category="legal_aid")
    )
    assert service["id"] in ids(await search(client, upazila="Jessore Sadar", free_of_cost="true"))
    location = service["service_at_locations"][0]["location"]
    assert (location["district_pcode"], location["upazila_pcode"]) == ("BD4041", "BD40410047")


async def test_changes_and_deactivation_show_in_search(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    service = await _new_service(client, session, maintainer)

    renamed = await client.patch(
        f"/services/{service['id']}",
        json={"name": "Okapi legal clinic"},
        headers=maintainer.headers,
    )
    assert renamed.status_code == 200
    assert service["id"] in ids(await search(client, search="okapi"))
    assert service["id"] not in ids(await search(client, search="quagga"))

    await client.patch(
        f"/services/{service['id']}", json={"status": "inactive"}, headers=maintainer.headers
    )
    assert service["id"] not in ids(await search(client, search="okapi"))


async def test_deactivating_an_organization_takes_its_services_out_of_search(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    service = await _new_service(client, session, maintainer)

    response = await client.patch(
        f"/organizations/{service['organization_id']}",
        json={"active": False},
        headers=maintainer.headers,
    )

    assert response.status_code == 200
    assert service["id"] not in ids(await search(client, search="quagga"))


async def test_moving_a_location_moves_its_service(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    service = await _new_service(client, session, maintainer)
    location_id = service["service_at_locations"][0]["location"]["id"]

    moved = await client.patch(
        f"/locations/{location_id}",
        json={"latitude": 23.0, "longitude": 89.1},
        headers=maintainer.headers,
    )

    assert moved.json()["upazila_pcode"] != "BD40410047"
    assert service["id"] not in ids(await search(client, lat=23.17, lng=89.21, radius_km=1))
    assert service["id"] in ids(await search(client, lat=23.0, lng=89.1, radius_km=1))


async def test_every_change_is_kept_with_who_when_old_and_new(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    service = await _new_service(client, session, maintainer)
    await client.patch(
        f"/services/{service['id']}",
        json={"name": "Okapi legal clinic", "categories": ["legal_aid", "counselling"]},
        headers=maintainer.headers,
    )

    history = (
        await client.get(f"/services/{service['id']}/history", headers=maintainer.headers)
    ).json()

    changes = {(c["last_action_type"], c["field_name"]): c for c in history["contents"]}
    assert changes[("update", "name")]["previous_value"] == "Quagga legal clinic"
    assert changes[("update", "name")]["replacement_value"] == "Okapi legal clinic"
    assert changes[("update", "categories")]["replacement_value"] == '["counselling", "legal_aid"]'
    assert changes[("create", "name")]["previous_value"] is None
    assert {c["updated_by"] for c in history["contents"]} == {maintainer.user.email}


async def test_verifying_sets_assured_date_and_assurer(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    service = await _new_service(client, session, maintainer)

    verified = (
        await client.post(f"/services/{service['id']}/verify", headers=maintainer.headers)
    ).json()

    assert verified["assured_date"] == date.today().isoformat()
    # who verified shows as their organization; the email stays in the history
    assert verified["assured_by"]["id"] == str(maintainer.user.organization_id)
    assert "assurer_email" not in verified
    listed = await search(client, search="quagga")
    assert listed["contents"][0]["assured_date"] == date.today().isoformat()
    history = await client.get(f"/services/{service['id']}/history", headers=maintainer.headers)
    changes = {(c["last_action_type"], c["field_name"]): c for c in history.json()["contents"]}
    assert changes[("verify", "assurer_email")]["replacement_value"] == maintainer.user.email


async def test_organizations_are_created_with_their_district_by_any_name(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    org = await _post(
        client,
        maintainer,
        "/organizations",
        {"name": "Tapir Sangstha", "description": "Test NGO", "district": "যশোর"},
    )

    assert org["district_pcode"] == "BD4041"
    moved = await client.patch(
        f"/organizations/{org['id']}", json={"district": "Satkhira"}, headers=maintainer.headers
    )
    assert moved.status_code == 403


@pytest.mark.parametrize(
    ("path", "body", "parameter"),
    [
        (
            "/organizations",
            {"name": "X", "description": "Y", "district": "Jashore", "phone": "01700000000"},
            "phone",
        ),
        ("/organizations", {"name": "X", "description": "Y", "district": "Atlantis"}, "district"),
        (
            "/organizations",
            {"name": "X", "description": "Y", "district": "Jashore", "email": "not-an-email"},
            "email",
        ),
        (
            "/services",
            {"organization_id": "ORG", "name": "X", "categories": ["health"]},
            "location_ids",
        ),
        (
            "/services",
            {
                "organization_id": "ORG",
                "name": "X",
                "categories": ["astrology"],
                "service_area": ["BD4041"],
            },
            "categories",
        ),
        (
            "/services",
            {"organization_id": "ORG", "name": "X", "categories": [], "service_area": ["BD4041"]},
            "categories",
        ),
        (
            "/services",
            {
                "organization_id": "ORG",
                "name": "X",
                "categories": ["health"],
                "service_area": ["Atlantis"],
            },
            "service_area",
        ),
        (
            "/locations",
            {"organization_id": "ORG", "name": "X", "latitude": 51.5, "longitude": 0.1},
            "latitude",
        ),
        ("/phones", {"number": "call me", "organization_id": "ORG"}, "number"),
        ("/phones", {"number": "999"}, "body"),
        ("/schedules", {"service_id": "ORG", "opens_at": "25:00"}, "opens_at"),
    ],
)
async def test_bad_bodies_are_422_and_change_nothing(
    client: AsyncClient,
    session: AsyncSession,
    maintainer: Account,
    path: str,
    body: dict[str, Any],
    parameter: str,
) -> None:
    org = str(await organization_id(session, "rights-jessore"))
    body = {k: (org if v == "ORG" else v) for k, v in body.items()}
    changes_before = await session.scalar(select(func.count()).select_from(RecordChange))

    response = await client.post(path, json=body, headers=maintainer.headers)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert parameter in response.json()["detail"] or parameter == "body"
    assert await session.scalar(select(func.count()).select_from(RecordChange)) == changes_before


async def test_an_empty_patch_is_422_naming_the_body(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    org = await organization_id(session, "rights-jessore")

    response = await client.patch(f"/organizations/{org}", json={}, headers=maintainer.headers)

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["location"], error["parameter"]) == ("body", "body")
    assert error["detail"] == "send at least one field to change"


async def test_an_unknown_category_in_the_path_is_named_as_the_path(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    service = await _new_service(client, session, maintainer)

    response = await client.put(
        f"/services/{service['id']}/categories/astrology", headers=maintainer.headers
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["location"], error["parameter"]) == ("path", "code")
    assert "astrology" in error["detail"]


NOBODY = "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize(
    ("method", "path", "kind"),
    [
        ("PATCH", f"/services/{NOBODY}", "service"),
        ("POST", f"/services/{NOBODY}/verify", "service"),
        ("PATCH", f"/organizations/{NOBODY}", "organization"),
        ("GET", f"/organizations/{NOBODY}/history", "organization"),
        ("PATCH", f"/locations/{NOBODY}", "location"),
        ("DELETE", f"/phones/{NOBODY}", "phone"),
        ("PATCH", f"/schedules/{NOBODY}", "schedule"),
    ],
)
async def test_unknown_records_are_404_naming_their_kind(
    client: AsyncClient, maintainer: Account, method: str, path: str, kind: str
) -> None:
    body = {"name": "X"} if method == "PATCH" else None
    response = await client.request(method, path, json=body, headers=maintainer.headers)

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(f"No {kind} with id ")
    assert NOBODY in response.json()["detail"]


async def test_an_organizations_history_covers_the_records_under_it(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    service = await _new_service(client, session, maintainer)
    phone = await _post(
        client, maintainer, "/phones", {"number": "0000-000000", "service_id": service["id"]}
    )
    await client.patch(
        f"/phones/{phone['id']}", json={"description": "Front desk"}, headers=maintainer.headers
    )

    history = (
        await client.get(
            f"/organizations/{service['organization_id']}/history",
            params={"per_page": 100},
            headers=maintainer.headers,
        )
    ).json()

    kinds = {
        (c["resource_type"], c["last_action_type"], c["field_name"]) for c in history["contents"]
    }
    assert {
        ("phone", "create", "number"),
        ("phone", "update", "description"),
        ("service", "create", "name"),
        ("location", "create", "name"),
    } <= kinds
