"""Who may do what with MoUs and referrals: the rules, apart from the queries that apply them."""

import uuid
from typing import Literal

from app.auth.actor import EVERYTHING, Actor, Reach, Role
from app.referrals.errors import (
    AdminsOnlyMarkErrors,
    NoReports,
    NoSuchMove,
    NotAParty,
    NotAReader,
    ProvidersMove,
    ReferralClosed,
    ReferrersMove,
)
from app.referrals.models import Mou, Referral

PARTY_ROLES = (Role.CASEWORKER, Role.ORG_ADMIN)
TERMINAL = frozenset({"completed", "failed", "cancelled", "rejected", "entered_in_error"})
OPEN_AFTER_ACCEPTANCE = ("accepted", "in_progress", "on_hold")
# (from, to) -> the side that may make the move
MOVES: dict[tuple[str, str], str] = {
    ("draft", "requested"): "referrer",
    ("requested", "accepted"): "provider",
    ("requested", "rejected"): "provider",
    ("accepted", "in_progress"): "provider",
    ("accepted", "completed"): "provider",
    ("accepted", "failed"): "provider",
    ("in_progress", "on_hold"): "provider",
    ("on_hold", "in_progress"): "provider",
    ("in_progress", "completed"): "provider",
    ("in_progress", "failed"): "provider",
    ("on_hold", "completed"): "provider",
    ("on_hold", "failed"): "provider",
    **{(status, "cancelled"): "referrer" for status in ("requested", *OPEN_AFTER_ACCEPTANCE)},
}
NEEDS_REASON = {"on_hold", "cancelled", "failed"}


def may_read_mou(actor: Actor, mou: Mou) -> bool:
    return actor.role == Role.ADMIN or actor.organization_id in (
        mou.referring_organization_id,
        mou.provider_organization_id,
    )


def may_manage_mou(
    actor: Actor, parties: tuple[uuid.UUID, uuid.UUID], districts: set[str | None]
) -> bool:
    """Who signs an MoU in or changes it: an admin; an organization admin of either party; a
    district admin of a district either party is in (`districts`)."""
    if actor.role == Role.ADMIN:
        return True
    if actor.role == Role.ORG_ADMIN:
        return actor.organization_id in parties
    if actor.role == Role.DISTRICT_ADMIN:
        return bool(districts & actor.districts)
    return False


def mou_reach(actor: Actor) -> Reach:
    """Whose MoUs an actor lists: every one for admins; their organization's, and for district
    admins those of their districts' organizations too."""
    if actor.role == Role.ADMIN:
        return EVERYTHING
    if actor.role == Role.DISTRICT_ADMIN:
        return Reach(organization_id=actor.organization_id, districts=actor.districts)
    return Reach(organization_id=actor.organization_id)


def report_reach(actor: Actor) -> tuple[Reach, bool]:
    """Whose referrals an actor counts, and whether cells small enough to point at a survivor
    are hidden from them: caseworkers and organization admins count their organization's in
    full; district admins their districts', admins everything, both with small cells hidden."""
    if actor.role in PARTY_ROLES:
        return Reach(organization_id=actor.organization_id), False
    if actor.role == Role.DISTRICT_ADMIN:
        return Reach(districts=actor.districts), True
    if actor.role == Role.ADMIN:
        return EVERYTHING, True
    raise NoReports()


ListsAs = Literal["admin", "party"]


def lists_referrals_as(actor: Actor) -> ListsAs:
    """Admins list every referral; caseworkers and organization admins their organization's
    (without the other side's drafts); nobody else lists referrals."""
    if actor.role == Role.ADMIN:
        return "admin"
    if actor.role in PARTY_ROLES:
        return "party"
    raise NotAReader()


def notifier_of(actor: Actor) -> uuid.UUID | None:
    """The organization a move comes from, which is not notified of its own move; none when an
    admin moves a referral, so both sides hear of it."""
    return None if actor.role == Role.ADMIN else actor.organization_id


def may_set_webhooks(actor: Actor) -> bool:
    """A webhook URL decides where the server sends requests: platform admins only."""
    return actor.role == Role.ADMIN


def require_party_role(actor: Actor) -> None:
    if actor.role not in PARTY_ROLES:
        raise NotAParty()


def _party(actor: Actor, referral: Referral) -> bool:
    return actor.organization_id in (
        referral.referring_organization_id,
        referral.provider_organization_id,
    )


def visible(actor: Actor, referral: Referral) -> bool:
    """Admins see every referral; its two organizations see it, but a draft is the referring
    organization's alone until it is requested."""
    if actor.role == Role.ADMIN:
        return True
    if referral.status == "draft":
        return (
            actor.role in PARTY_ROLES
            and actor.organization_id == referral.referring_organization_id
        )
    return actor.role in PARTY_ROLES and _party(actor, referral)


# who makes a move: "referrer_for_provider" is the referrer recording a provider's move, allowed
# only while the provider has nobody on the system (the caller checks that)
Mover = Literal["admin", "provider", "referrer", "referrer_for_provider"]


def check_move(actor: Actor, referral: Referral, to: str) -> Mover:
    """Who makes the move of `referral` to status `to`, or the error that says why `actor` may
    not: a closed referral stays closed, a move must exist, each side makes its own moves, and
    only admins mark a referral as entered in error."""
    current = referral.status
    if current in TERMINAL:
        raise ReferralClosed(status=current)
    if to == "entered_in_error":
        if actor.role != Role.ADMIN:
            raise AdminsOnlyMarkErrors()
        return "admin"
    side = MOVES.get((current, to))
    if side is None:
        raise NoSuchMove(current=current, to=to)
    party = actor.role in PARTY_ROLES
    on_referrer = party and actor.organization_id == referral.referring_organization_id
    on_provider = party and actor.organization_id == referral.provider_organization_id
    if side == "referrer":
        if not on_referrer:
            raise ReferrersMove()
        return "referrer"
    if on_provider:
        return "provider"
    if on_referrer:
        return "referrer_for_provider"
    raise ProvidersMove()
