"""Suggested corrections: anyone proposes, nothing changes until the district's admin accepts."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from tests.accounts import make_account, organization_id
from tests.api import api_client


@pytest.fixture
async def public(session: AsyncSession) -> AsyncIterator[AsyncClient]:
    """An anonymous client at an address of its own (the rate limit counts per client)."""
    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    async with api_client(session, address=(address, 5000)) as http:
        yield http


async def _suggest(public: AsyncClient, session: AsyncSession, **overrides: Any) -> Any:
    org = await organization_id(session, "rights-jessore")
    body = {
        "resource_type": "organization",
        "resource_id": str(org),
        "field": "description_bn",
        "proposed_value": "নতুন বিবরণ",
        "comment": "The Bangla text is out of date",
    } | overrides
    return await public.post("/corrections", json=body)


async def test_a_suggestion_changes_nothing_and_reaches_only_its_districts_queue(
    client: AsyncClient, public: AsyncClient, session: AsyncSession
) -> None:
    org = await organization_id(session, "rights-jessore")
    before = (await client.get(f"/organizations/{org}")).json()["description_bn"]

    response = await _suggest(public, session)

    assert response.status_code == 202
    assert "message_bn" in response.json()
    assert (await client.get(f"/organizations/{org}")).json()["description_bn"] == before
    jashore = await make_account(session, role="district_admin", districts=("BD4041",))
    satkhira = await make_account(
        session, role="district_admin", organization="cwcs", districts=("BD4087",)
    )
    queue = (await client.get("/corrections", headers=jashore.headers)).json()
    assert response.json()["id"] in {c["id"] for c in queue["contents"]}
    item = next(c for c in queue["contents"] if c["id"] == response.json()["id"])
    assert (item["current_value"], item["proposed_value"]) == (before, "নতুন বিবরণ")
    other = (await client.get("/corrections", headers=satkhira.headers)).json()
    assert response.json()["id"] not in {c["id"] for c in other["contents"]}


async def test_accepting_applies_the_change_with_history(
    client: AsyncClient, public: AsyncClient, session: AsyncSession
) -> None:
    org = await organization_id(session, "rights-jessore")
    correction = (await _suggest(public, session)).json()
    moderator = await make_account(session, role="district_admin", districts=("BD4041",))

    accepted = await client.post(
        f"/corrections/{correction['id']}/accept",
        json={"note": "checked by phone"},
        headers=moderator.headers,
    )

    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["decided_by"] == moderator.user.email
    assert (await client.get(f"/organizations/{org}")).json()["description_bn"] == "নতুন বিবরণ"
    history = (await client.get(f"/organizations/{org}/history", headers=moderator.headers)).json()
    assert history["contents"][0]["field_name"] == "description_bn"
    again = await client.post(f"/corrections/{correction['id']}/dismiss", headers=moderator.headers)
    assert again.status_code == 409


async def test_dismissing_leaves_the_entry_alone(
    client: AsyncClient, public: AsyncClient, session: AsyncSession
) -> None:
    org = await organization_id(session, "rights-jessore")
    before = (await client.get(f"/organizations/{org}")).json()["description_bn"]
    correction = (await _suggest(public, session)).json()
    moderator = await make_account(session, role="admin")

    dismissed = await client.post(
        f"/corrections/{correction['id']}/dismiss", headers=moderator.headers
    )

    assert dismissed.json()["status"] == "dismissed"
    assert (await client.get(f"/organizations/{org}")).json()["description_bn"] == before


async def test_another_districts_admin_cannot_decide(
    client: AsyncClient, public: AsyncClient, session: AsyncSession
) -> None:
    correction = (await _suggest(public, session)).json()
    satkhira = await make_account(
        session, role="district_admin", organization="cwcs", districts=("BD4087",)
    )

    assert (
        await client.post(f"/corrections/{correction['id']}/accept", headers=satkhira.headers)
    ).status_code == 403


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"field": "password_hash"}, 422),
        ({"resource_type": "referral"}, 422),
        ({"resource_id": "00000000-0000-0000-0000-000000000000"}, 404),
        ({"proposed_value": ""}, 422),
        ({"reporter_phone": "01700000000"}, 422),
    ],
)
async def test_bad_suggestions_are_refused(
    public: AsyncClient, session: AsyncSession, overrides: dict[str, Any], status: int
) -> None:
    response = await _suggest(public, session, **overrides)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


async def test_suggestions_are_rate_limited_per_client(
    public: AsyncClient, client: AsyncClient, session: AsyncSession
) -> None:
    limit = get_settings().correction_limit_per_hour

    responses = [await _suggest(public, session) for _ in range(limit + 1)]

    assert [r.status_code for r in responses] == [202] * limit + [429]
    # when the oldest suggestion of the hour leaves the window, at most an hour from now
    assert 0 < int(responses[-1].headers["Retry-After"]) <= 3600
    assert (await _suggest(client, session)).status_code == 202


async def test_a_field_that_cannot_be_corrected_is_named_with_those_that_can(
    public: AsyncClient, session: AsyncSession
) -> None:
    org = await organization_id(session, "rights-jessore")
    body = {
        "resource_type": "organization",
        "resource_id": str(org),
        "field": "password_hash",
        "proposed_value": "x",
    }

    english = await public.post("/corrections", json=body)
    bangla = await public.post("/corrections", json=body, headers={"Accept-Language": "bn"})

    assert english.status_code == bangla.status_code == 422
    assert "organization corrections may change: name, name_bn" in english.json()["detail"]
    assert "প্রতিষ্ঠানের সংশোধনে বদলানো যায় শুধু: name, name_bn" in bangla.json()["detail"]
