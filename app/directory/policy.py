"""Who may maintain which records of the directory: the rules, apart from the queries that apply them."""

import uuid
from datetime import date
from typing import Any

from app.auth.actor import Actor, Role
from app.auth.errors import Forbidden
from app.directory.models import Organization


def forbidden() -> Forbidden:
    return Forbidden(
        "Your role does not allow changing this entry.",
        "আপনার ভূমিকায় এই তথ্য পরিবর্তনের অনুমতি নেই।",
    )


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
        raise forbidden()


def assurance_of(actor: Actor) -> dict[str, Any]:
    """Checked today by the actor: the email stays internal (history), the actor's organization
    is what public reads show (`assured_by`)."""
    return {
        "assured_date": date.today(),
        "assurer_email": actor.email,
        "assurer_organization_id": actor.organization_id,
    }
