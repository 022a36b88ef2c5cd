"""Who may make which move of a referral, as a table: `check_move` alone, no HTTP, no database."""

import uuid

import pytest

from app.auth.actor import EVERYTHING, Actor, Reach, Role
from app.auth.errors import Forbidden
from app.core.errors import Conflict
from app.referrals.errors import NotAReader
from app.referrals.models import Referral
from app.referrals.policy import (
    check_move,
    lists_referrals_as,
    may_manage_mou,
    may_set_webhooks,
    mou_reach,
    notifier_of,
    report_reach,
    visible,
)

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


def districts_admin(*districts: str) -> Actor:
    return Actor(
        uuid.uuid4(), "district@example.org", OTHER, Role.DISTRICT_ADMIN, frozenset(districts)
    )


JASHORE, SATKHIRA = "BD4041", "BD4087"
MOU_MANAGERS = [
    # (actor, districts of the two parties, may sign in or change the MoU)
    (actor(Role.ADMIN, OTHER), {None}, True),
    (actor(Role.ORG_ADMIN, PROVIDER), {JASHORE}, True),
    (actor(Role.ORG_ADMIN, OTHER), {JASHORE}, False),
    (actor(Role.CASEWORKER, REFERRER), {JASHORE}, False),
    (districts_admin(JASHORE), {JASHORE, SATKHIRA}, True),
    (districts_admin(JASHORE), {SATKHIRA, None}, False),
]


@pytest.mark.parametrize(("who", "districts", "may"), MOU_MANAGERS)
def test_who_manages_an_mou(who: Actor, districts: set[str | None], may: bool) -> None:
    assert may_manage_mou(who, (REFERRER, PROVIDER), districts) is may


REACHES = [
    # (actor, MoUs listed, reports counted, small cells hidden in reports, lists referrals as)
    (actor(Role.ADMIN, OTHER), EVERYTHING, EVERYTHING, True, "admin"),
    (districts_admin(JASHORE), Reach(organization_id=OTHER, districts=frozenset({JASHORE})),
     Reach(districts=frozenset({JASHORE})), True, NotAReader),
    (actor(Role.ORG_ADMIN, PROVIDER), Reach(organization_id=PROVIDER),
     Reach(organization_id=PROVIDER), False, "party"),
    (actor(Role.CASEWORKER, REFERRER), Reach(organization_id=REFERRER),
     Reach(organization_id=REFERRER), False, "party"),
]  # fmt: skip


@pytest.mark.parametrize(("who", "mous", "reports", "hidden", "lists_as"), REACHES)
def test_what_each_role_reaches(
    who: Actor, mous: Reach, reports: Reach, hidden: bool, lists_as: str | type[Exception]
) -> None:
    assert mou_reach(who) == mous
    assert report_reach(who) == (reports, hidden)
    if isinstance(lists_as, str):
        assert lists_referrals_as(who) == lists_as
    else:
        with pytest.raises(lists_as):
            lists_referrals_as(who)


def test_an_admins_move_notifies_both_sides_and_only_admins_set_webhooks() -> None:
    admin, caseworker = actor(Role.ADMIN, OTHER), actor(Role.CASEWORKER, PROVIDER)
    assert notifier_of(admin) is None
    assert notifier_of(caseworker) == PROVIDER
    assert may_set_webhooks(admin)
    assert not may_set_webhooks(caseworker)
    assert not may_set_webhooks(districts_admin(JASHORE))
