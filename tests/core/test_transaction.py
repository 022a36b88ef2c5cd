"""Commit, then answer: a request's transaction, and its audit row, commit before the response
starts; a commit that fails is never answered with a 2xx; a database outage is a 503."""

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.audit.models import AuditEvent
from app.core.db import make_engine
from app.core.middleware import SECURITY_HEADERS
from app.main import create_app
from app.referrals.models import Referral
from tests.committed import World
from tests.referrals.helpers import referral_body
from tests.serving import Forwarder, forwarder_to, free_port

# A deferred constraint trigger fails at COMMIT, after every statement of the request succeeded.
FAIL_AT_COMMIT = (
    """
CREATE FUNCTION test_fail_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.case_ref LIKE 'CONFLICT-%' THEN
    RAISE EXCEPTION 'refused at commit' USING ERRCODE = 'check_violation';
  ELSIF NEW.case_ref LIKE 'BROKEN-%' THEN
    RAISE EXCEPTION 'refused at commit';
  END IF;
  RETURN NULL;
END $$
""",
    """
CREATE CONSTRAINT TRIGGER test_fail_at_commit AFTER INSERT ON referral
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_at_commit()
""",
)


@pytest.fixture
async def failing_commits(engine: AsyncEngine) -> AsyncIterator[None]:
    async with engine.begin() as conn:
        for statement in FAIL_AT_COMMIT:
            await conn.execute(text(statement))
    try:
        yield
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DROP TRIGGER test_fail_at_commit ON referral"))
            await conn.execute(text("DROP FUNCTION test_fail_at_commit()"))


async def _count(engine: AsyncEngine, model: type[Any], *conditions: ColumnElement[bool]) -> int:
    async with AsyncSession(engine) as session:
        count = await session.scalar(select(func.count()).select_from(model).where(*conditions))
    return int(count or 0)


@pytest.mark.parametrize(("prefix", "status"), [("CONFLICT", 409), ("BROKEN", 500)])
async def test_a_commit_that_fails_is_never_answered_with_a_2xx(
    engine: AsyncEngine,
    live_client: AsyncClient,
    world: World,
    failing_commits: None,
    prefix: str,
    status: int,
) -> None:
    case_ref = f"{prefix}-{uuid.uuid4().hex[:6]}-1"

    response = await live_client.post(
        "/referrals",
        json=referral_body(world.service_id, case_ref=case_ref),
        headers=world.referrer,
    )

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status
    assert "etag" not in response.headers and "location" not in response.headers
    for name, value in SECURITY_HEADERS:
        assert response.headers[name.decode()] == value.decode()
    assert response.headers["cache-control"] == "no-store"
    assert await _count(engine, Referral, Referral.case_ref == case_ref) == 0
    # the failure is on the record, with the status the client was given
    audited = await _count(
        engine,
        AuditEvent,
        AuditEvent.path == "/referrals",
        AuditEvent.method == "POST",
        AuditEvent.status == status,
    )
    assert audited >= 1


async def test_the_audit_row_is_committed_when_the_client_has_the_answer(
    engine: AsyncEngine, live_client: AsyncClient, world: World
) -> None:
    created = await live_client.post(
        "/referrals", json=referral_body(world.service_id), headers=world.referrer
    )
    # no waiting: another connection sees the row the moment the response is in
    assert (
        await _count(
            engine,
            AuditEvent,
            AuditEvent.path == "/referrals",
            AuditEvent.record_ids.any(created.json()["id"]),
            AuditEvent.status == 201,
        )
        == 1
    )
    path = f"/referrals/{created.json()['id']}"

    read = await live_client.get(path, headers=world.provider)
    refused = await live_client.get(path + "-not-an-id", headers=world.provider)

    assert (read.status_code, refused.status_code) == (200, 422)
    assert await _count(engine, AuditEvent, AuditEvent.path == path, AuditEvent.status == 200) == 1
    assert (
        await _count(
            engine, AuditEvent, AuditEvent.path == path + "-not-an-id", AuditEvent.status == 422
        )
        == 1
    )


@pytest.fixture
def proxy(database_url: str) -> Iterator[Forwarder]:
    with forwarder_to(database_url) as forwarder:
        yield forwarder


@pytest.fixture
async def proxied_client(database_url: str, proxy: Forwarder) -> AsyncIterator[AsyncClient]:
    """The API on a database reached through `proxy`."""
    url = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    engine = make_engine(url.render_as_string(hide_password=False))
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    transport = ASGITransport(app=create_app(lambda: sessions), raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    await engine.dispose()


async def test_a_database_outage_is_a_503_and_the_api_recovers_by_itself(
    proxied_client: AsyncClient, proxy: Forwarder, world: World
) -> None:
    assert (
        await proxied_client.get("/services", params={"district": "Jashore"})
    ).status_code == 200

    proxy.cut()
    public = await proxied_client.get(
        "/services", params={"district": "Jashore"}, headers={"Origin": "https://portal.example"}
    )
    signed_in = await proxied_client.get("/referrals", headers=world.referrer)
    write = await proxied_client.post(
        "/referrals", json=referral_body(world.service_id), headers=world.referrer
    )

    for response in (public, signed_in, write):
        assert response.status_code == 503, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert int(response.headers["retry-after"]) > 0
        for name, value in SECURITY_HEADERS:
            assert response.headers[name.decode()] == value.decode()
    assert public.headers["access-control-allow-origin"] == "*"
    assert signed_in.headers["cache-control"] == write.headers["cache-control"] == "no-store"

    proxy.open()
    again = await proxied_client.get("/services", params={"district": "Jashore"})
    assert again.status_code == 200, again.text


async def test_a_database_that_never_answers_is_a_503() -> None:
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing")
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    transport = ASGITransport(app=create_app(lambda: sessions), raise_app_exceptions=False)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get(
            "/services/" + str(uuid.uuid4()), headers={"Accept-Language": "bn"}
        )
    await engine.dispose()

    assert response.status_code == 503
    assert response.json()["title"] == "সেবাটি এখন পাওয়া যাচ্ছে না"
