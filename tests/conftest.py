"""Test database built by the migrations and the seed loader; each test runs in a rolled-back
transaction against real PostgreSQL + PostGIS."""

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from httpx import AsyncClient
from playwright.async_api import Browser, async_playwright
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import get_settings
from tests.api import api_client
from tests.browser import launch
from tests.committed import World, committed_client, committed_world
from tests.serving import Server, serve
from tests.statuses import SEEN, undocumented


def recreate_database(url: str) -> None:
    name = make_url(url).database
    assert name and name.endswith("_test"), f"refusing to rebuild {name!r}: not a *_test database"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(
            text(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )
        )
    admin.dispose()


def migrate(url: str) -> None:
    config = Config("alembic.ini")
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def database_of_its_own(url: str, purpose: str, *load_seed: str) -> str:
    """`<name>_<purpose>_test` beside the test database `url`, built like it (migrations, then
    `directory load-seed` with the options `load_seed`), for a server process that may change
    it; its URL."""
    parsed = make_url(url)
    name = str(parsed.database).removesuffix("_test")
    own = parsed.set(database=f"{name}_{purpose}_test").render_as_string(hide_password=False)
    recreate_database(own)
    migrate(own)
    seeded = subprocess.run(
        [Path(sys.executable).parent / "directory", "load-seed", *load_seed],
        env={**os.environ, "DATABASE_URL": own},
        capture_output=True,
        text=True,
    )
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    return own


@pytest.fixture(scope="session")
def database_url() -> str:
    """A fresh test database: migrations to head, then the seed directory via the CLI."""
    url = get_settings().database_url
    recreate_database(url)
    migrate(url)
    result = CliRunner().invoke(cli, ["load-seed"])
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url, poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose work is rolled back after the test (commits become savepoints)."""
    async with engine.connect() as conn:
        transaction = await conn.begin()
        session = AsyncSession(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


@pytest.fixture
async def client(session: AsyncSession) -> AsyncIterator[AsyncClient]:
    """HTTP client over ASGI, sharing the test's session and transaction."""
    async with api_client(session) as http:
        yield http


@pytest.fixture
async def world(engine: AsyncEngine) -> AsyncIterator[World]:
    """Committed organizations, a service and accounts of their own (see tests/committed.py)."""
    async with committed_world(engine) as records:
        yield records


@pytest.fixture
async def live_client(database_url: str) -> AsyncIterator[AsyncClient]:
    """A client of the app with its real sessions: each request commits on its own connection."""
    async with committed_client() as http:
        yield http


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium (tests/browser.py), started once for the session."""
    async with async_playwright() as playwright:
        chromium = await launch(playwright)
        yield chromium
        await chromium.close()


@pytest.fixture(scope="session")
def api_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`directory serve` on a free port against the test database, for the session."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    with serve(database_url, log) as server:
        yield server


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when an operation answered with a status its OpenAPI does not list."""
    from app.main import create_app

    missing = undocumented(create_app(), SEEN)
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = ["statuses the suite saw that the operations' OpenAPI does not list:", *missing]
        if reporter is not None:
            reporter.write_line("\n".join(lines), red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
