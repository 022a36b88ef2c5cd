"""The real server (`directory serve`, SEARCH_BACKEND=meilisearch) against a Meilisearch process of
this module's own, which the tests stop and start again: the sync worker keeps the index in step
within its interval, `directory search-rebuild` swaps the index while searches go on, and an
outage falls back to PostgreSQL and is made good once Meilisearch is back.

The server works on the committed test directory; what a test adds through the API belongs to a
committed world (tests/committed.py) and is deleted with it.
"""

import asyncio
import os
import secrets
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from search.meili import filter_expression
from search.query import ServiceQuery
from tests.committed import World
from tests.serving import DIRECTORY, ROOT, Server, free_port, serve, stop

MEILI_BINARY = ROOT / ".data" / "meili" / "bin" / "meilisearch"
SYNC_INTERVAL_SECONDS = 1.0
# how long a change may take to show: one sync interval, and a wide margin for a loaded machine
# (Meilisearch's task queue, the test runner, a benchmark beside them); the delays seen are
# printed (about one to two seconds on an idle machine)
SHOWS_WITHIN_SECONDS = 30.0
ORIGIN = {"lat": "23.1667", "lng": "89.2085", "radius_km": "30"}  # Jashore


@dataclass
class OwnMeilisearch:
    """A Meilisearch process on a port of its own, with its data in a temporary directory; it can
    be stopped and started again on the same port with the same data."""

    directory: Path
    port: int = field(default_factory=free_port)
    key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    process: "subprocess.Popen[bytes] | None" = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert MEILI_BINARY.exists(), f"{MEILI_BINARY} is missing: `make test` installs it"
        command = [
            str(MEILI_BINARY),
            "--env",
            "production",
            "--master-key",
            self.key,
            "--http-addr",
            f"127.0.0.1:{self.port}",
            "--db-path",
            str(self.directory / "data"),
            "--dump-dir",
            str(self.directory / "dumps"),
            "--snapshot-dir",
            str(self.directory / "snapshots"),
            "--log-level",
            "WARN",
        ]
        with (self.directory / "meilisearch.log").open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env={**os.environ, "MEILI_NO_ANALYTICS": "true"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, (self.directory / "meilisearch.log").read_text()
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError("Meilisearch did not answer within 30 s")

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None


@dataclass
class Live:
    meili: OwnMeilisearch
    server: Server
    index: str
    env: dict[str, str]


@pytest.fixture(scope="module")
def live(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """Meilisearch and the API over it, with a sync interval of one second; the index is built by
    the server at start-up (it finds it empty)."""
    directory = tmp_path_factory.mktemp("meilisearch")
    meili = OwnMeilisearch(directory)
    meili.start()
    env = {
        "SEARCH_BACKEND": "meilisearch",
        "MEILI_URL": meili.url,
        "MEILI_API_KEY": meili.key,
        "MEILI_INDEX": f"services_live_{uuid.uuid4().hex[:8]}",
        "SEARCH_SYNC_INTERVAL_SECONDS": str(SYNC_INTERVAL_SECONDS),
        "MEILI_RETRY_SECONDS": "1",
        "MEILI_TIMEOUT_SECONDS": "10",  # a loaded machine must not look like an outage
    }
    try:
        with serve(database_url, directory / "server.log", **env) as server:
            _wait_for_meilisearch(server)
            yield Live(meili, server, env["MEILI_INDEX"], env)
    finally:
        meili.stop()


def _wait_for_meilisearch(server: Server, seconds: float = 60.0) -> None:
    """Until the server's searches are answered by Meilisearch with the whole directory."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = httpx.get(f"{server.url}/services", params={"per_page": 1}, timeout=10)
        if (
            response.headers.get("X-Search-Backend") == "meilisearch"
            and response.json()["total_items"]
        ):
            return
        time.sleep(0.2)
    raise AssertionError(f"searches never reached Meilisearch:\n{server.output()[-3000:]}")


async def _search(http: AsyncClient, **params: str) -> tuple[str, set[str], int]:
    """(backend, ids, total) of one search over every page."""
    ids: set[str] = set()
    page, backend, total = 1, "", 0
    while True:
        response = await http.get(
            "/services", params={**params, "per_page": "100", "page": str(page)}
        )
        assert response.status_code == 200, response.text
        backend = response.headers["X-Search-Backend"]
        body = response.json()
        total = body["total_items"]
        ids |= {item["id"] for item in body["contents"]}
        if body["last_page"] or not body["contents"]:
            return backend, ids, total
        page += 1


async def _findable(live: Live, service_id: str, word: str) -> bool:
    """Whether the index itself (not the API) finds the service, visible, by `word`."""
    async with AsyncClient(base_url=live.meili.url, timeout=10) as meili:
        response = await meili.post(
            f"/indexes/{live.index}/search",
            headers={"Authorization": f"Bearer {live.meili.key}"},
            json={
                "q": word,
                "filter": [f'service_id = "{service_id}"', filter_expression(ServiceQuery())[0]],
            },
        )
    assert response.status_code == 200, response.text
    return bool(response.json()["hits"])


async def _until(live: Live, http: AsyncClient, found: bool, service_id: str, word: str) -> float:
    """Seconds until a Meilisearch answer to a search for `word` does (or does not) hold the
    service, and the index agrees (a service gone from PostgreSQL has no list item to show)."""
    started = time.monotonic()
    while time.monotonic() - started < SHOWS_WITHIN_SECONDS:
        backend, ids, _ = await _search(http, search=word)
        if (
            backend == "meilisearch"
            and (service_id in ids) == found
            and await _findable(live, service_id, word) == found
        ):
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError(
        f"{service_id} {'never appeared' if found else 'never left'} in a search for {word} "
        f"within {SHOWS_WITHIN_SECONDS} s"
    )


async def _create_legal_aid(http: AsyncClient, world: World, name: str) -> str:
    """A legal aid service of the world's provider in Jashore, made through the API; its id."""
    created = await http.post(
        "/services",
        headers=world.admin,
        json={
            "organization_id": str(world.provider_id),
            "name": name,
            "categories": ["legal_aid"],
            "service_area": ["BD4041"],
        },
    )
    assert created.status_code == 201, created.text
    service_id: str = created.json()["id"]
    return service_id


async def test_created_updated_deactivated_and_deleted_services_show_within_the_interval(
    live: Live, world: World, engine: AsyncEngine
) -> None:
    word = f"zentrafol{uuid.uuid4().hex[:6]}"
    async with AsyncClient(base_url=live.server.url, timeout=10) as http:
        service_id = await _create_legal_aid(http, world, f"{word} legal desk")
        delays = {"create": await _until(live, http, True, service_id, word)}

        renamed = f"quillomar{uuid.uuid4().hex[:6]}"
        changed = await http.patch(
            f"/services/{service_id}", headers=world.admin, json={"name": f"{renamed} legal desk"}
        )
        assert changed.status_code == 200, changed.text
        delays["update"] = await _until(live, http, True, service_id, renamed)
        assert service_id not in (await _search(http, search=word))[1]

        inactive = await http.patch(
            f"/services/{service_id}", headers=world.admin, json={"status": "inactive"}
        )
        assert inactive.status_code == 200, inactive.text
        delays["deactivate"] = await _until(live, http, False, service_id, renamed)

        active = await http.patch(
            f"/services/{service_id}", headers=world.admin, json={"status": "active"}
        )
        assert active.status_code == 200, active.text
        await _until(live, http, True, service_id, renamed)
        # no API deletes a service: the loader and operators do, in the database
        async with engine.begin() as connection:
            await connection.execute(
                text("DELETE FROM attribute WHERE link_id = :id"), {"id": service_id}
            )
            await connection.execute(text("DELETE FROM service WHERE id = :id"), {"id": service_id})
        delays["delete"] = await _until(live, http, False, service_id, renamed)
    print(f"seconds until search shows the change: {delays}")


def test_a_rebuild_swaps_the_index_while_every_search_finds_the_directory(
    live: Live, database_url: str
) -> None:
    answers: list[tuple[str, int]] = []
    done = threading.Event()

    def keep_searching() -> None:
        with httpx.Client(base_url=live.server.url, timeout=10) as http:
            while not done.is_set():
                for params in ({"search": "hospital"}, {"category": "legal_aid"}, {}):
                    response = http.get("/services", params={**params, "per_page": "5"})
                    answers.append(
                        (response.headers.get("X-Search-Backend", ""), response.status_code)
                    )
                    if response.status_code == 200 and not response.json()["contents"]:
                        answers.append(("empty", 0))

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        rebuilt = subprocess.run(
            [str(DIRECTORY), "search-rebuild"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, **live.env, "DATABASE_URL": database_url, "ENVIRONMENT": "test"},
            timeout=300,
        )
    finally:
        done.set()
        searcher.join()
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert len(answers) >= 3
    assert ("empty", 0) not in answers
    assert {answer for answer in answers} == {("meilisearch", 200)}
    print(f"{len(answers)} searches during the rebuild, none empty")


async def test_an_outage_falls_back_and_the_queue_drains_once_meilisearch_is_back(
    live: Live, world: World, live_client: AsyncClient
) -> None:
    word = f"vandrelic{uuid.uuid4().hex[:6]}"
    queries: list[dict[str, str]] = [
        {"search": word},
        {"search": "legal aid"},
        {"category": "legal_aid"},
        {"district": "Jashore", "category": "legal_aid"},
        {**ORIGIN, "search": "legal"},
    ]
    async with AsyncClient(base_url=live.server.url, timeout=10) as http:
        live.meili.stop()
        try:
            backend, _, _ = await _search(http, search="legal aid")
            assert backend == "postgres"
            service_id = await _create_legal_aid(http, world, f"{word} legal aid")
            fallback = await http.get("/services", params={"search": word})
            assert fallback.headers["X-Search-Backend"] == "postgres"
            assert fallback.headers["X-Search-Fallback"]
            assert [item["id"] for item in fallback.json()["contents"]] == [service_id]
        finally:
            live.meili.start()
        # the worker retries with a growing pause (at most a minute after many failures)
        started = time.monotonic()
        while time.monotonic() - started < 90:
            backend, ids, _ = await _search(http, search=word)
            if backend == "meilisearch" and service_id in ids:
                break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError("the queued change never reached Meilisearch")
        print(f"drained {time.monotonic() - started:.1f} s after Meilisearch came back")

        for params in queries:
            on_meili = await _search(http, **params)
            on_postgres = await _search(live_client, **params)
            assert on_meili[0] == "meilisearch" and on_postgres[0] == "postgres"
            assert on_meili[1:] == on_postgres[1:], params
