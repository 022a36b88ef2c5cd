"""Referral notifications through a transactional outbox: queued with the change that causes
them, posted to the receiving organization's webhook afterwards, in order, with retries.

Delivery holds no database lock while it waits on the network: a short transaction claims the
due notices by leasing them (`next_attempt_at` moved past the time their posts can take), the
posts go out with no transaction open, and each outcome is recorded in a short transaction of
its own."""

import asyncio
import logging
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.actor import Actor
from app.core.config import get_settings
from app.directory.errors import OrganizationNotFound
from app.directory.models import Organization
from app.referrals import outbound
from app.referrals.errors import NotWebhookAdmin
from app.referrals.models import NotificationOutbox, OrganizationWebhook, Referral
from app.referrals.policy import may_set_webhooks

logger = logging.getLogger("app.referrals.notifications")
MAX_BACKOFF = timedelta(hours=6)
# a whole post, from connecting to the first bytes of the answer; httpx's own timeouts are per
# operation, which a receiver that answers a byte at a time would stretch without end
POST_SECONDS = 10.0
POST_TIMEOUT = httpx.Timeout(5.0, connect=3.0)
MAX_RESPONSE_BYTES = 1024
PER_ORGANIZATION = 10
# a claimed notice is leased for the posts before it and its own (its organization's address is
# resolved once per pass), plus a margin; a worker that dies leaves its notices due after that
ATTEMPT = timedelta(seconds=POST_SECONDS + outbound.RESOLVE_TIMEOUT_SECONDS)
LEASE_MARGIN = timedelta(seconds=30)

# opens a session in a transaction of its own, committed when the block ends
Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]


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


@dataclass(frozen=True)
class Claimed:
    """A notice leased to this delivery pass (a copy: no session is open while it is posted)."""

    id: int
    organization_id: uuid.UUID
    referral_id: uuid.UUID
    event: str
    attempts: int


@dataclass
class Batch:
    """One organization's claimed notices, in their order, and its webhook."""

    organization_id: uuid.UUID
    url: str
    notices: list[Claimed] = field(default_factory=list)


