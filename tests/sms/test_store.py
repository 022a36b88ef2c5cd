"""What the lookup keeps of a sender: keyed hashes only, for a limited time; a delivery is
answered once and a number gets a few replies an hour, also when its messages race."""

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import get_settings
from app.directory.search_engine import search_backend
from app.sms.models import SmsAskCount, SmsMessage
from app.sms.store import DHAKA, Inbound, forget, national_number, receive, sender_key
from tests.sms.conftest import SECRETS, documented, signed


def inbound(text: str, sender: str = "+8801711000010", delivery: str | None = None) -> Inbound:
    return Inbound("telerivet", sender, text, delivery or uuid.uuid4().hex)


def telerivet(text: str, sender: str) -> dict[str, str]:
    return {
        "event": "incoming_message",
        "id": uuid.uuid4().hex,
        "from_number": sender,
        "content": text,
        "secret": SECRETS["telerivet"],
    }


@pytest.mark.parametrize(
    "written",
    ["+8801711000010", "8801711000010", "01711000010", "+880 1711-000010", "00880 1711000010"],
)
def test_one_number_however_written(written: str) -> None:
    assert national_number(written) == "01711000010"
    assert sender_key(written) == sender_key("01711000010")


async def test_no_number_and_no_text_is_stored(session: AsyncSession) -> None:
    number, question = "+8801711000011", "LEGAL KALAROA"

    await receive(session, search_backend(session), inbound(question, number))

    rows = (await session.execute(text("SELECT * FROM sms_message"))).all()
    assert rows
    kept = repr(rows).encode() + b"".join(v for row in rows for v in row if isinstance(v, bytes))
    for secret in (number, national_number(number), "1711000011", question, question.lower()):
        assert secret.encode() not in kept
    (row,) = [r for r in rows if r.sender_key == sender_key(number)]
    assert (row.need, row.lang, len(row.sender_key), len(row.delivery_key)) == (
        "legal_aid",
        "en",
        32,
        32,
    )


async def test_the_keys_are_keyed(session: AsyncSession, monkeypatch: pytest.MonkeyPatch) -> None:
    before = sender_key("01711000010")
    monkeypatch.setattr(get_settings(), "secret_key", "another-secret-of-at-least-32-characters!")

    assert sender_key("01711000010") != before  # no table of all numbers' hashes undoes it


async def test_a_number_gets_a_few_replies_an_hour(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "sms_limit_per_hour", 3)
    backend = search_backend(session)
    number = "+8801711000012"

    outcomes = [
        await receive(session, backend, inbound("HEALTH JASHORE", number)) for _ in range(5)
    ]

    assert [o.limited for o in outcomes] == [False, False, False, True, True]
    assert outcomes[3].reply is not None and outcomes[3].reply.text.startswith("Too many messages")
    assert outcomes[4].reply is None  # a flood costs no more SMS
    other = await receive(session, backend, inbound("HEALTH JASHORE", "+8801711000013"))
    assert not other.limited
    # an hour later the number is heard again
    await session.execute(
        update(SmsMessage)
        .where(SmsMessage.sender_key == sender_key(number))
        .values(received_at=func.now() - timedelta(minutes=61))
    )
    assert not (await receive(session, backend, inbound("HEALTH JASHORE", number))).limited


async def test_more_through_a_gateway(client: AsyncClient) -> None:
    number = "+8801711000014"

    first = await client.post("/sms/inbound/telerivet", data=telerivet("HEALTH JASHORE", number))
    more = await client.post("/sms/inbound/telerivet", data=telerivet("more", number))
    someone_else = await client.post(
        "/sms/inbound/telerivet", data=telerivet("MORE", "+8801711000015")
    )

    (shown,) = first.json()["messages"]
    (next_ones,) = more.json()["messages"]
    listed = len(shown["content"].splitlines()) - 3  # the heading, MORE and the helpline
    assert next_ones["content"].startswith("Health care, Jashore:")
    assert next_ones["content"].splitlines()[1].startswith(f"{listed + 1}. ")
    assert "LEGAL KALAROA" in someone_else.json()["messages"][0]["content"]


