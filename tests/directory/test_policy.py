"""Who maintains which organization, as a table: the directory's policy alone, no HTTP, no
database."""

import uuid

import pytest

from app.auth.actor import Actor, Role
from app.auth.errors import Forbidden
from app.directory.models import Organization
from app.directory.policy import authorize, can_write_org

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
