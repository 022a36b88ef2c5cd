"""Every transition and every forbidden one, by each side; versions, terminal states, expiry."""

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.referrals.lifecycle import expire_unanswered
from app.referrals.models import REFERRAL_STATUSES, Referral
from app.referrals.policy import MOVES, TERMINAL
from tests.accounts import Account, make_account
from tests.referrals.helpers import parties, refer, service_id

STATUSES = list(REFERRAL_STATUSES)
# how to reach each status from a fresh `requested` referral, move by move (draft: created so)
PATHS: dict[str, list[str]] = {
    "requested": [],
    "accepted": ["accepted"],
    "rejected": ["rejected"],
    "in_progress": ["accepted", "in_progress"],
    "on_hold": ["accepted", "in_progress", "on_hold"],
    "completed": ["accepted", "completed"],
    "failed": ["accepted", "failed"],
    "cancelled": ["cancelled"],
}
OUTCOME = {
    "services_delivered": "Legal advice; case filed",
    "completed_on": date.today().isoformat(),
    "free_of_cost_honoured": True,
}


def payload(target: str) -> dict[str, Any]:
    """The smallest valid body for a move to `target`."""
    body: dict[str, Any] = {"to": target}
    if target == "rejected":
        body["reason_code"] = "no_capacity"
    if target in ("on_hold", "cancelled", "failed", "entered_in_error", "in_progress"):
        body["note"] = "reason given"
    if target == "completed":
        body["outcome"] = OUTCOME
    return body


def side_of(referrer: Account, provider: Account, target: str, current: str) -> Account:
    return referrer if MOVES.get((current, target)) == "referrer" else provider


async def move(
    client: AsyncClient, account: Account, referral_id: str, etag: str, body: dict[str, Any]
) -> Any:
    return await client.post(
        f"/referrals/{referral_id}/transitions",
        json=body,
        headers={**account.headers, "If-Match": etag},
    )


async def at_status(
    client: AsyncClient, session: AsyncSession, status: str
) -> tuple[dict[str, Any], str, Account, Account]:
    referrer, provider = await parties(session)
    body, etag = await refer(client, referrer, await service_id(session), draft=status == "draft")
    current = body["status"]
    for target in PATHS.get(status, []):
        response = await move(
            client, side_of(referrer, provider, target, current), body["id"], etag, payload(target)
        )
        assert response.status_code == 200, response.text
        body, etag, current = response.json(), response.headers["etag"], target
    return body, etag, referrer, provider


LEGAL = sorted(MOVES)


@pytest.mark.parametrize(("current", "target"), LEGAL)
async def test_every_legal_move_by_its_side(
    client: AsyncClient, session: AsyncSession, current: str, target: str
) -> None:
    body, etag, referrer, provider = await at_status(client, session, current)
    right = side_of(referrer, provider, target, current)
    wrong = provider if right is referrer else referrer

    refused = await move(client, wrong, body["id"], etag, payload(target))
    done = await move(client, right, body["id"], etag, payload(target))

    # a draft is the referring organization's alone: the provider does not even see it
    assert refused.status_code == (404 if current == "draft" else 403), refused.text
    assert done.status_code == 200, done.text
    result = done.json()
    assert result["status"] == target
    assert done.headers["etag"] != etag
    last = result["events"][-1]
    assert (last["from"], last["to"], last["actor"]["organization_id"]) == (
        current,
        target,
        str(right.user.organization_id),
    )


ILLEGAL = [
    (c, t)
    for c in PATHS
    for t in STATUSES
    if (c, t) not in MOVES and t != "entered_in_error" and c not in TERMINAL
]


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
async def test_every_illegal_move_is_a_409(
    client: AsyncClient, session: AsyncSession, current: str, target: str
) -> None:
    body, etag, referrer, provider = await at_status(client, session, current)

    for account in (referrer, provider):
        response = await move(client, account, body["id"], etag, payload(target))
        assert response.status_code == 409, (account.user.role, response.text)
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("terminal", sorted(TERMINAL - {"entered_in_error"}))
async def test_closed_referrals_never_reopen(
    client: AsyncClient, session: AsyncSession, terminal: str
) -> None:
    body, etag, _referrer, provider = await at_status(client, session, terminal)

    for target in ("requested", "accepted", "in_progress"):
        assert (await move(client, provider, body["id"], etag, payload(target))).status_code == 409


