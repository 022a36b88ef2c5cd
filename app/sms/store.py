"""What the lookup remembers of a sender, and for how long.

A number is kept only as a keyed hash (HMAC-SHA256 under SECRET_KEY), and a message not at
all: its delivery is a keyed hash too (a gateway's retry is answered once), and what is kept of
its question is the need and the place it named, for MORE and for the counts of
`GET /reports/sms`. Rows are forgotten SMS_FORGET_AFTER_HOURS after they arrive; the counts by
day, need and place carry no sender and stay.
"""

import asyncio
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.core.db import get_sessionmaker
from app.sms.answer import Answer, Search, answer
from app.sms.models import SmsAskCount, SmsMessage
from app.sms.needs import read
from app.sms.replies import Reply, helpline_for, say, with_helpline
from search.backend import SearchBackend

logger = logging.getLogger("app.sms")
# Bangladesh keeps UTC+6 all year: the counts' days are Dhaka's
DHAKA = timezone(timedelta(hours=6))


@dataclass(frozen=True)
class Inbound:
    """A message as a gateway delivers it: `delivery` names this delivery (a retry repeats it)."""

    gateway: str
    sender: str
    text: str
    delivery: str


@dataclass(frozen=True)
class Outcome:
    """The reply to send (None: nothing, for a delivery already answered or a flood)."""

    reply: Reply | None
    duplicate: bool = False
    limited: bool = False


def _key(purpose: str, value: str) -> bytes:
    secret = get_settings().secret_key.encode()
    return hmac.new(secret, f"{purpose}\0{value}".encode(), hashlib.sha256).digest()


def national_number(number: str) -> str:
    """One form of a number however a gateway writes it: +8801711…, 8801711…, 01711… alike."""
    digits = re.sub(r"\D", "", number)
    if digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("880"):
        digits = "0" + digits[3:]
    return digits or number.strip()


def sender_key(number: str) -> bytes:
    return _key("sms-sender", national_number(number))


def delivery_key(inbound: Inbound) -> bytes:
    return _key("sms-delivery", f"{inbound.gateway}\0{inbound.delivery}")


async def forget(session: AsyncSession) -> int:
    """Deletes the messages older than SMS_FORGET_AFTER_HOURS; how many."""
    before = datetime.now(UTC) - timedelta(hours=get_settings().sms_forget_after_hours)
    result = await session.execute(delete(SmsMessage).where(SmsMessage.received_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _last_search(session: AsyncSession, sender: bytes, before: int) -> Search | None:
    """The sender's previous question, unless it is past forgetting (and not yet deleted)."""
    kept = timedelta(hours=get_settings().sms_forget_after_hours)
    row = await session.scalar(
        select(SmsMessage)
        .where(
            SmsMessage.sender_key == sender,
            SmsMessage.id < before,
            SmsMessage.received_at >= func.now() - kept,
        )
        .order_by(SmsMessage.id.desc())
        .limit(1)
    )
    if row is None:
        return None
    return Search(row.lang, row.need, row.place_pcode, row.shown)  # type: ignore[arg-type]


async def _count(session: AsyncSession, search: Search) -> None:
    day = datetime.now(DHAKA).date()
    statement = insert(SmsAskCount).values(
        day=day, need=search.need or "", place_pcode=search.place_pcode or "", count=1
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["day", "need", "place_pcode"],
            set_={"count": SmsAskCount.count + 1},
        )
    )


async def receive(session: AsyncSession, backend: SearchBackend, inbound: Inbound) -> Outcome:
    """Answers a message once, within the sender's hourly limit, and remembers what it asked."""
    settings = get_settings()
    sender = sender_key(inbound.sender)
    # one sender's messages are taken one at a time: the limit and MORE hold under races
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:key)"),
        {"key": int.from_bytes(sender[:8], "big", signed=True)},
    )
    message_id = await session.scalar(
        insert(SmsMessage)
        .values(
            gateway=inbound.gateway,
            delivery_key=delivery_key(inbound),
            sender_key=sender,
            lang="en",
            shown=0,
        )
        .on_conflict_do_nothing(index_elements=["delivery_key"])
        .returning(SmsMessage.id)
    )
    if message_id is None:
        return Outcome(None, duplicate=True)
    recent = await session.scalar(
        select(func.count())
        .select_from(SmsMessage)
        .where(
            SmsMessage.sender_key == sender,
            SmsMessage.received_at >= func.now() - timedelta(hours=1),
            SmsMessage.id < message_id,
        )
    )
    if (recent or 0) >= settings.sms_limit_per_hour:
        # the first message over the limit hears why; a flood after it costs no more SMS
        if recent == settings.sms_limit_per_hour:
            lang = read(inbound.text).lang
            helpline = helpline_for(None, settings.portal_helplines)
            return Outcome(with_helpline(lang, say(lang, "limited"), helpline), limited=True)
        return Outcome(None, limited=True)
    last = await _last_search(session, sender, message_id)
    result: Answer = await answer(session, backend, inbound.text, last)
    found = result.search
    await session.execute(
        update(SmsMessage)
        .where(SmsMessage.id == message_id)
        .values(lang=found.lang, need=found.need, place_pcode=found.place_pcode, shown=found.shown)
    )
    if not result.continued:
        await _count(session, found)
    return Outcome(result.reply)


async def forget_once() -> int:
    """One pass of forgetting, in its own transaction (the API's job, `directory sms-forget`)."""
    async with get_sessionmaker()() as session, session.begin():
        return await forget(session)


async def forget_periodically(interval_seconds: float) -> None:
    """Forgets expired senders forever, even when no message arrives (started by the API)."""
    while True:
        try:
            forgotten = await forget_once()
            if forgotten:
                logger.info("sms: forgot %d messages", forgotten)
        except Exception:
            logger.exception("sms: a forgetting pass failed")
        await asyncio.sleep(interval_seconds)
