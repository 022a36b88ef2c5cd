"""A referral's lifecycle: making a move (the rules of who may are in `policy`), and the clock that
cancels the unanswered ones."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.actor import Actor
from app.auth.models import User
from app.core.conditional import if_match_allows
from app.referrals import notifications
from app.referrals.errors import (
    CompletionNeedsOutcome,
    IfMatchRequired,
    MoveNeedsReason,
    OutcomeBeforeReferral,
    OutcomeOnlyOnCompletion,
    ProvidersMove,
    ReferralChanged,
    RejectionNeedsReason,
    ResumeNeedsReason,
)
from app.referrals.matching import apply_match, start_clock
from app.referrals.models import Referral
from app.referrals.policy import NEEDS_REASON, TERMINAL, check_move, notifier_of
from app.referrals.referrals import event, get_referral
from app.referrals.schemas import Transition


def etag(referral: Referral) -> str:
    """The entity tag of the referral's current version."""
    return f'"{referral.id}.{referral.version}"'


async def _provider_has_users(session: AsyncSession, provider: uuid.UUID) -> bool:
    stmt = select(User.id).where(User.organization_id == provider, User.active.is_(True)).limit(1)
    return (await session.execute(stmt)).first() is not None


async def transition(
    session: AsyncSession,
    actor: Actor,
    *,
    referral: Referral,
    move: Transition,
    if_match: str | None,
) -> Referral:
    """Move a referral (read with its row locked) to another status, if the version matches,
    the move exists, the caller is on the side that makes it, and the move carries what it
    needs."""
    if not if_match:
        raise IfMatchRequired()
    if not if_match_allows(if_match, etag(referral)):
        raise ReferralChanged()
    current, target = referral.status, move.to
    mover = check_move(actor, referral, target)
    # a provider with nobody on the system cannot answer: the referrer records it instead
    if mover == "referrer_for_provider" and await _provider_has_users(
        session, referral.provider_organization_id
    ):
        raise ProvidersMove()
    provider_confirmed = {"provider": True, "referrer_for_provider": False}.get(mover)
    _check_payload(current, move)
    now = datetime.now(UTC)
    referral.status = target
    referral.version += 1
    if target == "requested":
        # a draft counts against a quota only from now on: match it again, under the terms' lock
        term = await apply_match(session, referral, today=now.date())
        start_clock(referral, term, now)
    if target == "accepted":
        referral.accepted_at = now
    if target in TERMINAL:
        referral.closed_at = now
    if provider_confirmed is not None and target in ("completed", "failed", "accepted", "rejected"):
        referral.provider_confirmed = provider_confirmed
    if target == "completed" and move.outcome is not None:
        if move.outcome.completed_on < referral.created_at.date() - timedelta(days=1):
            raise OutcomeBeforeReferral()
        referral.outcome_services_delivered = move.outcome.services_delivered
        referral.outcome_completed_on = move.outcome.completed_on
        referral.outcome_free_of_cost_honoured = move.outcome.free_of_cost_honoured
        referral.outcome_amount_charged = move.outcome.amount_charged
    session.add(
        event(
            referral.id,
            from_status=current,
            to_status=target,
            actor=actor,
            reason_code=move.reason_code,
            note=move.note,
        )
    )
    await notifications.enqueue(session, referral, target, by_organization=notifier_of(actor))
    await session.flush()
    return await get_referral(session, actor, referral.id)


def _check_payload(current: str, move: Transition) -> None:
    if move.to == "rejected" and (
        move.reason_code is None or move.reason_code == "expired_no_response"
    ):
        raise RejectionNeedsReason()
    if move.to in NEEDS_REASON | {"entered_in_error"} and not (move.note or move.reason_code):
        raise MoveNeedsReason(to=move.to)
    if move.to == "in_progress" and current == "on_hold" and not (move.note or move.reason_code):
        raise ResumeNeedsReason()
    if move.to == "completed" and move.outcome is None:
        raise CompletionNeedsOutcome()
    if move.to != "completed" and move.outcome is not None:
        raise OutcomeOnlyOnCompletion()


async def expire_unanswered(session: AsyncSession, now: datetime | None = None) -> int:
    """Cancel requested referrals whose `due_by` passed with no answer (reason
    `expired_no_response`); returns how many."""
    now = now or datetime.now(UTC)
    stmt = (
        select(Referral)
        .where(Referral.status == "requested", Referral.due_by < now)
        .with_for_update(skip_locked=True)
    )
    referrals = list((await session.execute(stmt)).scalars())
    for referral in referrals:
        referral.status = "cancelled"
        referral.version += 1
        referral.closed_at = now
        session.add(
            event(
                referral.id,
                from_status="requested",
                to_status="cancelled",
                actor=None,
                reason_code="expired_no_response",
                note="no answer by the due time",
            )
        )
        await notifications.enqueue(session, referral, "cancelled", by_organization=None)
    await session.flush()
    return len(referrals)
