"""Suggested corrections: anyone proposes, the district's admins accept (applying it) or dismiss."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.context import touch
from app.auth.actor import Actor
from app.core.config import get_settings
from app.core.pagination import fetch_page
from app.core.throttle import seconds_until_allowed
from app.directory import contacts, locations, lookups, organizations, services
from app.directory.errors import (
    RECORD_BN,
    AlreadyDecided,
    CorrectionNotFound,
    NotApplicable,
    NotCorrectable,
    OtherDistrictsCorrection,
    RecordNotFound,
    TooManySuggestions,
)
from app.directory.models import Correction, Location, Organization, Phone, Service
from app.directory.policy import may_moderate, moderation_reach
from app.directory.write_schemas import (
    CORRECTABLE,
    CorrectionCreate,
    LocationUpdate,
    OrganizationUpdate,
    PhoneUpdate,
    ServiceUpdate,
)

MODELS: dict[str, type[Any]] = {
    "organization": Organization,
    "service": Service,
    "location": Location,
    "phone": Phone,
}


def _current_value(record: Any, field: str) -> str | None:
    value = getattr(record, field)
    return None if value is None else str(value)


async def suggest(session: AsyncSession, *, data: CorrectionCreate, client: str) -> Correction:
    """Queue a correction for the district's admins; nothing changes until one accepts it."""
    settings = get_settings()
    wait = await seconds_until_allowed(
        session,
        Correction.created_at,
        where=Correction.client == client,
        limit=settings.correction_limit_per_hour,
        window=timedelta(hours=1),
    )
    if wait is not None:
        raise TooManySuggestions(retry_after=wait)
    if data.field not in CORRECTABLE[data.resource_type]:
        fields = ", ".join(CORRECTABLE[data.resource_type])
        raise NotCorrectable(
            resource_type=data.resource_type,
            resource_type_bn=RECORD_BN[data.resource_type],
            fields=fields,
        )
    record = await session.get(MODELS[data.resource_type], data.resource_id)
    if record is None:
        raise RecordNotFound(kind=data.resource_type, record_id=data.resource_id)
    org = await lookups.organization_of(session, data.resource_type, data.resource_id)
    correction = Correction(
        id=uuid.uuid4(),
        resource_type=data.resource_type,
        resource_id=data.resource_id,
        field=data.field,
        current_value=_current_value(record, data.field),
        proposed_value=data.proposed_value,
        comment=data.comment,
        district_pcode=org.district_pcode,
        organization_id=org.id,
        status="pending",
        client=client,
    )
    session.add(correction)
    await session.flush()
    return correction


async def queue(
    session: AsyncSession, actor: Actor, *, status: str, page: int, per_page: int
) -> tuple[list[Correction], int]:
    """The corrections of the actor's districts (all of them for admins), oldest first."""
    reach = moderation_reach(actor)
    conditions: list[Any] = [Correction.status == status]
    if not reach.everything:
        conditions.append(Correction.district_pcode.in_(sorted(reach.districts)))
    query = select(Correction).where(*conditions).order_by(Correction.created_at, Correction.id)
    rows, total = await fetch_page(session, query, page=page, per_page=per_page)
    touch(*(row.id for row in rows))
    return rows, total


async def _pending(session: AsyncSession, actor: Actor, correction_id: uuid.UUID) -> Correction:
    # the row lock makes concurrent decisions queue: the first decides, the others see it decided
    correction = await session.get(
        Correction, correction_id, with_for_update=True, populate_existing=True
    )
    if correction is None:
        raise CorrectionNotFound(correction_id=correction_id)
    if not may_moderate(actor, district=correction.district_pcode):
        raise OtherDistrictsCorrection()
    if correction.status != "pending":
        raise AlreadyDecided(status=correction.status)
    touch(correction.id, correction.resource_id)
    return correction


def _decide(correction: Correction, actor: Actor, status: str, note: str | None) -> None:
    correction.status = status
    correction.decided_at = datetime.now(UTC)
    correction.decided_by = actor.email
    correction.decision_note = note


async def accept(
    session: AsyncSession, actor: Actor, *, correction_id: uuid.UUID, note: str | None
) -> Correction:
    """Apply the correction through the ordinary write path (history included) and close it."""
    correction = await _pending(session, actor, correction_id)
    change = {correction.field: correction.proposed_value}
    kind = correction.resource_type
    record = await lookups.get_record(session, MODELS[kind], correction.resource_id, kind)
    try:
        if kind == "organization":
            await organizations.update_organization(
                session, actor, org=record, data=OrganizationUpdate.model_validate(change)
            )
        elif kind == "service":
            await services.update_service(
                session, actor, service=record, data=ServiceUpdate.model_validate(change)
            )
        elif kind == "location":
            await locations.update_location(
                session, actor, location=record, data=LocationUpdate.model_validate(change)
            )
        else:
            await contacts.update_phone(
                session, actor, phone=record, data=PhoneUpdate.model_validate(change)
            )
    except ValidationError as exc:
        raise NotApplicable(reason=exc.errors()[0]["msg"]) from exc
    _decide(correction, actor, "accepted", note)
    await session.flush()
    return correction


async def dismiss(
    session: AsyncSession, actor: Actor, *, correction_id: uuid.UUID, note: str | None
) -> Correction:
    """Close the correction without changing the entry."""
    correction = await _pending(session, actor, correction_id)
    _decide(correction, actor, "dismissed", note)
    await session.flush()
    return correction
