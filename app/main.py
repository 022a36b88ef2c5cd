"""The FastAPI application."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import reduce
from operator import or_

from fastapi import Depends, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.audit import routes as audit_routes
from app.audit.middleware import AuditRecorder
from app.auth import routes as auth_routes
from app.auth import user_routes
from app.core.config import get_settings
from app.core.db import get_engine, get_sessionmaker
from app.core.docs import install_docs
from app.core.errors import install_error_handlers
from app.core.media_types import require_media_type
from app.core.middleware import (
    CrossOrigin,
    HeadAsGet,
    LimitBody,
    RejectNulBytes,
    SecurityHeaders,
    SplitCORS,
)
from app.core.openapi import install_openapi, operation_id
from app.core.startup import check_bengali_trigrams
from app.core.strict_params import reject_unknown_parameters
from app.core.transaction import RequestTransactions
from app.directory import correction_routes, maintenance_routes
from app.directory import routes as directory_routes
from app.directory.confidential import use_partners
from app.directory.search_engine import (
    close_meili_search_http,
    discard_outbox_periodically,
    keep_meilisearch_in_step,
)
from app.exports import routes as export_routes
from app.gazetteer import routes as gazetteer_routes
from app.health import router as health_router
from app.portal.routes import install_portal
from app.print import routes as print_routes
from app.referrals import routes as referral_routes
from app.referrals.jobs import run_periodically
from app.referrals.mous import partners_of
from app.sms import routes as sms_routes
from app.sms.store import forget_periodically

logger = logging.getLogger("app")

# the domains' route modules, in the order their routes are matched; each has a `router` and
# says in `cross_origin` which of its reads are not public (SplitCORS)
ROUTE_MODULES = (
    directory_routes,
    gazetteer_routes,
    export_routes,
    maintenance_routes,
    correction_routes,
    audit_routes,
    referral_routes,
    auth_routes,
    user_routes,
    print_routes,
    sms_routes,
)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Refuse to serve from a database that cannot search Bangla."""
    async with get_engine().connect() as conn:
        await check_bengali_trigrams(conn)
    settings = get_settings()
    jobs = []
    if settings.expiry_interval_minutes:
        every = settings.expiry_interval_minutes * 60
        jobs.append(asyncio.create_task(run_periodically(every)))
        jobs.append(asyncio.create_task(forget_periodically(every)))
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
    # the directory shows confidential locations to its MoU partners, which referrals know
    use_partners(partners_of)
    app = FastAPI(
        title="Referral-network service directory",
        summary="HSDS 3.0 API of the district anti-trafficking referral networks of Bangladesh",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(require_media_type), Depends(reject_unknown_parameters)],
        generate_unique_id_function=operation_id,
        # the docs pages are install_docs's, from files that ship with the app
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    # innermost: its commit failures and problems pass through compression, CORS and headers
    app.add_middleware(RequestTransactions, sessions=sessions, recorder=AuditRecorder())
    app.add_middleware(
        GZipMiddleware,
        minimum_size=settings.gzip_minimum_size,
        compresslevel=settings.gzip_level,
    )
    app.add_middleware(
        SplitCORS,
        private_origins=settings.cors_origins,
        cross_origin=reduce(or_, (module.cross_origin for module in ROUTE_MODULES), CrossOrigin()),
    )
    app.add_middleware(RejectNulBytes)
    app.add_middleware(LimitBody, max_bytes=settings.max_body_bytes)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    for module in ROUTE_MODULES:
        app.include_router(module.router)
    install_portal(app)
    app.include_router(health_router)
    install_openapi(app)
    install_docs(app)
    return app


app = create_app()
