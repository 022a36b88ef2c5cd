"""Issuing, reading and listing referrals."""

import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.audit.context import touch
from app.auth.actor import Actor
from app.core.config import get_settings
from app.core.pagination import fetch_page
from app.directory.models import Organization, Service
from app.referrals import notifications
from app.referrals.errors import (
    CaseRefNeedsDigit,
    CaseRefPattern,
    IdempotencyKeyReused,
    NoActiveService,
    OwnService,
    PreviousStillOpen,
    ReferralNotFound,
)
from app.referrals.matching import apply_match, start_clock
from app.referrals.models import IdempotencyKey, Referral, ReferralEvent
from app.referrals.policy import (
    OPEN_AFTER_ACCEPTANCE,
    TERMINAL,
    lists_referrals_as,
    require_party_role,
    visible,
)
from app.referrals.schemas import ReferralCreate


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """SQL for `is_overdue`: no answer by `due_by`, or no outcome some days after acceptance."""
    outcome_due = now - timedelta(days=get_settings().referral_outcome_days)
    return or_(
        and_(Referral.status == "requested", Referral.due_by < now),
        and_(Referral.status.in_(OPEN_AFTER_ACCEPTANCE), Referral.accepted_at < outcome_due),
    )


def _request_hash(data: ReferralCreate) -> str:
    return hashlib.sha256(
        json.dumps(data.model_dump(mode="json"), sort_keys=True).encode()
    ).hexdigest()


async def _check_case_ref(session: AsyncSession, organization_id: uuid.UUID, case_ref: str) -> None:
    """A case reference follows the organization's pattern or, without one, holds a digit: a
    name ("Rina.Begum") is refused either way."""
    pattern = await session.scalar(
        select(Organization.case_ref_pattern).where(Organization.id == organization_id)
    )
    if pattern is None:
        if not any(char.isdigit() for char in case_ref):
            raise CaseRefNeedsDigit()
        return
    # matched by PostgreSQL, whose regular expressions cannot backtrack without bound
    matches = await session.scalar(
        text("SELECT :ref ~ ('^(?:' || :pattern || ')$')"), {"ref": case_ref, "pattern": pattern}
    )
    if not matches:
        raise CaseRefPattern(pattern=pattern)


async def create_referral(
    session: AsyncSession, actor: Actor, data: ReferralCreate, *, idempotency_key: str | None
) -> tuple[Referral, bool]:
    """A referral from the caller's organization to the service's provider, matched to the MoU
    that covers it; returns it and whether it was created now (False for a repeated key)."""
    require_party_role(actor)
    digest = _request_hash(data)
    if idempotency_key:
        # concurrent retries with one key queue here until the first commits, then find its key
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"idempotency:{actor.organization_id}:{idempotency_key}"},
        )
        seen = await session.get(IdempotencyKey, (actor.organization_id, idempotency_key))
        if seen is not None:
            if seen.request_hash != digest:
                raise IdempotencyKeyReused()
            return await get_referral(session, actor, seen.referral_id), False
    await _check_case_ref(session, actor.organization_id, data.case_ref)
    service = await session.get(Service, data.service_id)
    if service is None or service.status != "active":
        raise NoActiveService()
    if service.organization_id == actor.organization_id:
        raise OwnService()
    if data.previous_referral_id is not None:
        previous = await get_referral(session, actor, data.previous_referral_id)
        if previous.status not in TERMINAL:
            raise PreviousStillOpen()
    now = datetime.now(UTC)
    referral = Referral(
        id=uuid.uuid4(),
        case_ref=data.case_ref,
        client_sex=data.client.sex,
        client_age_band=data.client.age_band,
        referring_organization_id=actor.organization_id,
        provider_organization_id=service.organization_id,
        service_id=service.id,
        reason=data.reason,
        priority=data.priority,
        consent_given=data.consent.given,
        consent_obtained_at=data.consent.obtained_at,
        consent_scope=data.consent.scope,
        notes=data.notes,
        status="draft" if data.draft else "requested",
        previous_referral_id=data.previous_referral_id,
        created_by=actor.user_id,
    )
    term = await apply_match(session, referral, today=now.date(), service=service)
    if referral.status == "requested":
        start_clock(referral, term, now)
    session.add(referral)
    await session.flush()
    session.add(event(referral.id, from_status=None, to_status=referral.status, actor=actor))
    if referral.status == "requested":
        await notifications.enqueue(
            session, referral, "requested", by_organization=actor.organization_id
        )
    if idempotency_key:
        session.add(
            IdempotencyKey(
                organization_id=actor.organization_id,
                key=idempotency_key,
                request_hash=digest,
                referral_id=referral.id,
            )
        )
    await session.flush()
    return await get_referral(session, actor, referral.id), True


