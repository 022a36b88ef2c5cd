"""Who verified an entry shows as their organization (`assured_by`), never as their email."""

from datetime import date
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.models import Organization, Service
from tests.accounts import Account, make_account, organization_id
from tests.api import Json, search
from tests.directory.test_hsds_schema import _errors

SERVICE = "district-legal-aid-office-jashore--legal-aid"
ORG = "district-legal-aid-office-jashore"


@pytest.fixture
async def maintainer(session: AsyncSession) -> Account:
    """A Jashore district admin of Rights Jessore: verifies for Rights Jessore."""
    return await make_account(
        session, role="district_admin", districts=("BD4041",), email="verifier.private@test.example"
    )


async def _ids(session: AsyncSession) -> tuple[str, str, str]:
    service = (
        await session.execute(select(Service.id).where(Service.slug == SERVICE))
    ).scalar_one()
    return (
        str(service),
        str(await organization_id(session, ORG)),
        str(await organization_id(session, "rights-jessore")),
    )


async def _verify_both(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> tuple[str, str, str]:
    service_id, org_id, assurer_id = await _ids(session)
    for path in (f"/services/{service_id}/verify", f"/organizations/{org_id}/verify"):
        response = await client.post(path, headers=maintainer.headers)
        assert response.status_code == 200, response.text
        assert maintainer.user.email not in response.text
    return service_id, org_id, assurer_id


def _assured_bys(value: Any) -> list[Json]:
    found: list[Json] = []
    if isinstance(value, dict):
        if "assured_by" in value:
            found.append(value["assured_by"])
        for item in value.values():
            found.extend(_assured_bys(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_assured_bys(item))
    return found


async def test_public_reads_show_the_verifying_organization_and_never_the_email(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    service_id, org_id, assurer_id = await _verify_both(client, session, maintainer)
    sal_list = (
        await client.get("/service_at_locations", params={"organization_id": org_id})
    ).json()
    sal_id = sal_list["contents"][0]["id"]
    reads: list[tuple[str, dict[str, str]]] = [
        ("/services", {"organization_id": org_id}),
        ("/services", {"search": "legal aid", "district": "Jashore", "per_page": "100"}),
        ("/services", {"organization_id": org_id, "full": "true"}),
        (f"/services/{service_id}", {}),
        ("/organizations", {"search": "Legal Aid Office, Jashore"}),
        ("/organizations", {"search": "Legal Aid Office, Jashore", "full_service": "true"}),
        (f"/organizations/{org_id}", {}),
        ("/service_at_locations", {"organization_id": org_id}),
        (f"/service_at_locations/{sal_id}", {}),
    ]
    expected = {"id": assurer_id, "name": "Rights Jessore", "name_bn": "রাইটস যশোর"}

    for path, params in reads:
        response = await client.get(path, params=params)

        assert response.status_code == 200, response.text
        assert "assurer_email" not in response.text, path
        assert maintainer.user.email not in response.text, path
        assert "verifier.private" not in response.text, path
        found = _assured_bys(response.json())
        assert found, path
        assert all(item == expected for item in found), (path, found)


async def test_list_items_and_full_services_carry_assured_by_for_service_and_organization(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    service_id, org_id, assurer_id = await _verify_both(client, session, maintainer)

    listed = await search(client, organization_id=org_id)
    item = next(i for i in listed["contents"] if i["id"] == service_id)
    full = (await client.get(f"/services/{service_id}")).json()

    for body in (item, full):
        assert body["assured_date"] == date.today().isoformat()
        assert body["assured_by"]["id"] == assurer_id
        assert body["organization"]["assured_by"]["id"] == assurer_id
    # extensions are allowed by HSDS; nothing required is lost
    assert _errors("compiled/service_list.json", item) == []
    assert _errors("service.json", full) == []
    assert _errors("organization.json", (await client.get(f"/organizations/{org_id}")).json()) == []


async def test_an_unverified_entry_has_no_assured_by(
    client: AsyncClient, session: AsyncSession
) -> None:
    service_id, org_id, _ = await _ids(session)

    full = (await client.get(f"/services/{service_id}")).json()

    assert "assured_by" not in full and "assured_by" not in full["organization"]
    listed = await search(client, organization_id=org_id)
    assert all("assured_by" not in item for item in listed["contents"])


async def test_the_email_stays_in_the_history_for_maintainers(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    _, org_id, assurer_id = await _verify_both(client, session, maintainer)

    history = (
        await client.get(f"/organizations/{org_id}/history", headers=maintainer.headers)
    ).json()

    verified = {
        c["field_name"]: c["replacement_value"]
        for c in history["contents"]
        if c["last_action_type"] == "verify" and c["resource_id"] == org_id
    }
    assert verified["assurer_email"] == maintainer.user.email
    assert verified["assurer_organization_id"] == assurer_id
    stored = await session.get(Organization, await organization_id(session, ORG))
    assert stored is not None and stored.assurer_email == maintainer.user.email


async def test_renaming_the_verifying_organization_renames_it_in_list_items(
    client: AsyncClient, session: AsyncSession, maintainer: Account
) -> None:
    service_id, org_id, assurer_id = await _verify_both(client, session, maintainer)

    renamed = await client.patch(
        f"/organizations/{assurer_id}", json={"name": "Rights Jashore"}, headers=maintainer.headers
    )

    assert renamed.status_code == 200, renamed.text
    item = next(
        i
        for i in (await search(client, organization_id=org_id))["contents"]
        if i["id"] == service_id
    )
    assert item["assured_by"]["name"] == "Rights Jashore"
    assert item["organization"]["assured_by"]["name"] == "Rights Jashore"
