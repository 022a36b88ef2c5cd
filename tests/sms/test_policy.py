"""Who reads the SMS report, as a table: the policy alone, no HTTP, no database."""

import uuid

import pytest

from app.auth.actor import EVERYTHING, Actor, Reach, Role
from app.sms.policy import sms_report_reach


@pytest.mark.parametrize(
    ("role", "districts", "reach"),
    [
        (Role.ADMIN, frozenset(), EVERYTHING),
        (Role.DISTRICT_ADMIN, frozenset({"BD4041"}), Reach(districts=frozenset({"BD4041"}))),
        (Role.ORG_ADMIN, frozenset(), None),
        (Role.CASEWORKER, frozenset(), None),
    ],
)
def test_who_reads_the_sms_report(
    role: Role, districts: frozenset[str], reach: Reach | None
) -> None:
    actor = Actor(uuid.uuid4(), "someone@example.org", uuid.uuid4(), role, districts)

    assert sms_report_reach(actor) == reach
