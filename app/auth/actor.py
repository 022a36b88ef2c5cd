"""Who acts: the roles of the system, spelled once, and the signed-in user a request acts for."""

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """A user's role; a member compares equal to its stored string."""

    ADMIN = "admin"  # everything, every district
    DISTRICT_ADMIN = "district_admin"  # the organizations and users of their districts
    ORG_ADMIN = "org_admin"  # their own organization: its entries, users and referrals
    CASEWORKER = "caseworker"  # referrals of their organization


@dataclass(frozen=True)
class Actor:
    """The signed-in user a request acts for."""

    user_id: uuid.UUID
    email: str
    organization_id: uuid.UUID
    role: str
    districts: frozenset[str] = frozenset()


ROLES: tuple[str, ...] = tuple(Role)


@dataclass(frozen=True)
class Reach:
    """Which organizations' records an actor reaches, as a domain's policy decides: every
    organization, or their own organization and the organizations of some districts."""

    everything: bool = False
    organization_id: uuid.UUID | None = None
    districts: frozenset[str] = frozenset()


EVERYTHING = Reach(everything=True)
