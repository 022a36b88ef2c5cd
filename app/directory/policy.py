"""Who may maintain which records of the directory: the rules, apart from the queries that
apply them."""

import uuid
from datetime import date
from typing import Any

from app.auth.actor import EVERYTHING, Actor, Reach, Role
from app.directory.errors import NotModerator, NotYourEntry
from app.directory.models import Organization


def may_maintain(actor: Actor, *, district: str | None, organization_id: uuid.UUID | None) -> bool:
    """Admins anything; district admins their districts' organizations (not national bodies);
    organization admins their own organization; caseworkers nothing."""
    if actor.role == Role.ADMIN:
        return True
    if actor.role == Role.DISTRICT_ADMIN:
        return district is not None and district in actor.districts
    if actor.role == Role.ORG_ADMIN:
        return organization_id is not None and organization_id == actor.organization_id
    return False


def can_write_org(actor: Actor, org: Organization) -> bool:
    """Whether the actor maintains this organization (and its services, locations, phones...)."""
    return may_maintain(actor, district=org.district_pcode, organization_id=org.id)


def authorize(actor: Actor, org: Organization) -> None:
    """`Forbidden` unless the actor maintains this organization."""
    if not can_write_org(actor, org):
        raise NotYourEntry()


def may_create_org(actor: Actor, *, district: str | None) -> bool:
    """Admins add organizations anywhere (national ones too), district admins in their
    districts; organization admins and caseworkers add none."""
    if actor.role not in (Role.ADMIN, Role.DISTRICT_ADMIN):
        return False
    return may_maintain(actor, district=district, organization_id=None)


def may_move_org(actor: Actor, org: Organization, *, district: str | None) -> bool:
    """An organization moves only into a district the actor maintains too; an organization's
    own admin may not move it at all."""
    if actor.role == Role.ORG_ADMIN and district != org.district_pcode:
        return False
    return may_maintain(actor, district=district, organization_id=org.id)


def moderation_reach(actor: Actor) -> Reach:
    """Whose corrections an actor moderates: every district's for admins, their districts'
    for district admins; `NotModerator` for anyone else."""
    if actor.role == Role.ADMIN:
        return EVERYTHING
    if actor.role == Role.DISTRICT_ADMIN:
        return Reach(districts=actor.districts)
    raise NotModerator()


def may_moderate(actor: Actor, *, district: str | None) -> bool:
    """Whether the actor decides a correction of this district."""
    if actor.role == Role.ADMIN:
        return True
    return actor.role == Role.DISTRICT_ADMIN and district in actor.districts


def assurance_of(actor: Actor) -> dict[str, Any]:
    """Checked today by the actor: the email stays internal (history), the actor's organization
    is what public reads show (`assured_by`)."""
    return {
        "assured_date": date.today(),
        "assurer_email": actor.email,
        "assurer_organization_id": actor.organization_id,
    }
