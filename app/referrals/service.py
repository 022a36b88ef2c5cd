"""MoUs and referrals: matching a referral to its MoU, the lifecycle rules, and who sees what."""

import hashlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.audit.context import Actor, touch
from app.auth.errors import Forbidden
from app.auth.models import User
from app.core.config import get_settings
from app.core.errors import AppError, Conflict, InvalidField, NotFound
from app.directory.models import Attribute, Organization, Service, TaxonomyTerm
from app.referrals import notifications
from app.referrals.models import IdempotencyKey, Mou, MouService, Referral, ReferralEvent
from app.referrals.schemas import MouCreate, MouUpdate, ReferralCreate, Transition

PARTY_ROLES = ("caseworker", "org_admin")
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


class PreconditionRequired(AppError):
    status = 428
    code = "precondition-required"


class PreconditionFailed(AppError):
    status = 412
    code = "precondition-failed"


class InvalidReferral(InvalidField):
    code = "invalid-referral"


def _not_found(kind: str, record_id: uuid.UUID) -> NotFound:
    return NotFound(f"No {kind} with id {record_id}.", f"{record_id} আইডির কোনো {kind} নেই।")


# MoUs -------------------------------------------------------------------------------------------


async def _districts_of(session: AsyncSession, *org_ids: uuid.UUID) -> set[str | None]:
    rows = await session.execute(
        select(Organization.district_pcode).where(Organization.id.in_(org_ids))
    )
    return set(rows.scalars())


async def _may_manage_mou(
    session: AsyncSession, actor: Actor, referring: uuid.UUID, provider: uuid.UUID
) -> bool:
    if actor.role == "admin":
        return True
    if actor.role == "org_admin":
        return actor.organization_id in (referring, provider)
    if actor.role == "district_admin":
        return bool((await _districts_of(session, referring, provider)) & actor.districts)
    return False


def _may_read_mou(actor: Actor, mou: Mou) -> bool:
    return actor.role == "admin" or actor.organization_id in (
        mou.referring_organization_id,
        mou.provider_organization_id,
    )


def effective_status(mou: Mou, today: date | None = None) -> str:
    """An active MoU past its `valid_to` is expired, whether or not the nightly job ran yet."""
    today = today or date.today()
    if mou.status == "active" and mou.valid_to is not None and mou.valid_to < today:
        return "expired"
    return mou.status


async def _check_services(session: AsyncSession, provider: uuid.UUID, services: list[Any]) -> None:
    codes = set((await session.execute(select(TaxonomyTerm.code))).scalars())
    for i, item in enumerate(services):
        if item.category not in codes:
            raise InvalidReferral(
                f"services.{i}.category", f"unknown category {item.category!r}", "অজানা সেবার ধরন"
            )
        if item.service_id is not None:
            service = await session.get(Service, item.service_id)
            if service is None or service.organization_id != provider:
                raise InvalidReferral(f"services.{i}.service_id", "not a service of the provider organization",
                                      "সেবাটি প্রদানকারী সংস্থার নয়")  # fmt: skip


async def get_mou(session: AsyncSession, actor: Actor, mou_id: uuid.UUID) -> Mou:
    """One MoU its parties (and district admins, admins) may read; 404 for anyone else."""
    stmt = select(Mou).where(Mou.id == mou_id).options(selectinload(Mou.services))
    mou = (
        await session.execute(stmt.execution_options(populate_existing=True))
    ).scalar_one_or_none()
    if mou is None or not (
        _may_read_mou(actor, mou)
        or await _may_manage_mou(
            session, actor, mou.referring_organization_id, mou.provider_organization_id
        )
    ):
        raise _not_found("MoU", mou_id)
    touch(mou.id)
    return mou


async def create_mou(session: AsyncSession, actor: Actor, data: MouCreate) -> Mou:
    """A new MoU between two organizations, by an admin of either party, their district's admin
    or a platform admin."""
    for field in ("referring_organization_id", "provider_organization_id"):
        if await session.get(Organization, getattr(data, field)) is None:
            raise InvalidReferral(field, "no such organization", "এমন কোনো সংস্থা নেই")
    if not await _may_manage_mou(
        session, actor, data.referring_organization_id, data.provider_organization_id
    ):
        raise Forbidden("Only the parties' admins, their district admins and admins sign MoUs in.",
                        "শুধু পক্ষগুলোর অ্যাডমিন, জেলা অ্যাডমিন ও অ্যাডমিন সমঝোতা স্মারক যোগ করতে পারেন।")  # fmt: skip
    await _check_services(session, data.provider_organization_id, data.services)
    values = data.model_dump(exclude={"services", "document_url"})
    mou = Mou(
        id=uuid.uuid4(),
        created_by=actor.user_id,
        document_url=str(data.document_url) if data.document_url else None,
        **values,
    )
    mou.services = [MouService(id=uuid.uuid4(), **s.model_dump()) for s in data.services]
    session.add(mou)
    await session.flush()
    return await get_mou(session, actor, mou.id)


