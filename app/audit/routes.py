"""The audit log, for admins."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.audit import service as audit
from app.audit.policy import NotAuditReader, may_read_audit_log
from app.audit.schemas import AuditEventRead
from app.auth.deps import CurrentActor
from app.core.db import SessionDep
from app.core.middleware import CrossOrigin
from app.core.pagination import Page, PageNumber, PerPage
from app.core.params import check_order
from app.core.schemas import SaneDateTime

router = APIRouter(tags=["audit"])
# what other origins may call (SplitCORS): the reads here are not public
cross_origin = CrossOrigin(private_read_prefixes=("/audit-events",))


@router.get("/audit-events", response_model=Page[AuditEventRead])
async def list_audit_events(
    session: SessionDep,
    actor: CurrentActor,
    user: Annotated[
        str | None, Query(alias="actor", max_length=200, description="User email or id.")
    ] = None,
    path: Annotated[
        str | None, Query(max_length=500, description="Path, or its beginning.")
    ] = None,
    since: Annotated[
        SaneDateTime | None, Query(description="From this time on (inclusive).")
    ] = None,
    until: Annotated[SaneDateTime | None, Query(description="Before this time.")] = None,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> Page[AuditEventRead]:
    """Authenticated requests, newest first (admins only)."""
    if not may_read_audit_log(actor):
        raise NotAuditReader()
    check_order(since, until, names=("since", "until"))
    rows, total = await audit.list_events(
        session, user=user, path=path, since=since, until=until, page=page, per_page=per_page
    )
    return Page[AuditEventRead].build(
        contents=[AuditEventRead.model_validate(r) for r in rows],
        total=total,
        page=page,
        per_page=per_page,
    )
