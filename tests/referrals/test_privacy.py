"""A referral never carries a way to reach the survivor: case references are pseudonymous, free
text holds no phone number or email address."""

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.accounts import make_account, organization_id
from tests.referrals.helpers import REFERRER, parties, refer, referral_body, service_id


@pytest.mark.parametrize("case_ref", ["01711000000", "8801711000000", "Rina.Begum", "RinaBegum"])
async def test_a_case_reference_is_not_a_name_or_a_phone_number(
    client: AsyncClient, session: AsyncSession, case_ref: str
) -> None:
    referrer, _ = await parties(session)

    response = await client.post(
        "/referrals",
        json=referral_body(await service_id(session), case_ref=case_ref),
        headers=referrer.headers,
    )

    assert response.status_code == 422, response.text
    assert [e["parameter"] for e in response.json()["errors"]] == ["case_ref"]


async def test_an_organization_sets_its_own_case_reference_pattern(
    client: AsyncClient, session: AsyncSession
) -> None:
    referrer, _ = await parties(session)
    admin = await make_account(session, role="org_admin", organization=REFERRER)
    org = await organization_id(session, REFERRER)
    service = await service_id(session)

    bad = await client.patch(
        f"/organizations/{org}", json={"case_ref_pattern": "DAM-(\\d{4"}, headers=admin.headers
    )
    set_ = await client.patch(
        f"/organizations/{org}",
        json={"case_ref_pattern": "DAM-\\d{4}-\\d{4}"},
        headers=admin.headers,
    )
    follows = await client.post(
        "/referrals",
        json=referral_body(service, case_ref="DAM-2026-0042"),
        headers=referrer.headers,
    )
    strays = await client.post(
        "/referrals", json=referral_body(service, case_ref="RJ-2026-0042"), headers=referrer.headers
    )
    partly = await client.post(
        "/referrals",
        json=referral_body(service, case_ref="DAM-2026-00421"),
        headers=referrer.headers,
    )

    assert bad.status_code == 422 and "case_ref_pattern" in bad.text
    assert set_.status_code == 200, set_.text
    assert follows.status_code == 201, follows.text
    assert strays.status_code == partly.status_code == 422
    assert "DAM-\\\\d{4}-\\\\d{4}" in strays.text


@pytest.mark.parametrize(
    "text",
    [
        "Call her on 01711-000000 after 5pm",
        "ফোন ০১৭১১০০০০০০",
        "or +880 1911 223344",
        "office 02-9551234",
        "write to rina@example.org",
    ],
)
@pytest.mark.parametrize("field", ["reason", "notes"])
async def test_referral_text_refuses_phone_numbers_and_email_addresses(
    client: AsyncClient, session: AsyncSession, text: str, field: str
) -> None:
    referrer, _ = await parties(session)

    response = await client.post(
        "/referrals",
        json=referral_body(await service_id(session), **{field: text}),
        headers=referrer.headers,
    )

    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["parameter"] == field
    assert "phone number" in error["detail"] or "email address" in error["detail"]


async def test_transition_notes_refuse_contact_details_but_helplines_are_fine(
    client: AsyncClient, session: AsyncSession
) -> None:
    referrer, _ = await parties(session)
    referral, etag = await refer(
        client,
        referrer,
        await service_id(session),
        reason="Needs legal advice; told her about the 109 and 16430 helplines",
    )
    url = f"/referrals/{referral['id']}/transitions"
    headers: dict[str, Any] = {**referrer.headers, "If-Match": etag}

    refused = await client.post(
        url, json={"to": "cancelled", "note": "moved, new number 01811223344"}, headers=headers
    )
    moved = await client.post(
        url, json={"to": "cancelled", "note": "found help elsewhere"}, headers=headers
    )

    assert refused.status_code == 422 and refused.json()["errors"][0]["parameter"] == "note"
    assert moved.status_code == 200, moved.text