async def update_mou(
    session: AsyncSession, actor: Actor, mou_id: uuid.UUID, data: MouUpdate
) -> Mou:
    """Change an MoU's terms, validity or status (its covered services are replaced when sent)."""
    mou = await get_mou(session, actor, mou_id)
    if not await _may_manage_mou(
        session, actor, mou.referring_organization_id, mou.provider_organization_id
    ):
        raise Forbidden("Only the parties' admins, their district admins and admins change MoUs.",
                        "শুধু পক্ষগুলোর অ্যাডমিন, জেলা অ্যাডমিন ও অ্যাডমিন সমঝোতা স্মারক বদলাতে পারেন।")  # fmt: skip
    values = data.model_dump(exclude_unset=True, exclude={"services"})
    if "document_url" in values:
        values["document_url"] = str(values["document_url"]) if values["document_url"] else None
    for field, value in values.items():
        setattr(mou, field, value)
    if mou.valid_to is not None and mou.valid_to < mou.valid_from:
        raise InvalidReferral("valid_to", "is before valid_from", "শুরুর তারিখের আগে")
    if data.services is not None:
        await _check_services(session, mou.provider_organization_id, data.services)
        mou.services = [MouService(id=uuid.uuid4(), **s.model_dump()) for s in data.services]
    await session.flush()
    return await get_mou(session, actor, mou.id)


async def list_mous(
    session: AsyncSession, actor: Actor, *, page: int, per_page: int
) -> tuple[list[Mou], int]:
    """The MoUs the caller's organization is party to (all of them for admins)."""
    conditions: list[Any] = []
    if actor.role != "admin":
        parties = [
            Mou.referring_organization_id == actor.organization_id,
            Mou.provider_organization_id == actor.organization_id,
        ]
        if actor.role == "district_admin":
            in_district = select(Organization.id).where(
                Organization.district_pcode.in_(sorted(actor.districts))
            )
            parties += [
                Mou.referring_organization_id.in_(in_district),
                Mou.provider_organization_id.in_(in_district),
            ]
        conditions.append(or_(*parties))
    total = (
        await session.execute(select(func.count()).select_from(Mou).where(*conditions))
    ).scalar_one()
    stmt = (select(Mou).where(*conditions).options(selectinload(Mou.services))
            .order_by(Mou.valid_from.desc(), Mou.id).offset((page - 1) * per_page).limit(per_page))  # fmt: skip
    mous = list((await session.execute(stmt)).scalars())
    touch(*(m.id for m in mous))
    return mous, total


async def expire_mous(session: AsyncSession, today: date | None = None) -> int:
    """Mark active MoUs past `valid_to` as expired; returns how many."""
    today = today or date.today()
    stmt = select(Mou).where(Mou.status == "active", Mou.valid_to < today)
    mous = list((await session.execute(stmt)).scalars())
    for mou in mous:
        mou.status = "expired"
    await session.flush()
    return len(mous)


# referrals --------------------------------------------------------------------------------------


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
            or_(MouService.service_id == service.id,
                and_(MouService.service_id.is_(None), MouService.category.in_(categories))),
        )
        .order_by(MouService.service_id.is_(None), Mou.valid_from.desc(), MouService.id)
        # referrals counted against the same terms queue here, so that a quota is never exceeded
        .with_for_update(of=MouService)
    )  # fmt: skip
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


async def _service_categories(session: AsyncSession, service_id: uuid.UUID) -> list[str]:
    stmt = (select(TaxonomyTerm.code).join(Attribute, Attribute.taxonomy_term_id == TaxonomyTerm.id)
            .where(Attribute.link_id == service_id).order_by(TaxonomyTerm.code))  # fmt: skip
    return list((await session.execute(stmt)).scalars())


def _require_party_role(actor: Actor) -> None:
    if actor.role not in PARTY_ROLES:
        raise Forbidden("Referrals are made by the caseworkers of the referring organization.",
                        "রেফারেল করেন রেফারকারী সংস্থার কেসওয়ার্কাররা।")  # fmt: skip


