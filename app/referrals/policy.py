"""Who may do what with MoUs and referrals: the rules, apart from the queries that apply them."""

from typing import Literal

from app.auth.actor import Actor, Role
from app.auth.errors import Forbidden
from app.core.errors import Conflict
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


def require_party_role(actor: Actor) -> None:
    if actor.role not in PARTY_ROLES:
        raise Forbidden("Referrals are made by the caseworkers of the referring organization.",
                        "রেফারেল করেন রেফারকারী সংস্থার কেসওয়ার্কাররা।")  # fmt: skip


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


def providers_move() -> Forbidden:
    return Forbidden("This move is the provider's to make.", "এই পরিবর্তন প্রদানকারীর করার কথা।")


def check_move(actor: Actor, referral: Referral, to: str) -> Mover:
    """Who makes the move of `referral` to status `to`, or the error that says why `actor` may
    not: a closed referral stays closed, a move must exist, each side makes its own moves, and
    only admins mark a referral as entered in error."""
    current = referral.status
    if current in TERMINAL:
        raise Conflict(f"A {current} referral is closed; make a follow-up referral instead.",
                       "বন্ধ রেফারেল আর খোলা যায় না; নতুন ফলো-আপ রেফারেল করুন।")  # fmt: skip
    if to == "entered_in_error":
        if actor.role != Role.ADMIN:
            raise Forbidden("Only admins mark a referral as entered in error.",
                            "শুধু অ্যাডমিন ভুল এন্ট্রি চিহ্নিত করেন।")  # fmt: skip
        return "admin"
    side = MOVES.get((current, to))
    if side is None:
        raise Conflict(f"A referral cannot move from {current} to {to}.",
                       f"রেফারেল {current} থেকে {to} এ যেতে পারে না।")  # fmt: skip
    party = actor.role in PARTY_ROLES
    on_referrer = party and actor.organization_id == referral.referring_organization_id
    on_provider = party and actor.organization_id == referral.provider_organization_id
    if side == "referrer":
        if not on_referrer:
            raise Forbidden("This move is the referring organization's to make.",
                            "এই পরিবর্তন রেফারকারী সংস্থার করার কথা।")  # fmt: skip
        return "referrer"
    if on_provider:
        return "provider"
    if on_referrer:
        return "referrer_for_provider"
    raise providers_move()
