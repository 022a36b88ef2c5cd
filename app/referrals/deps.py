"""Validating dependencies: a route that takes a referral's or an MoU's id in its path gets the
record the caller may see, or the request ends once, here, with a 404 (also for a record that
exists but is not the caller's to see)."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.auth.deps import CurrentActor
from app.core.db import SessionDep
from app.core.openapi import raises
from app.referrals.models import Mou, Referral
from app.referrals.mous import get_mou
from app.referrals.referrals import get_referral


@raises(404)
async def visible_referral(
    session: SessionDep, actor: CurrentActor, referral_id: uuid.UUID
) -> Referral:
    return await get_referral(session, actor, referral_id)


@raises(404)
async def locked_referral(
    session: SessionDep, actor: CurrentActor, referral_id: uuid.UUID
) -> Referral:
    """The referral, locked until the request's transaction ends: concurrent moves queue."""
    return await get_referral(session, actor, referral_id, lock=True)


@raises(404)
async def visible_mou(session: SessionDep, actor: CurrentActor, mou_id: uuid.UUID) -> Mou:
    return await get_mou(session, actor, mou_id)


ReferralDep = Annotated[Referral, Depends(visible_referral)]
LockedReferralDep = Annotated[Referral, Depends(locked_referral)]
MouDep = Annotated[Mou, Depends(visible_mou)]