async def _check_case_ref(session: AsyncSession, organization_id: uuid.UUID, case_ref: str) -> None:
    """A case reference follows the organization's pattern or, without one, holds a digit: a
    name ("Rina.Begum") is refused either way."""
    pattern = await session.scalar(
        select(Organization.case_ref_pattern).where(Organization.id == organization_id)
    )
    if pattern is None:
        if not any(char.isdigit() for char in case_ref):
            raise InvalidReferral("case_ref", "must hold a digit, e.g. RJ-2026-0042; never a name",
                                  "অন্তত একটি অঙ্ক থাকতে হবে, যেমন RJ-2026-0042; কখনো নাম নয়")  # fmt: skip
        return
    # matched by PostgreSQL, whose regular expressions cannot backtrack without bound
    matches = await session.scalar(
        text("SELECT :ref ~ ('^(?:' || :pattern || ')$')"), {"ref": case_ref, "pattern": pattern}
    )
    if not matches:
        raise InvalidReferral("case_ref", f"does not follow your organization's pattern {pattern}",
                              f"আপনার সংস্থার ধরন {pattern} অনুসরণ করে না")  # fmt: skip


async def create_referral(
    session: AsyncSession, actor: Actor, data: ReferralCreate, *, idempotency_key: str | None
) -> tuple[Referral, bool]:
    """A referral from the caller's organization to the service's provider, matched to the MoU
    that covers it; returns it and whether it was created now (False for a repeated key)."""
    _require_party_role(actor)
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
                raise InvalidReferral("Idempotency-Key", "was used with another body",
                                      "অন্য অনুরোধে ব্যবহৃত হয়েছে")  # fmt: skip
            return await get_referral(session, actor, seen.referral_id), False
    await _check_case_ref(session, actor.organization_id, data.case_ref)
    service = await session.get(Service, data.service_id)
    if service is None or service.status != "active":
        raise InvalidReferral("service_id", "no such active service", "এমন কোনো চালু সেবা নেই")
    if service.organization_id == actor.organization_id:
        raise InvalidReferral(
            "service_id", "is a service of your own organization", "আপনার নিজের সংস্থার সেবা"
        )
    if data.previous_referral_id is not None:
        previous = await get_referral(session, actor, data.previous_referral_id)
        if previous.status not in TERMINAL:
            raise Conflict("The previous referral is still open.", "আগের রেফারেলটি এখনো খোলা।")
    now = datetime.now(UTC)
    referral = Referral(
        id=uuid.uuid4(), case_ref=data.case_ref, client_sex=data.client.sex,
        client_age_band=data.client.age_band, referring_organization_id=actor.organization_id,
        provider_organization_id=service.organization_id, service_id=service.id,
        reason=data.reason, priority=data.priority,
        consent_given=data.consent.given, consent_obtained_at=data.consent.obtained_at,
        consent_scope=data.consent.scope, notes=data.notes,
        status="draft" if data.draft else "requested", previous_referral_id=data.previous_referral_id,
        created_by=actor.user_id,
    )  # fmt: skip
    term = await _apply_match(session, referral, today=now.date(), service=service)
    if referral.status == "requested":
        _start_clock(referral, term, now)
    session.add(referral)
    await session.flush()
    session.add(_event(referral.id, None, referral.status, actor))
    if referral.status == "requested":
        await notifications.enqueue(
            session, referral, "requested", by_organization=actor.organization_id
        )
    if idempotency_key:
        session.add(IdempotencyKey(organization_id=actor.organization_id, key=idempotency_key,
                                   request_hash=digest, referral_id=referral.id))  # fmt: skip
    await session.flush()
    return await get_referral(session, actor, referral.id), True


async def _apply_match(
    session: AsyncSession, referral: Referral, *, today: date, service: Service | None = None
) -> MouService | None:
    """Set the referral's MoU, term, category and match from the terms covering it today."""
    service = service or await session.get(Service, referral.service_id)
    assert service is not None
    categories = await _service_categories(session, service.id)
    term, match = await _match_mou(session, referring=referral.referring_organization_id,
                                   service=service, categories=categories, today=today)  # fmt: skip
    referral.category = term.category if term else (categories[0] if categories else None)
    referral.mou_id = term.mou_id if term else None
    referral.mou_service_id = term.id if term else None
    referral.outside_mou = term is None
    referral.mou_match = match
    return term


def _start_clock(referral: Referral, term: MouService | None, now: datetime) -> None:
    hours = (
        term.response_sla_hours
        if term and term.response_sla_hours
        else get_settings().referral_default_sla_hours
    )
    referral.requested_at = now
    referral.due_by = now + timedelta(hours=hours)


