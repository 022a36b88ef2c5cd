"""Every authenticated request leaves an append-only audit entry; admins can query them."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.accounts import make_account, organization_id


async def _events(
    client: AsyncClient, admin_headers: dict[str, str], **params: Any
) -> list[dict[str, Any]]:
    for _ in range(50):  # the entry is written right after the response is sent
        body = (
            await client.get(
                "/audit-events", params={"per_page": 100, **params}, headers=admin_headers
            )
        ).json()
        if body["contents"]:
            return list(body["contents"])
        await asyncio.sleep(0.02)
    return []


async def test_requests_are_recorded_with_actor_status_records_and_client(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await make_account(session, role="admin")
    maintainer = await make_account(session, role="org_admin")
    org = await organization_id(session, "rights-jessore")
    other = await organization_id(session, "cwcs")

    await client.post(f"/organizations/{org}/verify", headers=maintainer.headers)
    await client.patch(
        f"/organizations/{other}", json={"alternate_name": "X"}, headers=maintainer.headers
    )

    events = await _events(client, admin.headers, actor=maintainer.user.email)
    by_path = {e["path"]: e for e in events}
    verify = by_path[f"/organizations/{org}/verify"]
    assert (verify["method"], verify["status"], verify["role"]) == ("POST", 200, "org_admin")
    assert str(org) in verify["record_ids"]
    assert verify["client"] == "127.0.0.1"
    assert verify["organization_id"] == str(maintainer.user.organization_id)
    assert by_path[f"/organizations/{other}"]["status"] == 403


async def test_the_log_filters_by_actor_id_path_and_time(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await make_account(session, role="admin")
    user = await make_account(session, role="caseworker")
    start = datetime.now(UTC) - timedelta(seconds=1)
    await client.get("/auth/me", headers=user.headers)
    await client.get("/corrections", headers=user.headers)

    by_id = await _events(client, admin.headers, actor=str(user.user.id))
    by_path = await _events(client, admin.headers, actor=user.user.email, path="/corrections")
    in_time = await _events(client, admin.headers, actor=user.user.email, since=start.isoformat())
    before = (
        await client.get(
            "/audit-events",
            params={"actor": user.user.email, "until": start.isoformat()},
            headers=admin.headers,
        )
    ).json()

    assert {e["path"] for e in by_id} == {"/auth/me", "/corrections"}
    assert [e["path"] for e in by_path] == ["/corrections"]
    assert len(in_time) == 2
    assert before["total_items"] == 0


async def test_anonymous_requests_are_not_audited(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await make_account(session, role="admin")
    await client.get("/services", params={"search": "audit-probe-zz"})

    events = (
        await client.get("/audit-events", params={"path": "/services"}, headers=admin.headers)
    ).json()

    assert all("audit-probe-zz" not in (e["query"] or "") for e in events["contents"])


async def test_the_audit_log_is_append_only(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        for statement in (
            "UPDATE audit_event SET status = 200",
            "DELETE FROM audit_event",
            "TRUNCATE audit_event",
        ):
            with pytest.raises(DBAPIError, match="append-only"):
                await conn.execute(text(statement))
            await conn.rollback()


async def test_public_reads_with_a_token_are_audited_too(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await make_account(session, role="admin")
    user = await make_account(session, role="caseworker")

    await client.get("/services", params={"search": "legal aid"}, headers=user.headers)

    events = await _events(client, admin.headers, actor=user.user.email, path="/services")
    assert [(e["path"], e["status"], e["query"]) for e in events] == [
        ("/services", 200, "search=[omitted]")
    ]


async def test_the_log_keeps_no_search_text_and_a_bounded_path_and_query(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await make_account(session, role="admin")
    user = await make_account(session, role="caseworker")
    secret = "rina begum kalaroa " * 1600  # about 30 KB

    await client.get(
        "/services", params={"search": secret, "district": "Jashore"}, headers=user.headers
    )
    await client.get("/services/" + "x" * 5000, params={"q": "y" * 5000}, headers=user.headers)

    events = await _events(client, admin.headers, actor=user.user.email)
    searched = next(e for e in events if e["path"] == "/services")
    assert searched["query"] == "search=[omitted]&district=Jashore"
    long = next(e for e in events if e["path"].startswith("/services/x"))
    assert len(long["path"]) <= 500 and len(long["query"]) <= 500
