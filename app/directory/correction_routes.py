"""Suggested corrections: a public form and the district admins' moderation queue."""

import uuid
from typing import Literal

from fastapi import APIRouter, Request

from app.auth.deps import CurrentActor, client_address
from app.core.db import SessionDep
from app.core.middleware import CrossOrigin
from app.core.openapi import problems
from app.core.pagination import Page, PageNumber, PerPage
from app.directory import corrections
from app.directory.schemas import CorrectionRead, CorrectionReceipt
from app.directory.write_schemas import CorrectionCreate, CorrectionDecision

router = APIRouter(prefix="/corrections", tags=["suggested corrections"])
# what other origins may call (SplitCORS): the reads here are not public
cross_origin = CrossOrigin(
    private_read_prefixes=("/corrections",),
    # anyone may suggest a correction, from any page
    public_writes=frozenset({("POST", "/corrections")}),
)


@router.post("", status_code=202, response_model=CorrectionReceipt, responses=problems(404, 429))
async def suggest_correction(
    request: Request, session: SessionDep, body: CorrectionCreate
) -> CorrectionReceipt:
    """Suggest a correction to a public entry (no account needed; a few per hour per client)."""
    correction = await corrections.suggest(session, data=body, client=client_address(request))
    return CorrectionReceipt(
        id=correction.id,
        status=correction.status,
        message="Thank you. The district's directory maintainers will check it.",
        message_bn="ধন্যবাদ। জেলার নির্দেশিকা রক্ষণাবেক্ষণকারীরা এটি যাচাই করবেন।",
    )


@router.get("", response_model=Page[CorrectionRead])
async def list_corrections(
    session: SessionDep,
    actor: CurrentActor,
    status: Literal["pending", "accepted", "dismissed"] = "pending",
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> Page[CorrectionRead]:
    """The moderation queue of the caller's districts (admins: all)."""
    rows, total = await corrections.queue(
        session, actor, status=status, page=page, per_page=per_page
    )
    return Page[CorrectionRead].build(
        contents=[CorrectionRead.model_validate(r) for r in rows],
        total=total,
        page=page,
        per_page=per_page,
    )


@router.post("/{correction_id}/accept", response_model=CorrectionRead)
async def accept_correction(
    session: SessionDep,
    actor: CurrentActor,
    correction_id: uuid.UUID,
    body: CorrectionDecision | None = None,
) -> CorrectionRead:
    """Apply the correction to the entry (recorded in its history) and close it."""
    note = body.note if body else None
    correction = await corrections.accept(session, actor, correction_id=correction_id, note=note)
    return CorrectionRead.model_validate(correction)


@router.post("/{correction_id}/dismiss", response_model=CorrectionRead)
async def dismiss_correction(
    session: SessionDep,
    actor: CurrentActor,
    correction_id: uuid.UUID,
    body: CorrectionDecision | None = None,
) -> CorrectionRead:
    """Close the correction without changing the entry."""
    note = body.note if body else None
    correction = await corrections.dismiss(session, actor, correction_id=correction_id, note=note)
    return CorrectionRead.model_validate(correction)