def _event(referral_id: uuid.UUID, from_status: str | None, to_status: str, actor: Actor | None,
           reason_code: str | None = None, note: str | None = None) -> ReferralEvent:  # fmt: skip
    return ReferralEvent(
        referral_id=referral_id, from_status=from_status, to_status=to_status,
        reason_code=reason_code, note=note,
        actor_user_id=actor.user_id if actor else None,
        actor_organization_id=actor.organization_id if actor else None,
        actor_role=actor.role if actor else "system",
    )  # fmt: skip


def _party(actor: Actor, referral: Referral) -> bool:
    return actor.organization_id in (
        referral.referring_organization_id,
        referral.provider_organization_id,
    )


def _visible(actor: Actor, referral: Referral) -> bool:
    """Admins see every referral; its two organizations see it, but a draft is the referring
    organization's alone until it is requested."""
    if actor.role == "admin":
        return True
    if referral.status == "draft":
        return (
            actor.role in PARTY_ROLES
            and actor.organization_id == referral.referring_organization_id
        )
    return actor.role in PARTY_ROLES and _party(actor, referral)


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
    if referral is None or not _visible(actor, referral):
        raise _not_found("referral", referral_id)
    touch(referral.id)
    return referral


def etag(referral: Referral) -> str:
    """The entity tag of the referral's current version."""
    return f'"{referral.id}.{referral.version}"'


async def _provider_has_users(session: AsyncSession, provider: uuid.UUID) -> bool:
    stmt = select(User.id).where(User.organization_id == provider, User.active.is_(True)).limit(1)
    return (await session.execute(stmt)).first() is not None


async def transition(
    session: AsyncSession,
    actor: Actor,
    referral_id: uuid.UUID,
    move: Transition,
    *,
    if_match: str | None,
) -> Referral:
    """Move a referral to another status, if the version matches, the move exists, the caller
    is on the side that makes it, and the move carries what it needs."""
    if not if_match:
        raise PreconditionRequired("Send If-Match with the referral's current ETag.",
                                   "রেফারেলের বর্তমান ETag সহ If-Match পাঠান।")  # fmt: skip
    referral = await get_referral(session, actor, referral_id, lock=True)
    if if_match.removeprefix("W/") != etag(referral):
        raise PreconditionFailed("The referral changed since you read it; read it again.",
                                 "আপনি পড়ার পর রেফারেলটি বদলেছে; আবার পড়ুন।")  # fmt: skip
    current, target = referral.status, move.to
    if current in TERMINAL:
        raise Conflict(f"A {current} referral is closed; make a follow-up referral instead.",
                       "বন্ধ রেফারেল আর খোলা যায় না; নতুন ফলো-আপ রেফারেল করুন।")  # fmt: skip
    provider_confirmed: bool | None = None
    if target == "entered_in_error":
        if actor.role != "admin":
            raise Forbidden(
                "Only admins mark a referral as entered in error.",
                "শুধু অ্যাডমিন ভুল এন্ট্রি চিহ্নিত করেন।",
            )
    else:
        side = MOVES.get((current, target))
        if side is None:
            raise Conflict(f"A referral cannot move from {current} to {target}.",
                           f"রেফারেল {current} থেকে {target} এ যেতে পারে না।")  # fmt: skip
        on_referrer = (
            actor.role in PARTY_ROLES
            and actor.organization_id == referral.referring_organization_id
        )
        on_provider = (
            actor.role in PARTY_ROLES and actor.organization_id == referral.provider_organization_id
        )
        if side == "provider" and not on_provider:
            # a provider with nobody on the system cannot answer: the referrer records it instead
            if on_referrer and not await _provider_has_users(
                session, referral.provider_organization_id
            ):
                provider_confirmed = False
            else:
                raise Forbidden(
                    "This move is the provider's to make.", "এই পরিবর্তন প্রদানকারীর করার কথা।"
                )
        elif side == "referrer" and not on_referrer:
            raise Forbidden("This move is the referring organization's to make.",
                            "এই পরিবর্তন রেফারকারী সংস্থার করার কথা।")  # fmt: skip
        elif side == "provider":
            provider_confirmed = True
    _check_payload(current, move)
    now = datetime.now(UTC)
    referral.status = target
    referral.version += 1
    if target == "requested":
        # a draft counts against a quota only from now on: match it again, under the terms' lock
        term = await _apply_match(session, referral, today=now.date())
        _start_clock(referral, term, now)
    if target == "accepted":
        referral.accepted_at = now
    if target in TERMINAL:
        referral.closed_at = now
    if provider_confirmed is not None and target in ("completed", "failed", "accepted", "rejected"):
        referral.provider_confirmed = provider_confirmed
    if target == "completed" and move.outcome is not None:
        if move.outcome.completed_on < referral.created_at.date() - timedelta(days=1):
            raise InvalidReferral("outcome.completed_on", "is before the referral was made",
                                  "রেফারেলের আগের তারিখ")  # fmt: skip
        referral.outcome_services_delivered = move.outcome.services_delivered
        referral.outcome_completed_on = move.outcome.completed_on
        referral.outcome_free_of_cost_honoured = move.outcome.free_of_cost_honoured
        referral.outcome_amount_charged = move.outcome.amount_charged
    session.add(_event(referral.id, current, target, actor, move.reason_code, move.note))
    by = None if actor.role == "admin" else actor.organization_id
    await notifications.enqueue(session, referral, target, by_organization=by)
    await session.flush()
    return await get_referral(session, actor, referral.id)


