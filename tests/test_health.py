"""GET /healthz and GET /readyz: in-process, and on the real server whose database goes away
(a TCP forwarder between them is cut, stalled and restored)."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from app import health
from app.audit.models import AuditEvent
from app.core.config import Settings, get_settings
from app.directory import search_engine
from tests.serving import ROOT, Forwarder, Server, forwarder_to, serve

UNREACHABLE = "http://127.0.0.1:9"


def shipped_head() -> str:
    (head,) = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_heads()
    return head


async def test_healthz_says_the_process_is_alive(client: AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_names_each_check(client: AsyncClient, session: AsyncSession) -> None:
    audited = await session.scalar(select(func.count()).select_from(AuditEvent))

    response = await client.get("/readyz")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "search"}
    assert {check["status"] for check in body["checks"].values()} == {"ok"}
    assert shipped_head() in body["checks"]["migrations"]["detail"]
    assert body["checks"]["search"]["detail"] == "postgres"
    # no token needed, and nothing recorded
    assert await session.scalar(select(func.count()).select_from(AuditEvent)) == audited


async def test_a_database_behind_the_shipped_migrations_is_not_ready(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "shipped_heads", lambda: frozenset({"ffffffffffff"}))

    response = await client.get("/readyz", headers={"Accept-Language": "bn"})

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["status"] == 503
    assert body["detail"] == "প্রস্তুত নয়: migrations"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["migrations"]["status"] == "failing"
    assert shipped_head() in body["checks"]["migrations"]["detail"]
    assert "ffffffffffff" in body["checks"]["migrations"]["detail"]


def test_the_shipped_migrations_are_found_from_alembic_config_or_beside_the_code(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert health.alembic_ini() == ROOT / "alembic.ini"

    # the image sets ALEMBIC_CONFIG=/app/alembic.ini: the file named wins, wherever it is
    named = Settings(alembic_config=str(ROOT / "alembic.ini"))
    monkeypatch.setattr(health, "get_settings", lambda: named)
    assert health.alembic_ini() == ROOT / "alembic.ini"
    missing = Settings(alembic_config=str(tmp_path / "alembic.ini"))
    monkeypatch.setattr(health, "get_settings", lambda: missing)
    with pytest.raises(health.MigrationsNotFound, match=r"alembic\.ini not found"):
        health.alembic_ini()


async def test_shipped_migrations_that_cannot_be_found_make_it_not_ready(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = get_settings().model_copy(update={"alembic_config": str(tmp_path / "none.ini")})
    monkeypatch.setattr(health, "get_settings", lambda: settings)
    health.shipped_heads.cache_clear()
    try:
        response = await client.get("/readyz")
    finally:
        health.shipped_heads.cache_clear()

    assert response.status_code == 503
    assert response.json()["detail"] == "Not ready: migrations"
    assert "not found" in response.json()["checks"]["migrations"]["detail"]


class FakeMeilisearchHealth(BaseHTTPRequestHandler):
    """Answers GET /health as Meilisearch does."""

    def do_GET(self) -> None:
        body = json.dumps({"status": "available"}).encode()
        self.send_response(200 if self.path == "/health" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def meilisearch_health() -> Iterator[str]:
    """The URL of a local stand-in that answers Meilisearch's health request."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeMeilisearchHealth)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def use_meilisearch(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    settings = get_settings().model_copy(
        update={"search_backend": "meilisearch", "meili_url": url, "meili_timeout_seconds": 1}
    )
    for module in (health, search_engine):
        monkeypatch.setattr(module, "get_settings", lambda: settings)
    for cache in (search_engine.meili_client, search_engine.breaker):
        cache.cache_clear()


@pytest.fixture
def clear_search_caches() -> Iterator[None]:
    yield
    for cache in (search_engine.meili_client, search_engine.breaker):
        cache.cache_clear()


@pytest.mark.usefixtures("clear_search_caches")
async def test_meilisearch_that_answers_is_ok(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch, meilisearch_health: str
) -> None:
    use_meilisearch(monkeypatch, meilisearch_health)

    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"]["search"] == {"status": "ok", "detail": "meilisearch"}

    # after a failed search PostgreSQL answers for a while: the probe says so
    search_engine.breaker().trip("test")
    search = (await client.get("/readyz")).json()["checks"]["search"]
    assert search["status"] == "fallback_active"


@pytest.mark.usefixtures("clear_search_caches")
async def test_meilisearch_that_is_down_means_the_fallback_is_active(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_meilisearch(monkeypatch, UNREACHABLE)

    response = await client.get("/readyz")

    assert response.status_code == 200, response.text
    search = response.json()["checks"]["search"]
    assert search["status"] == "fallback_active"
    assert "PostgreSQL answers searches" in search["detail"]


async def test_both_probes_are_in_the_openapi_description(client: AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]

    assert set(paths["/healthz"]["get"]["responses"]) >= {"200"}
    readyz = paths["/readyz"]["get"]["responses"]
    assert {"200", "503"} <= set(readyz)
    assert "Retry-After" in readyz["503"]["headers"]
    assert "application/problem+json" in readyz["503"]["content"]


@pytest.fixture(scope="module")
def forwarder(database_url: str) -> Iterator[Forwarder]:
    with forwarder_to(database_url) as forwarding:
        yield forwarding


@pytest.fixture(scope="module")
def server(
    database_url: str, forwarder: Forwarder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The server, reaching its database through `forwarder`."""
    through = make_url(database_url).set(host="127.0.0.1", port=forwarder.port)
    log = tmp_path_factory.mktemp("health") / "server.log"
    with serve(through.render_as_string(hide_password=False), log) as running:
        yield running


def wait_until_ready(server: Server, seconds: float = 10) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while True:
        response = httpx.get(server.url + "/readyz")
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def test_without_its_database_the_server_is_alive_not_ready_and_recovers(
    server: Server, forwarder: Forwarder
) -> None:
    assert httpx.get(server.url + "/readyz").status_code == 200

    forwarder.cut()
    try:
        alive = httpx.get(server.url + "/healthz")
        ready = httpx.get(server.url + "/readyz")
    finally:
        forwarder.open()

    assert alive.status_code == 200
    assert alive.json() == {"status": "ok"}
    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    assert int(ready.headers["retry-after"]) > 0
    body = ready.json()
    assert body["detail"] == "Not ready: database, migrations, search"
    assert body["checks"]["database"]["status"] == "failing"
    assert "unreachable" in body["checks"]["database"]["detail"]
    # the database's address is not given away
    assert str(forwarder.port) not in ready.text
    # back by itself once the database is
    recovered = wait_until_ready(server)
    assert recovered.status_code == 200, recovered.text
    assert recovered.json()["status"] == "ready"
    assert "Traceback" not in server.output()


def test_a_database_that_does_not_answer_does_not_hold_the_probe(
    server: Server, forwarder: Forwarder
) -> None:
    assert wait_until_ready(server).status_code == 200

    forwarder.stall()
    try:
        started = time.monotonic()
        ready = httpx.get(server.url + "/readyz", timeout=30)
        waited = time.monotonic() - started
    finally:
        forwarder.stalling = False

    assert ready.status_code == 503
    assert ready.json()["checks"]["database"]["detail"] == "no answer within 2 s"
    assert waited < health.DATABASE_TIMEOUT_SECONDS + 2
    assert wait_until_ready(server).status_code == 200