async def test_forgotten_after_the_configured_time(session: AsyncSession) -> None:
    backend = search_backend(session)
    number = "+8801711000016"
    await receive(session, backend, inbound("HEALTH JASHORE", number))
    hours = get_settings().sms_forget_after_hours
    await session.execute(
        update(SmsMessage)
        .where(SmsMessage.sender_key == sender_key(number))
        .values(received_at=datetime.now(UTC) - timedelta(hours=hours, minutes=1))
    )
    # past the time, a question is not gone on with even before it is deleted
    too_late = await receive(session, backend, inbound("MORE", number))
    assert too_late.reply is not None and "LEGAL KALAROA" in too_late.reply.text
    await session.execute(
        delete(SmsMessage).where(
            SmsMessage.received_at > func.now() - timedelta(minutes=5),
            SmsMessage.sender_key == sender_key(number),
        )
    )

    asked = await session.scalar(select(func.sum(SmsAskCount.count)))

    assert await forget(session) >= 1

    assert not await session.scalar(
        select(func.count())
        .select_from(SmsMessage)
        .where(SmsMessage.sender_key == sender_key(number))
    )
    assert await session.scalar(select(func.sum(SmsAskCount.count))) == asked  # counts stay
    # and MORE has nothing to go on with
    more = await receive(session, backend, inbound("MORE", number))
    assert more.reply is not None and "LEGAL KALAROA" in more.reply.text


async def test_each_question_is_counted_by_need_and_place(session: AsyncSession) -> None:
    backend = search_backend(session)
    today = datetime.now(DHAKA).date()

    async def counted(need: str, place: str) -> int:
        found = await session.scalar(
            select(SmsAskCount.count).where(
                SmsAskCount.day == today, SmsAskCount.need == need, SmsAskCount.place_pcode == place
            )
        )
        return int(found or 0)

    first = await receive(session, backend, inbound("LEGAL KALAROA", "+8801711000017"))
    kalaroa = (
        await session.execute(text("SELECT place_pcode FROM sms_message ORDER BY id DESC LIMIT 1"))
    ).scalar_one()
    before = await counted("legal_aid", kalaroa)
    await receive(session, backend, inbound("আইন কলারোয়া", "+8801711000018"))
    await receive(session, backend, inbound("MORE", "+8801711000018"))  # no new question

    assert first.reply is not None
    assert await counted("legal_aid", kalaroa) == before + 1


# races, each message in its own transaction ------------------------------------------------------


async def _cleanup(engine: AsyncEngine, number: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(delete(SmsMessage).where(SmsMessage.sender_key == sender_key(number)))


async def test_a_delivery_racing_itself_is_answered_once(
    engine: AsyncEngine, live_client: AsyncClient
) -> None:
    number = "+8801711000020"
    fields = telerivet("HELP", number)
    try:
        responses = await asyncio.gather(
            *(live_client.post("/sms/inbound/telerivet", data=fields) for _ in range(8))
        )
        assert [r.status_code for r in responses] == [200] * 8
        assert sorted(len(r.json()["messages"]) for r in responses) == [0] * 7 + [1]
    finally:
        await _cleanup(engine, number)


async def test_the_hourly_limit_holds_when_messages_race(
    engine: AsyncEngine, live_client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "sms_limit_per_hour", 3)
    number = "+8801711000021"
    try:
        responses = await asyncio.gather(
            *(
                live_client.post("/sms/inbound/telerivet", data=telerivet("HELP", number))
                for _ in range(8)
            )
        )
        assert [r.status_code for r in responses] == [200] * 8
        texts = [m["content"] for r in responses for m in r.json()["messages"]]
        assert len(texts) == 4
        assert sum(t.startswith("Too many messages") for t in texts) == 1
    finally:
        await _cleanup(engine, number)


async def test_no_number_and_no_text_in_the_logs(
    client: AsyncClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    number, question = "+8801711000030", "আইন কলারোয়া"
    # a send API that cannot be reached: the failure is logged, the number and text are not
    monkeypatch.setattr(get_settings(), "sms_android_send_url", "http://127.0.0.1:9/message")
    body = documented("android-sms-gateway")["body"]
    body["payload"] |= {"message": question, "sender": number}
    raw = json.dumps(body).encode()
    with caplog.at_level("DEBUG"):
        await client.post("/sms/inbound/telerivet", data=telerivet(question, number))
        await client.post("/sms/inbound/android-sms-gateway", content=raw, headers=signed(raw))

    assert "android-sms-gateway unreachable" in caplog.text
    for secret in (number, national_number(number), question, "কলারোয়া"):
        assert secret not in caplog.text
