"""Who may make which move of a referral, as a table: `check_move` alone, no HTTP, no database."""

import uuid

import pytest

from app.auth.actor import Actor, Role
from app.auth.errors import Forbidden
from app.core.errors import Conflict
from app.referrals.models import Referral
from app.referrals.policy import check_move, visible

REFERRER = uuid.uuid4()
PROVIDER = uuid.uuid4()
OTHER = uuid.uuid4()


def actor(role: Role, organization_id: uuid.UUID) -> Actor:
    return Actor(uuid.uuid4(), f"{role}@example.org", organization_id, role)


def referral(status: str) -> Referral:
    return Referral(
        status=status, referring_organization_id=REFERRER, provider_organization_id=PROVIDER
    )


MOVES = [
    # (who, organization, from, to, mover or the error)
    (Role.CASEWORKER, PROVIDER, "requested", "accepted", "provider"),
    (Role.ORG_ADMIN, PROVIDER, "in_progress", "completed", "provider"),
    (Role.CASEWORKER, REFERRER, "requested", "accepted", "referrer_for_provider"),
    (Role.CASEWORKER, OTHER, "requested", "accepted", Forbidden),
    (Role.ADMIN, OTHER, "requested", "accepted", Forbidden),
    (Role.DISTRICT_ADMIN, PROVIDER, "requested", "accepted", Forbidden),
    (Role.CASEWORKER, REFERRER, "draft", "requested", "referrer"),
    (Role.CASEWORKER, PROVIDER, "draft", "requested", Forbidden),
    (Role.CASEWORKER, REFERRER, "on_hold", "cancelled", "referrer"),
    (Role.CASEWORKER, PROVIDER, "accepted", "cancelled", Forbidden),
    (Role.CASEWORKER, PROVIDER, "requested", "completed", Conflict),
    (Role.CASEWORKER, PROVIDER, "completed", "in_progress", Conflict),
    (Role.ADMIN, OTHER, "completed", "entered_in_error", Conflict),
    (Role.ADMIN, OTHER, "accepted", "entered_in_error", "admin"),
    (Role.ORG_ADMIN, REFERRER, "accepted", "entered_in_error", Forbidden),
]


@pytest.mark.parametrize(("role", "org", "current", "to", "expected"), MOVES)
def test_who_makes_a_move(
    role: Role, org: uuid.UUID, current: str, to: str, expected: str | type[Exception]
) -> None:
    if isinstance(expected, str):
        assert check_move(actor(role, org), referral(current), to) == expected
    else:
        with pytest.raises(expected):
            check_move(actor(role, org), referral(current), to)


SEES = [
    (Role.ADMIN, OTHER, "draft", True),
    (Role.CASEWORKER, REFERRER, "draft", True),
    (Role.CASEWORKER, PROVIDER, "draft", False),
    (Role.CASEWORKER, PROVIDER, "requested", True),
    (Role.ORG_ADMIN, REFERRER, "completed", True),
    (Role.CASEWORKER, OTHER, "requested", False),
    (Role.DISTRICT_ADMIN, PROVIDER, "requested", False),
]


@pytest.mark.parametrize(("role", "org", "status", "sees"), SEES)
def test_who_sees_a_referral(role: Role, org: uuid.UUID, status: str, sees: bool) -> None:
    assert visible(actor(role, org), referral(status)) is sees