def payload(notice: Claimed) -> dict[str, str]:
    """What a webhook receives: the referral's id, the event and a link; nothing about the
    survivor."""
    base = get_settings().base_url
    return {
        "referral_id": str(notice.referral_id),
        "event": notice.event,
        "link": f"{base}/referrals/{notice.referral_id}",
    }


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed post."""
    return min(timedelta(minutes=2**attempts), MAX_BACKOFF)


async def claim(
    session: AsyncSession, *, now: datetime, limit: int, per_organization: int = PER_ORGANIZATION
) -> list[Batch]:
    """Lease the due notices of organizations whose oldest undelivered notice is due (oldest
    first, at most `limit`, each organization's in order up to its first notice not due)."""
    pending = NotificationOutbox.delivered_at.is_(None)
    theirs = NotificationOutbox.organization_id == OrganizationWebhook.organization_id
    first_due_at = (
        select(NotificationOutbox.next_attempt_at)
        .where(theirs, pending)
        .order_by(NotificationOutbox.id)
        .limit(1)
        .correlate(OrganizationWebhook)
        .scalar_subquery()
    )
    oldest = (
        select(func.min(NotificationOutbox.id))
        .where(theirs, pending)
        .correlate(OrganizationWebhook)
        .scalar_subquery()
    )
    # the webhook row is the organization's claim lock: two workers never claim the same
    # organization's notices at once, so its notices keep their order
    hooks = (
        await session.execute(
            select(OrganizationWebhook.organization_id, OrganizationWebhook.url)
            .where(first_due_at <= now)
            .order_by(oldest)
            .limit(limit)
            .with_for_update(of=OrganizationWebhook, skip_locked=True)
        )
    ).all()
    if not hooks:
        return []
    # a second statement reads after the locks are held, so it sees the leases of a worker
    # that held one of them a moment ago
    position = (
        func.row_number()
        .over(partition_by=NotificationOutbox.organization_id, order_by=NotificationOutbox.id)
        .label("position")
    )
    ranked = (
        select(NotificationOutbox.id, position)
        .where(NotificationOutbox.organization_id.in_([h.organization_id for h in hooks]), pending)
        .subquery()
    )
    rows = (
        await session.execute(
            select(NotificationOutbox)
            .join(ranked, ranked.c.id == NotificationOutbox.id)
            .where(ranked.c.position <= per_organization)
            .order_by(NotificationOutbox.id)
            .execution_options(populate_existing=True)
        )
    ).scalars()
    queued: dict[uuid.UUID, list[NotificationOutbox]] = {}
    for notice in rows:
        queued.setdefault(notice.organization_id, []).append(notice)
    batches: list[Batch] = []
    leased = 0
    for organization_id, url in hooks:
        batch = Batch(organization_id, url)
        for notice in queued.get(organization_id, []):
            if notice.next_attempt_at > now or leased >= limit:
                break
            leased += 1
            notice.next_attempt_at = now + leased * ATTEMPT + LEASE_MARGIN
            batch.notices.append(
                Claimed(
                    notice.id,
                    notice.organization_id,
                    notice.referral_id,
                    notice.event,
                    notice.attempts,
                )
            )
        if batch.notices:
            batches.append(batch)
    await session.flush()
    return batches


async def _first_bytes(response: httpx.Response) -> bytes:
    """At most `MAX_RESPONSE_BYTES` of the body, as sent."""
    if response.is_stream_consumed:  # a response made in memory (a mock transport)
        return response.content[:MAX_RESPONSE_BYTES]
    excerpt = bytearray()
    async for chunk in response.aiter_raw():
        excerpt += chunk
        if len(excerpt) >= MAX_RESPONSE_BYTES:
            break
    return bytes(excerpt[:MAX_RESPONSE_BYTES])


async def post(
    http: httpx.AsyncClient, target: outbound.Target, body: dict[str, str]
) -> str | None:
    """Post to the checked address under the URL's own host name, following no redirect and
    reading at most a little of the answer; returns why it failed, or None."""
    # identity: an excerpt of an error page is read as sent, never decompressed
    headers = {"Host": target.host_header, "Accept-Encoding": "identity"}
    try:
        async with (
            asyncio.timeout(POST_SECONDS),
            http.stream(
                "POST",
                target.connect_url,
                json=body,
                headers=headers,
                extensions=target.extensions,
                timeout=POST_TIMEOUT,
                follow_redirects=False,
            ) as response,
        ):
            excerpt = await _first_bytes(response)
    except TimeoutError:
        return f"no answer within {POST_SECONDS:g} seconds"
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if response.is_success:
        return None
    if response.is_redirect:
        location = response.headers.get("location", "")
        return f"HTTP {response.status_code}: redirect to {location} not followed"
    text = excerpt[:200].decode("utf-8", errors="replace").strip()
    return f"HTTP {response.status_code}" + (f": {text}" if text else "")


async def _delivered(transaction: Transaction, notice: Claimed) -> None:
    async with transaction() as session:
        await session.execute(
            update(NotificationOutbox)
            .where(NotificationOutbox.id == notice.id, NotificationOutbox.delivered_at.is_(None))
            .values(delivered_at=datetime.now(UTC), attempts=notice.attempts + 1)
        )


async def _failed(
    transaction: Transaction, notice: Claimed, later: list[Claimed], error: str
) -> None:
    """Record a failed attempt with its backoff; the organization's later notices are released
    (they wait behind this one anyway)."""
    now = datetime.now(UTC)
    attempts = notice.attempts + 1
    async with transaction() as session:
        await session.execute(
            update(NotificationOutbox)
            .where(NotificationOutbox.id == notice.id, NotificationOutbox.delivered_at.is_(None))
            .values(
                attempts=attempts, last_error=error[:500], next_attempt_at=now + backoff(attempts)
            )
        )
        if later:
            await session.execute(
                update(NotificationOutbox)
                .where(
                    NotificationOutbox.id.in_([n.id for n in later]),
                    NotificationOutbox.delivered_at.is_(None),
                )
                .values(next_attempt_at=now)
            )
    logger.warning("webhook of %s failed (%s)", notice.organization_id, error[:500])


async def _deliver(transaction: Transaction, http: httpx.AsyncClient, batch: Batch) -> int:
    """Post one organization's notices in order, stopping at the first failure."""
    try:
        # resolved again: the name may lead elsewhere now than when the URL was set
        target = await outbound.check_webhook_url(batch.url)
    except outbound.UnsafeWebhookUrl as exc:
        await _failed(transaction, batch.notices[0], batch.notices[1:], f"not posted: {exc.detail}")
        return 0
    for index, notice in enumerate(batch.notices):
        error = await post(http, target, payload(notice))
        if error is not None:
            await _failed(transaction, notice, batch.notices[index + 1 :], error)
            return index
        await _delivered(transaction, notice)
    return len(batch.notices)


async def deliver_pending(
    transaction: Transaction, http: httpx.AsyncClient, *, limit: int = 100
) -> int:
    """Post due notices, oldest first, stopping at an organization's first failure so that its
    notices keep their order; returns how many were delivered. `transaction` opens each of the
    short transactions (the claim, then one per outcome)."""
    async with transaction() as session:
        batches = await claim(session, now=datetime.now(UTC), limit=limit)
    delivered = 0
    for batch in batches:
        delivered += await _deliver(transaction, http, batch)
    return delivered


async def set_webhook(
    session: AsyncSession, actor: Actor, *, organization_id: uuid.UUID, url: str | None
) -> None:
    """Set or remove an organization's webhook. Platform admins only: the URL decides where the
    server sends requests, so it is checked (`outbound.check_webhook_url`) before it is kept."""
    if not may_set_webhooks(actor):
        raise NotWebhookAdmin()
    found = await session.execute(select(Organization.id).where(Organization.id == organization_id))
    if found.first() is None:
        raise OrganizationNotFound(organization_id=str(organization_id))
    hook = await session.get(OrganizationWebhook, organization_id)
    if url is None:
        if hook is not None:
            await session.delete(hook)
    else:
        await outbound.check_webhook_url(url)
        if hook is None:
            session.add(OrganizationWebhook(organization_id=organization_id, url=url))
        else:
            hook.url = url
    await session.flush()
