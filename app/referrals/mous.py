"""MoUs between organizations: their terms, their status over time, who may see and change them."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.audit.context import touch
from app.auth.actor import Actor
from app.core.pagination import fetch_page
from app.directory.lookups import within_reach
from app.directory.models import Organization, Service, TaxonomyTerm
from app.referrals.errors import (
    MayNotChangeMou,
    MayNotSignMou,
    MouEndsBeforeStart,
    MouNotFound,
    NotProvidersService,
    UnknownMouCategory,
    UnknownParty,
)
from app.referrals.models import Mou, MouService
from app.referrals.policy import may_manage_mou, may_read_mou, mou_reach
from app.referrals.schemas import MouCreate, MouUpdate


async def _districts_of(session: AsyncSession, *org_ids: uuid.UUID) -> set[str | None]:
    rows = await session.execute(
        select(Organization.district_pcode).where(Organization.id.in_(org_ids))
    )
    return set(rows.scalars())


async def _may_manage_mou(
    session: AsyncSession, actor: Actor, referring: uuid.UUID, provider: uuid.UUID
) -> bool:
    districts = await _districts_of(session, referring, provider)
    return may_manage_mou(actor, (referring, provider), districts)


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
            raise UnknownMouCategory(field=f"services.{i}.category", category=item.category)
        if item.service_id is not None:
            service = await session.get(Service, item.service_id)
            if service is None or service.organization_id != provider:
                raise NotProvidersService(field=f"services.{i}.service_id")


async def get_mou(session: AsyncSession, actor: Actor, mou_id: uuid.UUID) -> Mou:
    """One MoU its parties (and district admins, admins) may read; 404 for anyone else."""
    stmt = select(Mou).where(Mou.id == mou_id).options(selectinload(Mou.services))
    mou = (
        await session.execute(stmt.execution_options(populate_existing=True))
    ).scalar_one_or_none()
    if mou is None or not (
        may_read_mou(actor, mou)
        or await _may_manage_mou(
            session, actor, mou.referring_organization_id, mou.provider_organization_id
        )
    ):
        raise MouNotFound(mou_id=mou_id)
    touch(mou.id)
    return mou


async def create_mou(session: AsyncSession, actor: Actor, data: MouCreate) -> Mou:
    """A new MoU between two organizations, by an admin of either party, their district's admin
    or a platform admin."""
    for field in ("referring_organization_id", "provider_organization_id"):
        if await session.get(Organization, getattr(data, field)) is None:
            raise UnknownParty(field=field)
    if not await _may_manage_mou(
        session, actor, data.referring_organization_id, data.provider_organization_id
    ):
        raise MayNotSignMou()
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


async def update_mou(session: AsyncSession, actor: Actor, *, mou: Mou, data: MouUpdate) -> Mou:
    """Change an MoU's terms, validity or status (its covered services are replaced when sent)."""
    if not await _may_manage_mou(
        session, actor, mou.referring_organization_id, mou.provider_organization_id
    ):
        raise MayNotChangeMou()
    values = data.model_dump(exclude_unset=True, exclude={"services"})
    if "document_url" in values:
        values["document_url"] = str(values["document_url"]) if values["document_url"] else None
    for field, value in values.items():
        setattr(mou, field, value)
    if mou.valid_to is not None and mou.valid_to < mou.valid_from:
        raise MouEndsBeforeStart()
    if data.services is not None:
        await _check_services(session, mou.provider_organization_id, data.services)
        mou.services = [MouService(id=uuid.uuid4(), **s.model_dump()) for s in data.services]
    await session.flush()
    return await get_mou(session, actor, mou.id)


async def list_mous(
    session: AsyncSession, actor: Actor, *, page: int, per_page: int
) -> tuple[list[Mou], int]:
    """The MoUs the caller's organization is party to (all of them for admins)."""
    conditions = within_reach(
        mou_reach(actor), Mou.referring_organization_id, Mou.provider_organization_id
    )
    query = (
        select(Mou)
        .where(*conditions)
        .options(selectinload(Mou.services))
        .order_by(Mou.valid_from.desc(), Mou.id)
    )
    mous, total = await fetch_page(session, query, page=page, per_page=per_page)
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


async def partners_of(
    session: AsyncSession, organization_id: uuid.UUID, today: date
) -> set[uuid.UUID]:
    """The organizations with an active MoU with this one, in either direction (not a draft,
    suspended, terminated, expired or future one): they see its confidential locations."""
    stmt = select(Mou).where(
        or_(
            Mou.referring_organization_id == organization_id,
            Mou.provider_organization_id == organization_id,
        ),
        Mou.status == "active",
        Mou.valid_from <= today,
    )
    return {
        party
        for mou in (await session.execute(stmt)).scalars()
        if effective_status(mou, today) == "active"
        for party in (mou.referring_organization_id, mou.provider_organization_id)
    }
