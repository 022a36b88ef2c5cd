"""Scheduled work: expire MoUs past their validity, cancel referrals nobody answered, post
webhook notices."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.core.db import get_sessionmaker
from app.directory.models import Service
from app.referrals import lifecycle, mous, notifications
from app.referrals.models import Mou, MouService

logger = logging.getLogger("app.referrals.jobs")

DEMO_MOU_REFERENCE = "DEMO-MOU-RJ-DLAO-JASHORE"


@dataclass(frozen=True)
class Expired:
    mous: int
    referrals: int


async def run_expiry() -> Expired:
    """One pass, in its own transaction."""
    async with get_sessionmaker()() as session, session.begin():
        expired = await mous.expire_mous(session)
        cancelled = await lifecycle.expire_unanswered(session)
    return Expired(expired, cancelled)


@asynccontextmanager
async def _transaction() -> AsyncIterator[AsyncSession]:
    async with get_sessionmaker()() as session, session.begin():
        yield session


async def deliver_notifications() -> int:
    """Post the due webhook notices (each claim and each outcome in a short transaction)."""
    # no proxy from the environment (it would resolve and connect on its own, past the check),
    # no redirects, and no kept-alive connections: a connection verified for one host name must
    # not carry a post for another name pinned to the same address
    async with httpx.AsyncClient(
        trust_env=False, follow_redirects=False, limits=httpx.Limits(max_keepalive_connections=0)
    ) as http:
        return await notifications.deliver_pending(_transaction, http)


async def run_periodically(interval_seconds: float) -> None:
    """Expiry and notice delivery forever (started by the API; a failed pass is logged)."""
    while True:
        try:
            result = await run_expiry()
            if result.mous or result.referrals:
                logger.info(
                    "expired %d MoUs, cancelled %d unanswered referrals",
                    result.mous,
                    result.referrals,
                )
            await deliver_notifications()
        except Exception:
            logger.exception("a scheduled pass failed")
        await asyncio.sleep(interval_seconds)


def create_demo_mou(session: Session, *, today: date) -> bool:
    """The demo MoU (development only): Rights Jessore may refer to the District Legal Aid Office,
    Jashore, for its legal aid service. Returns whether it was added."""
    from app.auth.accounts import find_organization

    if session.execute(select(Mou.id).where(Mou.reference == DEMO_MOU_REFERENCE)).first():
        return False
    referring = find_organization(session, "rights-jessore")
    provider = find_organization(session, "district-legal-aid-office-jashore")
    service_id = session.execute(
        select(Service.id).where(Service.slug == "district-legal-aid-office-jashore--legal-aid")
    ).scalar_one()
    mou = Mou(
        reference=DEMO_MOU_REFERENCE,
        referring_organization_id=referring.id,
        provider_organization_id=provider.id,
        signed_on=today.replace(month=1, day=1),
        valid_from=today.replace(month=1, day=1),
        valid_to=None,
        status="active",
    )
    mou.services = [
        MouService(
            category="legal_aid",
            service_id=service_id,
            free_of_cost=True,
            cost_terms="Demo MoU: free of cost",
            response_sla_hours=72,
        )
    ]
    session.add(mou)
    session.flush()
    return True
