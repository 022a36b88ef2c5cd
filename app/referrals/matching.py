"""Matching a referral to the MoU that covers it, and the quotas of that MoU's terms."""

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.directory.models import Attribute, Service, TaxonomyTerm
from app.referrals.models import Mou, MouService, Referral


def _period_start(period: str, today: date) -> date:
    if period == "month":
        return today.replace(day=1)
    if period == "quarter":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    return today.replace(month=1, day=1)


async def _match_mou(
    session: AsyncSession,
    *,
    referring: uuid.UUID,
    service: Service,
    categories: list[str],
    today: date,
) -> tuple[MouService | None, str]:
    """The covering MoU term for this service today: a term naming the service beats one naming
    only its category. Returns (term, match) with match covered | quota_used_up | no_mou."""
    stmt = (
        select(MouService)
        .join(Mou, Mou.id == MouService.mou_id)
        .where(
            Mou.referring_organization_id == referring,
            Mou.provider_organization_id == service.organization_id,
            Mou.status == "active",
            Mou.valid_from <= today,
            or_(Mou.valid_to.is_(None), Mou.valid_to >= today),
            or_(
                MouService.service_id == service.id,
                and_(MouService.service_id.is_(None), MouService.category.in_(categories)),
            ),
        )
        .order_by(MouService.service_id.is_(None), Mou.valid_from.desc(), MouService.id)
        # referrals counted against the same terms queue here, so that a quota is never exceeded
        .with_for_update(of=MouService)
    )
    terms = list((await session.execute(stmt)).scalars())
    if not terms:
        return None, "no_mou"
    for term in terms:
        used = await quota_used(session, term, today)
        if used is None or term.quota is None or used < term.quota:
            return term, "covered"
    return None, "quota_used_up"


async def quota_used(session: AsyncSession, term: MouService, today: date) -> int | None:
    """Referrals counted against a term's quota in its current period (None without a quota)."""
    if term.quota_period is None:
        return None
    start = datetime.combine(_period_start(term.quota_period, today), datetime.min.time(), UTC)
    used: int | None = await session.scalar(
        select(func.count())
        .select_from(Referral)
        .where(
            Referral.mou_service_id == term.id,
            Referral.status.not_in(("draft", "entered_in_error")),
            Referral.requested_at >= start,
        )
    )
    return used


async def _service_categories(session: AsyncSession, service_id: uuid.UUID) -> list[str]:
    stmt = (
        select(TaxonomyTerm.code)
        .join(Attribute, Attribute.taxonomy_term_id == TaxonomyTerm.id)
        .where(Attribute.link_id == service_id)
        .order_by(TaxonomyTerm.code)
    )
    return list((await session.execute(stmt)).scalars())


async def apply_match(
    session: AsyncSession, referral: Referral, *, today: date, service: Service | None = None
) -> MouService | None:
    """Set the referral's MoU, term, category and match from the terms covering it today."""
    service = service or await session.get(Service, referral.service_id)
    assert service is not None
    categories = await _service_categories(session, service.id)
    term, match = await _match_mou(
        session,
        referring=referral.referring_organization_id,
        service=service,
        categories=categories,
        today=today,
    )
    referral.category = term.category if term else (categories[0] if categories else None)
    referral.mou_id = term.mou_id if term else None
    referral.mou_service_id = term.id if term else None
    referral.outside_mou = term is None
    referral.mou_match = match
    return term


def start_clock(referral: Referral, term: MouService | None, now: datetime) -> None:
    hours = (
        term.response_sla_hours
        if term and term.response_sla_hours
        else get_settings().referral_default_sla_hours
    )
    referral.requested_at = now
    referral.due_by = now + timedelta(hours=hours)