async def test_a_follow_up_links_to_the_closed_referral(
    client: AsyncClient, session: AsyncSession
) -> None:
    closed, _, referrer, _ = await at_status(client, session, "failed")

    follow_up, _ = await refer(
        client, referrer, await service_id(session), previous_referral_id=closed["id"]
    )

    assert follow_up["previous_referral_id"] == closed["id"]


async def test_only_admins_mark_entered_in_error(
    client: AsyncClient, session: AsyncSession
) -> None:
    body, etag, referrer, _provider = await at_status(client, session, "accepted")
    admin = await make_account(session, role="admin")

    assert (
        await move(client, referrer, body["id"], etag, payload("entered_in_error"))
    ).status_code == 403
    done = await move(client, admin, body["id"], etag, payload("entered_in_error"))
    assert done.status_code == 200
    assert done.json()["events"][-1]["actor"]["role"] == "admin"


async def test_a_stranger_gets_404(client: AsyncClient, session: AsyncSession) -> None:
    body, etag, _, _ = await at_status(client, session, "requested")
    stranger = await make_account(session, role="caseworker", organization="cwcs")

    assert (await move(client, stranger, body["id"], etag, payload("accepted"))).status_code == 404


@pytest.mark.parametrize(
    ("current", "body", "parameter"),
    [
        ("requested", {"to": "rejected"}, "reason_code"),
        ("requested", {"to": "rejected", "reason_code": "expired_no_response"}, "reason_code"),
        ("requested", {"to": "rejected", "reason_code": "bored"}, "reason_code"),
        ("in_progress", {"to": "on_hold"}, "note"),
        ("on_hold", {"to": "in_progress"}, "note"),
        ("accepted", {"to": "completed"}, "outcome"),
        ("accepted", {"to": "failed"}, "note"),
        ("accepted", {"to": "completed", "outcome": {**OUTCOME, "survivor_name": "X"}}, "outcome"),
        ("accepted", {"to": "in_progress", "outcome": OUTCOME}, "outcome"),
    ],
)
async def test_moves_need_what_they_carry(
    client: AsyncClient, session: AsyncSession, current: str, body: dict[str, Any], parameter: str
) -> None:
    referral, etag, _, provider = await at_status(client, session, current)

    response = await move(client, provider, referral["id"], etag, body)

    assert response.status_code == 422, response.text
    assert parameter in response.text


async def test_if_match_is_required_and_must_be_current(
    client: AsyncClient, session: AsyncSession
) -> None:
    body, etag, _, provider = await at_status(client, session, "requested")
    url = f"/referrals/{body['id']}/transitions"

    missing = await client.post(url, json=payload("accepted"), headers=provider.headers)
    stale = await client.post(
        url, json=payload("accepted"), headers={**provider.headers, "If-Match": f'"{body["id"]}.0"'}
    )

    assert missing.status_code == 428
    assert stale.status_code == 412
    current = await client.get(f"/referrals/{body['id']}", headers=provider.headers)
    assert current.headers["etag"] == etag
    assert current.json()["status"] == "requested"


async def test_completion_records_the_outcome(client: AsyncClient, session: AsyncSession) -> None:
    body, _, _, _ = await at_status(client, session, "completed")

    assert body["outcome"]["services_delivered"] == OUTCOME["services_delivered"]
    assert body["outcome"]["free_of_cost_honoured"] is True
    assert body["provider_confirmed"] is True
    assert body["closed_at"] is not None


async def test_without_provider_users_the_referrer_records_the_outcome_unconfirmed(
    client: AsyncClient, session: AsyncSession
) -> None:
    referrer = await make_account(session, role="caseworker", organization="dhaka-ahsania-mission")
    queens = await service_id(session, "queens-hospital--health-support-referral")
    body, etag = await refer(client, referrer, queens)

    accepted = await move(client, referrer, body["id"], etag, payload("accepted"))
    completed = await move(
        client, referrer, body["id"], accepted.headers["etag"], payload("completed")
    )

    assert completed.status_code == 200, completed.text
    assert completed.json()["provider_confirmed"] is False


async def test_unanswered_referrals_expire(client: AsyncClient, session: AsyncSession) -> None:
    body, _, _, provider = await at_status(client, session, "requested")
    await session.execute(
        update(Referral)
        .where(Referral.id == uuid.UUID(body["id"]))
        .values(due_by=Referral.requested_at - timedelta(minutes=1))
    )

    assert await expire_unanswered(session) >= 1

    expired = (await client.get(f"/referrals/{body['id']}", headers=provider.headers)).json()
    assert expired["status"] == "cancelled"
    last = expired["events"][-1]
    assert (last["reason_code"], last["actor"]["role"]) == ("expired_no_response", "system")