def event(
    referral_id: uuid.UUID,
    *,
    from_status: str | None,
    to_status: str,
    actor: Actor | None,
    reason_code: str | None = None,
    note: str | None = None,
) -> ReferralEvent:
    """One entry of a referral's history (`actor` None: the system, e.g. expiry)."""
    return ReferralEvent(
        referral_id=referral_id,
        from_status=from_status,
        to_status=to_status,
        reason_code=reason_code,
        note=note,
        actor_user_id=actor.user_id if actor else None,
        actor_organization_id=actor.organization_id if actor else None,
        actor_role=actor.role if actor else "system",
    )


async def get_referral(
    session: AsyncSession, actor: Actor, referral_id: uuid.UUID, *, lock: bool = False
) -> Referral:
    """A referral the caller's organization sent or received (admins: any); 404 otherwise."""
    stmt: Select[tuple[Referral]] = (
        select(Referral).where(Referral.id == referral_id).options(selectinload(Referral.events))
    )
    if lock:
        stmt = stmt.with_for_update(of=Referral)
    referral = (
        await session.execute(stmt.execution_options(populate_existing=True))
    ).scalar_one_or_none()
    if referral is None or not visible(actor, referral):
        raise ReferralNotFound(referral_id=referral_id)
    touch(referral.id)
    return referral


def is_overdue(referral: Referral, now: datetime | None = None) -> bool:
    """No answer by `due_by`, or no outcome some days after acceptance."""
    now = now or datetime.now(UTC)
    if referral.status == "requested" and referral.due_by is not None:
        return referral.due_by < now
    if referral.status in OPEN_AFTER_ACCEPTANCE and referral.accepted_at is not None:
        return referral.accepted_at + timedelta(days=get_settings().referral_outcome_days) < now
    return False


async def list_referrals(
    session: AsyncSession,
    actor: Actor,
    *,
    direction: str | None,
    status: str | None,
    mou_id: uuid.UUID | None,
    overdue: bool | None,
    since: datetime | None,
    until: datetime | None,
    page: int,
    per_page: int,
) -> tuple[list[Referral], int]:
    """What the caller's organization sent (outgoing) or received (incoming), newest first."""
    lists_as = lists_referrals_as(actor)
    conditions: list[Any] = []
    if lists_as == "party" or direction:
        sent = Referral.referring_organization_id == actor.organization_id
        received = Referral.provider_organization_id == actor.organization_id
        conditions.append(
            {"outgoing": sent, "incoming": received}.get(direction or "", or_(sent, received))
        )
        if lists_as == "party":
            conditions.append(or_(Referral.status != "draft", sent))
    if status:
        conditions.append(Referral.status == status)
    if mou_id:
        conditions.append(Referral.mou_id == mou_id)
    if since:
        conditions.append(Referral.created_at >= since)
    if until:
        conditions.append(Referral.created_at < until)
    if overdue is not None:
        late = overdue_condition(datetime.now(UTC))
        conditions.append(late if overdue else ~late)
    query = select(Referral).where(*conditions).order_by(Referral.created_at.desc(), Referral.id)
    referrals, total = await fetch_page(session, query, page=page, per_page=per_page)
    touch(*(r.id for r in referrals))
    return referrals, total
