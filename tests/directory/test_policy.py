"""Who maintains which organization, as a table: the directory's policy alone, no HTTP, no
database."""

import uuid

import pytest

from app.auth.actor import EVERYTHING, Actor, Reach, Role
from app.auth.errors import Forbidden
from app.directory.errors import NotModerator
from app.directory.models import Organization
from app.directory.policy import (
    authorize,
    can_write_org,
    may_create_org,
    may_moderate,
    may_move_org,
    moderation_reach,
)

OWN = uuid.uuid4()
JASHORE, SATKHIRA = "BD4041", "BD4087"


def actor(role: Role, *districts: str) -> Actor:
    return Actor(uuid.uuid4(), f"{role}@example.org", OWN, role, frozenset(districts))


def organization(*, own: bool, district: str | None) -> Organization:
    return Organization(id=OWN if own else uuid.uuid4(), district_pcode=district)


TABLE = [
    # (actor, organization, may write)
    (actor(Role.ADMIN), organization(own=False, district=None), True),
    (actor(Role.DISTRICT_ADMIN, JASHORE), organization(own=False, district=JASHORE), True),
    (actor(Role.DISTRICT_ADMIN, JASHORE), organization(own=False, district=SATKHIRA), False),
    # a national body (no home district) is the admins' alone
    (actor(Role.DISTRICT_ADMIN, JASHORE), organization(own=False, district=None), False),
    (actor(Role.ORG_ADMIN), organization(own=True, district=JASHORE), True),
    (actor(Role.ORG_ADMIN), organization(own=False, district=JASHORE), False),
    (actor(Role.CASEWORKER), organization(own=True, district=JASHORE), False),
]


@pytest.mark.parametrize(("who", "org", "may"), TABLE)
def test_who_writes_an_organization(who: Actor, org: Organization, may: bool) -> None:
    assert can_write_org(who, org) is may
    if may:
        authorize(who, org)
    else:
        with pytest.raises(Forbidden):
            authorize(who, org)


CREATES = [
    # (actor, district of the new organization, may create)
    (actor(Role.ADMIN), None, True),
    (actor(Role.DISTRICT_ADMIN, JASHORE), JASHORE, True),
    (actor(Role.DISTRICT_ADMIN, JASHORE), SATKHIRA, False),
    (actor(Role.DISTRICT_ADMIN, JASHORE), None, False),
    (actor(Role.ORG_ADMIN), JASHORE, False),
    (actor(Role.CASEWORKER), JASHORE, False),
]


@pytest.mark.parametrize(("who", "district", "may"), CREATES)
def test_who_adds_an_organization(who: Actor, district: str | None, may: bool) -> None:
    assert may_create_org(who, district=district) is may


MOVES = [
    # (actor, organization, district it would move to, may move it)
    (actor(Role.ADMIN), organization(own=False, district=JASHORE), SATKHIRA, True),
    (actor(Role.DISTRICT_ADMIN, JASHORE, SATKHIRA), organization(own=False, district=JASHORE),
     SATKHIRA, True),
    (actor(Role.DISTRICT_ADMIN, JASHORE), organization(own=False, district=JASHORE), SATKHIRA,
     False),
    # an organization's own admin edits it but does not move it
    (actor(Role.ORG_ADMIN), organization(own=True, district=JASHORE), SATKHIRA, False),
    (actor(Role.ORG_ADMIN), organization(own=True, district=JASHORE), JASHORE, True),
]  # fmt: skip


@pytest.mark.parametrize(("who", "org", "district", "may"), MOVES)
def test_who_moves_an_organization(who: Actor, org: Organization, district: str, may: bool) -> None:
    assert may_move_org(who, org, district=district) is may


MODERATES = [
    # (actor, district of the correction, reach of the queue or None for NotModerator, decides)
    (actor(Role.ADMIN), SATKHIRA, EVERYTHING, True),
    (actor(Role.DISTRICT_ADMIN, JASHORE), JASHORE, Reach(districts=frozenset({JASHORE})), True),
    (actor(Role.DISTRICT_ADMIN, JASHORE), SATKHIRA, Reach(districts=frozenset({JASHORE})), False),
    (actor(Role.ORG_ADMIN), JASHORE, None, False),
    (actor(Role.CASEWORKER), JASHORE, None, False),
]


@pytest.mark.parametrize(("who", "district", "reach", "decides"), MODERATES)
def test_who_moderates_corrections(
    who: Actor, district: str, reach: Reach | None, decides: bool
) -> None:
    assert may_moderate(who, district=district) is decides
    if reach is None:
        with pytest.raises(NotModerator):
            moderation_reach(who)
    else:
        assert moderation_reach(who) == reach
