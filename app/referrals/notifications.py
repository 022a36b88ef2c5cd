"""Referral notifications through a transactional outbox: queued with the change that causes
them, posted to the receiving organization's webhook afterwards, in order, with retries."""

import logging
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.context import Actor
from app.auth.errors import Forbidden
from app.core.config import get_settings
from app.referrals.models import NotificationOutbox, OrganizationWebhook, Referral

logger = logging.getLogger("app.referrals.notifications")
MAX_BACKOFF = timedelta(hours=6)


async def enqueue(
    session: AsyncSession, referral: Referral, event: str, *, by_organization: uuid.UUID | None
) -> None:
    """Queue a notice for the party that did not make the change (both, for the system or an
    admin), if it has a webhook; in the same transaction as the change."""
    parties = {referral.referring_organization_id, referral.provider_organization_id}
    receivers = parties - {by_organization} if by_organization in parties else parties
    hooks = select(OrganizationWebhook.organization_id).where(
        OrganizationWebhook.organization_id.in_(receivers)
    )
    for organization_id in (await session.execute(hooks)).scalars():
        session.add(
            NotificationOutbox(
                organization_id=organization_id, referral_id=referral.id, event=event, attempts=0
            )
        )


def payload(notice: NotificationOutbox) -> dict[str, str]:
    """What a webhook receives: the referral's id, the event and a link; nothing about the survivor."""
    base = get_settings().public_base_url.rstrip("/")
    return {
        "referral_id": str(notice.referral_id),
        "event": notice.event,
        "link": f"{base}/referrals/{notice.referral_id}",
    }


async def deliver_pending(
    session: AsyncSession, http: httpx.AsyncClient, *, limit: int = 100
) -> int:
    """Post due notices, oldest first, stopping at an organization's first failure so that its
    notices keep their order; returns how many were delivered."""
    now = datetime.now(UTC)
    stmt = (
        select(NotificationOutbox, OrganizationWebhook.url)
        .join(
            OrganizationWebhook,
            OrganizationWebhook.organization_id == NotificationOutbox.organization_id,
        )
        .where(NotificationOutbox.delivered_at.is_(None))
        .order_by(NotificationOutbox.id)
        .limit(limit)
        .with_for_update(of=NotificationOutbox, skip_locked=True)
    )
    delivered = 0
    blocked: set[uuid.UUID] = set()
    for notice, url in (await session.execute(stmt)).tuples():
        if notice.organization_id in blocked or notice.next_attempt_at > now:
            blocked.add(notice.organization_id)
            continue
        try:
            response = await http.post(url, json=payload(notice), timeout=10)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            notice.attempts += 1
            notice.last_error = str(exc)[:500]
            notice.next_attempt_at = now + min(timedelta(minutes=2**notice.attempts), MAX_BACKOFF)
            blocked.add(notice.organization_id)
            logger.warning("webhook of %s failed (%s)", notice.organization_id, notice.last_error)
            continue
        notice.delivered_at = now
        notice.attempts += 1
        delivered += 1
    await session.flush()
    return delivered


async def set_webhook(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID, url: str | None
) -> None:
    """Set or remove an organization's webhook (its own admins, and admins)."""
    if not (
        actor.role == "admin"
        or (actor.role == "org_admin" and actor.organization_id == organization_id)
    ):
        raise Forbidden(
            "Only the organization's admins set its webhook.", "শুধু সংস্থার অ্যাডমিন ওয়েবহুক ঠিক করেন।"
        )
    hook = await session.get(OrganizationWebhook, organization_id)
    if url is None:
        if hook is not None:
            await session.delete(hook)
    elif hook is None:
        session.add(OrganizationWebhook(organization_id=organization_id, url=url))
    else:
        hook.url = url
    await session.flush()
