"""Security headers, the two CORS policies and the request size limit."""

from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.main import create_app
from tests.accounts import make_account
from tests.api import api_client

PORTAL = "https://jessore.gov.bd"


@pytest.fixture
async def portal_client(session: AsyncSession) -> AsyncIterator[AsyncClient]:
    """A client of an app configured to accept authenticated calls from the district portal."""
    settings = get_settings()
    saved = settings.cors_origins
    settings.cors_origins = [PORTAL]
    app = create_app()
    settings.cors_origins = saved
    async with api_client(session, app=app) as http:
        yield http


@pytest.mark.parametrize("path", ["/", "/services", "/services/nope", "/auth/me"])
async def test_every_response_carries_security_headers(client: AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "max-age" in response.headers["strict-transport-security"]


async def test_authenticated_answers_are_not_cached(
    client: AsyncClient, session: AsyncSession
) -> None:
    account = await make_account(session, role="caseworker")

    assert (await client.get("/auth/me", headers=account.headers)).headers[
        "cache-control"
    ] == "no-store"


async def test_public_reads_allow_any_origin_but_writes_only_the_configured_ones(
    portal_client: AsyncClient,
) -> None:
    def preflight(origin: str, method: str, path: str) -> dict[str, str]:
        return {
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type",
        }

    read = await portal_client.get("/services", headers={"Origin": "https://elsewhere.example"})
    assert read.headers["access-control-allow-origin"] == "*"

    foreign = await portal_client.options(
        "/services", headers=preflight("https://elsewhere.example", "POST", "/services")
    )
    assert foreign.status_code == 400
    assert "access-control-allow-origin" not in foreign.headers

    portal = await portal_client.options(
        "/services", headers=preflight(PORTAL, "POST", "/services")
    )
    assert portal.status_code == 200
    assert portal.headers["access-control-allow-origin"] == PORTAL

    queue = await portal_client.get("/corrections", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in queue.headers

    suggestion = await portal_client.options(
        "/corrections", headers=preflight("https://elsewhere.example", "POST", "/corrections")
    )
    assert suggestion.headers["access-control-allow-origin"] == "*"


async def test_oversized_bodies_are_a_413_problem(
    client: AsyncClient, session: AsyncSession
) -> None:
    account = await make_account(session, role="admin")
    body = '{"name": "' + "x" * (get_settings().max_body_bytes + 10) + '"}'

    response = await client.post(
        "/organizations",
        content=body,
        headers={**account.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_oversized_streamed_bodies_are_a_413_problem(
    client: AsyncClient, session: AsyncSession
) -> None:
    account = await make_account(session, role="admin")
    chunk = b"x" * 8192

    async def stream() -> AsyncIterator[bytes]:
        for _ in range(get_settings().max_body_bytes // len(chunk) + 2):
            yield chunk

    response = await client.post(
        "/organizations",
        content=stream(),
        headers={**account.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
