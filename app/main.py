"""The FastAPI application."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.audit.middleware import AuditRecorder
from app.audit.routes import router as audit_router
from app.auth.routes import router as auth_router
from app.auth.user_routes import router as user_router
from app.core.config import get_settings
from app.core.db import get_engine, get_sessionmaker
from app.core.errors import install_error_handlers
from app.core.health import router as health_router
from app.core.middleware import LimitBody, RejectNulBytes, SecurityHeaders, SplitCORS
from app.core.openapi import install_openapi
from app.core.startup import check_bengali_trigrams
from app.core.transaction import RequestTransactions
from app.directory.correction_routes import router as correction_router
from app.directory.maintenance_routes import router as maintenance_router
from app.directory.routes import router as directory_router
from app.directory.search_engine import (
    close_meili_search_http,
    discard_outbox_periodically,
    keep_meilisearch_in_step,
)
from app.portal.routes import install_portal
from app.referrals.jobs import run_periodically
from app.referrals.routes import router as referral_router

logger = logging.getLogger("app")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Refuse to serve from a database that cannot search Bangla."""
    async with get_engine().connect() as conn:
        await check_bengali_trigrams(conn)
    settings = get_settings()
    jobs = []
    if settings.expiry_interval_minutes:
        jobs.append(asyncio.create_task(run_periodically(settings.expiry_interval_minutes * 60)))
    if settings.search_backend == "meilisearch" and settings.search_sync_interval_seconds:
        interval = settings.search_sync_interval_seconds
        jobs.append(asyncio.create_task(keep_meilisearch_in_step(interval)))
    elif settings.search_backend == "postgres":
        jobs.append(asyncio.create_task(discard_outbox_periodically(3600, keep_seconds=86400)))
    yield
    for job in jobs:
        job.cancel()
    await close_meili_search_http()
    await get_engine().dispose()


def create_app(
    sessions: Callable[[], async_sessionmaker[AsyncSession]] = get_sessionmaker,
) -> FastAPI:
    """Builds the application with its middleware, error handlers and routes; `sessions` gives
    the factory of the requests' sessions (the configured database by default)."""
    settings = get_settings()
    app = FastAPI(
        title="Referral-network service directory",
        summary="HSDS 3.0 API of the district anti-trafficking referral networks of Bangladesh",
        version="0.1.0",
        lifespan=lifespan,
    )
    # innermost: its commit failures and problems pass through compression, CORS and headers
    app.add_middleware(RequestTransactions, sessions=sessions, recorder=AuditRecorder())
    app.add_middleware(
        GZipMiddleware,
        minimum_size=settings.gzip_minimum_size,
        compresslevel=settings.gzip_level,
    )
    app.add_middleware(SplitCORS, private_origins=settings.cors_origins)
    app.add_middleware(RejectNulBytes)
    app.add_middleware(LimitBody, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    app.include_router(directory_router)
    app.include_router(maintenance_router)
    app.include_router(correction_router)
    app.include_router(audit_router)
    app.include_router(referral_router)
    app.include_router(auth_router)
    app.include_router(user_router)
    install_portal(app)
    app.include_router(health_router)
    install_openapi(app)
    return app


app = create_app()
