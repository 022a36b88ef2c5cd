"""Retention: closed referrals are purged after the configured number of months."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.referrals.models import Referral, ReferralEvent


async def purge_closed(session: AsyncSession, *, months: int, now: datetime | None = None) -> int:
    """Blank the case reference and every free text (reason, notes, consent scope, outcome
    description, event notes) of referrals closed more than `months` ago. Status, dates, service,
    MoU, sex and age band stay: the reports count them. Returns how many were purged."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(days=round(months * 30.44))
    stmt = select(Referral.id).where(Referral.closed_at < cutoff, Referral.purged_at.is_(None))
    ids = list((await session.execute(stmt)).scalars())
    if not ids:
        return 0
    await session.execute(
        update(Referral)
        .where(Referral.id.in_(ids))
        .values(
            case_ref=None,
            reason=None,
            notes=None,
            consent_scope=None,
            outcome_services_delivered=None,
            purged_at=now,
        )
    )
    # the event log is append-only; this setting lets the purge, and only it, blank event notes
    await session.execute(text("SET LOCAL referral.purge = 'on'"))
    await session.execute(
        update(ReferralEvent)
        .where(ReferralEvent.referral_id.in_(ids), ReferralEvent.note.is_not(None))
        .values(note=None)
    )
    await session.execute(text("SET LOCAL referral.purge = 'off'"))
    return len(ids)
