"""Retention: long-closed referrals lose their case reference and free text, not their counts."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.referrals.models import Referral, ReferralEvent
from app.referrals.retention import purge_closed
from tests.committed import World
from tests.referrals.helpers import make_mou, parties, refer, referral_body, service_id
from tests.referrals.test_lifecycle import move


async def test_purging_keeps_what_reports_count(client: AsyncClient, session: AsyncSession) -> None:
    mou = await make_mou(session)
    referrer, provider = await parties(session)
    old, etag = await refer(client, referrer, await service_id(session), notes="met at the shelter")
    cancelled = await move(
        client, referrer, old["id"], etag, {"to": "cancelled", "note": "moved to Dhaka"}
    )
    recent, _ = await refer(client, referrer, await service_id(session))
    closed_long_ago = datetime.now(UTC) - timedelta(days=800)
    await session.execute(
        update(Referral)
        .where(Referral.id == uuid.UUID(old["id"]))
        .values(closed_at=closed_long_ago)
    )
    assert cancelled.status_code == 200

    assert await purge_closed(session, months=24) == 1

    purged = (await client.get(f"/referrals/{old['id']}", headers=provider.headers)).json()
    assert (purged["case_ref"], purged["reason"], purged["notes"], purged["consent"]["scope"]) == (
        None,
        None,
        None,
        None,
    )
    assert purged["client"] == {"sex": "female", "age_band": "18-24"}
    assert purged["status"] == "cancelled"
    assert [e["note"] for e in purged["events"]] == [None, None]
    assert [e["to"] for e in purged["events"]] == ["requested", "cancelled"]
    kept = (await client.get(f"/referrals/{recent['id']}", headers=provider.headers)).json()
    assert kept["case_ref"] == recent["case_ref"]
    report = (
        await client.get(
            "/reports/referrals", params={"mou_id": str(mou.id)}, headers=referrer.headers
        )
    ).json()
    assert report["rows"][0]["sent"] == 2
    assert await purge_closed(session, months=24) == 0


async def test_outside_the_purge_events_cannot_be_changed(
    engine: AsyncEngine, live_client: AsyncClient, world: World
) -> None:
    created = await live_client.post(
        "/referrals", json=referral_body(world.service_id), headers=world.referrer
    )
    assert created.status_code == 201, created.text
    # its own connection only: TRUNCATE waits for every other transaction that read the table
    async with engine.connect() as conn:
        event_id = (
            await conn.execute(
                select(ReferralEvent.id).where(ReferralEvent.referral_id == created.json()["id"])
            )
        ).scalar_one()
        await conn.rollback()
        for statement in (
            f"UPDATE referral_event SET note = NULL WHERE id = {event_id}",
            f"UPDATE referral_event SET to_status = 'completed' WHERE id = {event_id}",
            f"DELETE FROM referral_event WHERE id = {event_id}",
            "TRUNCATE referral_event CASCADE",
        ):
            with pytest.raises(DBAPIError, match="append-only"):
                await conn.execute(text(statement))
            await conn.rollback()
        await conn.execute(text("SET referral.purge = 'on'"))
        with pytest.raises(DBAPIError, match="append-only"):
            await conn.execute(
                text(f"UPDATE referral_event SET to_status = 'completed' WHERE id = {event_id}")
            )
        await conn.rollback()