def _check_payload(current: str, move: Transition) -> None:
    if move.to == "rejected" and (
        move.reason_code is None or move.reason_code == "expired_no_response"
    ):
        raise InvalidReferral("reason_code", "a rejection needs a reason code", "প্রত্যাখ্যানের কারণ দিন")
    if move.to in NEEDS_REASON | {"entered_in_error"} and not (move.note or move.reason_code):
        raise InvalidReferral("note", f"moving to {move.to} needs a reason", "কারণ লিখুন")
    if move.to == "in_progress" and current == "on_hold" and not (move.note or move.reason_code):
        raise InvalidReferral("note", "resuming needs a reason", "আবার শুরুর কারণ লিখুন")
    if move.to == "completed" and move.outcome is None:
        raise InvalidReferral("outcome", "completing needs the outcome", "ফলাফল দিন")
    if move.to != "completed" and move.outcome is not None:
        raise InvalidReferral(
            "outcome", "only a completion carries an outcome", "শুধু সম্পন্ন হলে ফলাফল দিন"
        )


def is_overdue(referral: Referral, now: datetime | None = None) -> bool:
    """No answer by `due_by`, or no outcome some days after acceptance."""
    now = now or datetime.now(UTC)
    if referral.status == "requested" and referral.due_by is not None:
        return referral.due_by < now
    if referral.status in OPEN_AFTER_ACCEPTANCE and referral.accepted_at is not None:
        return referral.accepted_at + timedelta(days=get_settings().referral_outcome_days) < now
    return False


async def list_referrals(
    session: AsyncSession, actor: Actor, *, direction: str | None, status: str | None,
    mou_id: uuid.UUID | None, overdue: bool | None, since: datetime | None, until: datetime | None,
    page: int, per_page: int,
) -> tuple[list[Referral], int]:  # fmt: skip
    """What the caller's organization sent (outgoing) or received (incoming), newest first."""
    if actor.role not in PARTY_ROLES and actor.role != "admin":
        raise Forbidden("Referrals are read by the caseworkers of their two organizations.",
                        "রেফারেল দেখেন দুই সংস্থার কেসওয়ার্কাররা।")  # fmt: skip
    conditions: list[Any] = []
    if actor.role != "admin" or direction:
        sent = Referral.referring_organization_id == actor.organization_id
        received = Referral.provider_organization_id == actor.organization_id
        conditions.append(
            {"outgoing": sent, "incoming": received}.get(direction or "", or_(sent, received))
        )
        if actor.role != "admin":
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
    total = (
        await session.execute(select(func.count()).select_from(Referral).where(*conditions))
    ).scalar_one()
    stmt = (select(Referral).where(*conditions).order_by(Referral.created_at.desc(), Referral.id)
            .offset((page - 1) * per_page).limit(per_page))  # fmt: skip
    referrals = list((await session.execute(stmt)).scalars())
    touch(*(r.id for r in referrals))
    return referrals, total


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
        session.add(_event(referral.id, "requested", "cancelled", None, "expired_no_response",
                           "no answer by the due time"))  # fmt: skip
        await notifications.enqueue(session, referral, "cancelled", by_organization=None)
    await session.flush()
    return len(referrals)


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
        update(Referral).where(Referral.id.in_(ids)).values(
            case_ref=None, reason=None, notes=None, consent_scope=None,
            outcome_services_delivered=None, purged_at=now,
        )
    )  # fmt: skip
    # the event log is append-only; this setting lets the purge, and only it, blank event notes
    await session.execute(text("SET LOCAL referral.purge = 'on'"))
    await session.execute(
        update(ReferralEvent)
        .where(ReferralEvent.referral_id.in_(ids), ReferralEvent.note.is_not(None))
        .values(note=None)
    )
    await session.execute(text("SET LOCAL referral.purge = 'off'"))
    return len(ids)
