"""Liveness and readiness probes: `GET /healthz` (the process answers) and `GET /readyz` (the
database answers, is migrated to the shipped head, and search works)."""

import asyncio
import logging
from functools import lru_cache
from pathlib import Path
from typing import Literal

import anyio
from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from app.core.config import get_settings
from app.core.db import get_engine
from app.core.errors import PROBLEM_JSON, problem
from app.core.i18n import preferred_language
from app.directory.search_engine import breaker, meili_client

logger = logging.getLogger("app.health")

router = APIRouter(tags=["health"])

# a probe must answer before the orchestrator's own timeout (compose: 5 s)
DATABASE_TIMEOUT_SECONDS = 2.0
RETRY_AFTER_SECONDS = 5
SOURCE_ROOT = Path(__file__).resolve().parents[2]

CheckStatus = Literal["ok", "fallback_active", "failing"]


class Check(BaseModel):
    """The state of one thing the API needs."""

    status: CheckStatus
    detail: str


class Liveness(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready"]
    checks: dict[str, Check]


class NotReady(BaseModel):
    """problem+json naming the failing checks."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    checks: dict[str, Check]


class MigrationsNotFound(RuntimeError):
    """No alembic.ini of the shipped migrations where the settings say or beside the code."""


def alembic_ini() -> Path:
    """The shipped migrations' alembic.ini: ALEMBIC_CONFIG (the image sets it), else the one
    beside the source tree (a clone), else the working directory's."""
    configured = get_settings().alembic_config
    if configured:
        candidates = [Path(configured)]
    else:
        candidates = [SOURCE_ROOT / "alembic.ini", Path.cwd() / "alembic.ini"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise MigrationsNotFound("alembic.ini not found at " + ", ".join(map(str, candidates)))


@lru_cache
def shipped_heads() -> frozenset[str]:
    """The head revisions of the migrations shipped with the app (read once: they cannot
    change under a running process)."""
    config = Config(str(alembic_ini()))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


async def check_database() -> tuple[Check, Check]:
    """Whether the database answers in time, and whether it is at the shipped head."""
    try:
        heads = await anyio.to_thread.run_sync(shipped_heads)
    except Exception as error:
        logger.warning("readiness: the shipped migrations cannot be read: %s", error)
        heads = None
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS), get_engine().connect() as conn:
            versions: frozenset[str] = frozenset()
            if await conn.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL")):
                rows = await conn.scalars(text("SELECT version_num FROM alembic_version"))
                versions = frozenset(rows)
    except TimeoutError:
        logger.warning(
            "readiness: the database did not answer within %ss", DATABASE_TIMEOUT_SECONDS
        )
        return _failing(f"no answer within {DATABASE_TIMEOUT_SECONDS:g} s"), _unchecked()
    except Exception as error:
        logger.warning("readiness: the database is unreachable: %s", error)
        return _failing(f"unreachable ({type(error).__name__})"), _unchecked()
    database = Check(status="ok", detail="answers")
    if heads is None:
        return database, _failing("the migrations shipped with the app were not found")
    if not versions:
        return database, _failing(f"not migrated; the head is {', '.join(sorted(heads))}")
    if versions != heads:
        at, head = ", ".join(sorted(versions)), ", ".join(sorted(heads))
        return database, _failing(f"the database is at {at}, the shipped head is {head}")
    return database, Check(status="ok", detail=f"at the head, {', '.join(sorted(heads))}")


async def meilisearch_problem() -> str | None:
    """Why searches do not go to Meilisearch now, or None when they do (the client gives up
    after MEILI_TIMEOUT_SECONDS)."""
    try:
        await anyio.to_thread.run_sync(meili_client().health)
    except Exception as error:
        logger.warning("readiness: Meilisearch does not answer: %s", error)
        return f"Meilisearch does not answer ({type(error).__name__})"
    return "Meilisearch failed recently" if breaker().is_open() else None


async def check_search(*, database_ok: bool) -> Check:
    """PostgreSQL search works when the database does. Meilisearch is asked; when it does not
    answer, PostgreSQL answers searches instead (`fallback_active`, ready all the same)."""
    if get_settings().search_backend == "postgres":
        if database_ok:
            return Check(status="ok", detail="postgres")
        return _failing("postgres, and the database is unreachable")
    reason = await meilisearch_problem()
    if reason is None:
        return Check(status="ok", detail="meilisearch")
    if database_ok:
        return Check(status="fallback_active", detail=f"{reason}; PostgreSQL answers searches")
    return _failing(f"{reason}, and the database is unreachable")


def _failing(detail: str) -> Check:
    return Check(status="failing", detail=detail)


def _unchecked() -> Check:
    return _failing("not checked: the database is unreachable")


@router.get("/healthz", response_model=Liveness, summary="Liveness: the process answers")
async def healthz() -> Liveness:
    """200 while the process serves requests; looks at nothing else (not the database)."""
    return Liveness(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Readiness: database, migrations and search",
    responses={
        503: {
            "model": NotReady,
            "content": {PROBLEM_JSON: {}},
            "description": (
                "Not ready: the failing checks are named; `Retry-After` says when to ask again."
            ),
            "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
        }
    },
)
async def readyz(request: Request) -> Readiness | JSONResponse:
    """200 when the database answers, is migrated to the head of the shipped migrations, and
    search works (`fallback_active`: Meilisearch does not answer and PostgreSQL searches);
    otherwise 503 problem+json naming the failing checks."""
    database, migrations = await check_database()
    search = await check_search(database_ok=database.status == "ok")
    checks = {"database": database, "migrations": migrations, "search": search}
    failing = [name for name, check in checks.items() if check.status == "failing"]
    if not failing:
        return Readiness(status="ready", checks=checks)
    names = ", ".join(failing)
    bangla = preferred_language(request) == "bn"
    response = problem(
        request,
        503,
        code="not-ready",
        detail=f"প্রস্তুত নয়: {names}" if bangla else f"Not ready: {names}",
        checks={name: check.model_dump() for name, check in checks.items()},
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response
