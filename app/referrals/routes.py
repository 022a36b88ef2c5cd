"""MoUs and referrals (authenticated; every read and write is audited)."""

import json
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response

from app.auth.deps import CurrentActor
from app.core.db import SessionDep
from app.core.middleware import CrossOrigin
from app.core.pagination import Page, PageNumber, PerPage
from app.core.params import PeriodDep, PlaceText
from app.core.schemas import SaneDateTime
from app.directory.lookups import resolve_district
from app.referrals import lifecycle, mous, notifications, referrals, reports
from app.referrals.deps import LockedReferralDep, MouDep, ReferralDep
from app.referrals.errors import UnknownGroups
from app.referrals.models import Mou, Referral, ReferralStatus
from app.referrals.schemas import (
    MouCreate,
    MouRead,
    MouReport,
    MouUpdate,
    ReferralCreate,
    ReferralRead,
    ReferralReport,
    Transition,
    WebhookWrite,
)

router = APIRouter(tags=["MoUs and referrals"])
# what other origins may call (SplitCORS): the reads here are not public
cross_origin = CrossOrigin(private_read_prefixes=("/mous", "/referrals", "/reports"))


def _mou(mou: Mou) -> MouRead:
    return MouRead.of(mou, status=mous.effective_status(mou))


def _referral(referral: Referral, *, with_events: bool) -> ReferralRead:
    return ReferralRead.of(
        referral, overdue=referrals.is_overdue(referral), with_events=with_events
    )


@router.post("/mous", status_code=201, response_model=MouRead)
async def create_mou(session: SessionDep, actor: CurrentActor, body: MouCreate) -> MouRead:
    """Record an MoU between a referring and a provider organization."""
    return _mou(await mous.create_mou(session, actor, body))


@router.get("/mous", response_model=Page[MouRead])
async def list_mous(
    session: SessionDep, actor: CurrentActor, page: PageNumber = 1, per_page: PerPage = 20
) -> Page[MouRead]:
    """The MoUs your organization is party to."""
    rows, total = await mous.list_mous(session, actor, page=page, per_page=per_page)
    return Page[MouRead].build(
        contents=[_mou(m) for m in rows], total=total, page=page, per_page=per_page
    )


@router.get("/mous/{mou_id}", response_model=MouRead)
async def read_mou(mou: MouDep) -> MouRead:
    """One MoU (its parties only)."""
    return _mou(mou)


@router.patch("/mous/{mou_id}", response_model=MouRead)
async def update_mou(
    session: SessionDep, actor: CurrentActor, mou: MouDep, body: MouUpdate
) -> MouRead:
    """Change an MoU's terms, validity or status."""
    return _mou(await mous.update_mou(session, actor, mou=mou, data=body))


@router.post(
    "/referrals", status_code=201, response_model=ReferralRead, response_model_by_alias=True
)
async def create_referral(
    session: SessionDep,
    actor: CurrentActor,
    body: ReferralCreate,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> ReferralRead:
    """Refer a survivor (by pseudonymous case reference) to a service; the covering MoU is found."""
    referral, created = await referrals.create_referral(
        session, actor, body, idempotency_key=idempotency_key
    )
    if not created:
        # a retry answered as the first request was: same status, same referral
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["ETag"] = lifecycle.etag(referral)
    response.headers["Location"] = f"/referrals/{referral.id}"
    return _referral(referral, with_events=True)


@router.get("/referrals", response_model=Page[ReferralRead], response_model_by_alias=True)
async def list_referrals(
    session: SessionDep,
    actor: CurrentActor,
    direction: Literal["outgoing", "incoming"] | None = None,
    status: ReferralStatus | None = None,
    mou_id: uuid.UUID | None = None,
    overdue: bool | None = None,
    since: SaneDateTime | None = None,
    until: SaneDateTime | None = None,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> Page[ReferralRead]:
    """What your organization sent (outgoing) or received (incoming)."""
    rows, total = await referrals.list_referrals(
        session,
        actor,
        direction=direction,
        status=status,
        mou_id=mou_id,
        overdue=overdue,
        since=since,
        until=until,
        page=page,
        per_page=per_page,
    )
    return Page[ReferralRead].build(
        contents=[_referral(r, with_events=False) for r in rows],
        total=total,
        page=page,
        per_page=per_page,
    )


@router.get("/referrals/{referral_id}", response_model=ReferralRead, response_model_by_alias=True)
async def read_referral(referral: ReferralDep, response: Response) -> ReferralRead:
    """One referral with its full event history (its two organizations only)."""
    response.headers["ETag"] = lifecycle.etag(referral)
    return _referral(referral, with_events=True)


@router.post(
    "/referrals/{referral_id}/transitions",
    response_model=ReferralRead,
    response_model_by_alias=True,
)
async def transition_referral(
    session: SessionDep,
    actor: CurrentActor,
    referral: LockedReferralDep,
    body: Transition,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> ReferralRead:
    """Move the referral to another status (`If-Match` with its current ETag is required)."""
    referral = await lifecycle.transition(
        session, actor, referral=referral, move=body, if_match=if_match
    )
    response.headers["ETag"] = lifecycle.etag(referral)
    return _referral(referral, with_events=True)


def _report_response(model: type[ReferralReport]) -> dict[int | str, dict[str, Any]]:
    """A report's 200 in the OpenAPI: the report as JSON, or its rows as CSV (`format=csv`)."""
    return {
        200: {
            "model": model,
            "description": "The report as JSON, or its rows as CSV with format=csv.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }


def _group_by(raw: str | None) -> list[str]:
    names = [name.strip() for name in (raw or "").split(",") if name.strip()]
    unknown = [n for n in names if n not in reports.GROUPS]
    if unknown:
        raise UnknownGroups(unknown=unknown, known=", ".join(reports.GROUPS))
    return list(dict.fromkeys(names))


@router.get("/reports/referrals", responses=_report_response(ReferralReport))
async def report_referrals(
    session: SessionDep,
    actor: CurrentActor,
    period: PeriodDep,
    mou_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
    district: PlaceText = None,
    group_by: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Comma list of status, category, provider, mou, sex, age_band, month.",
        ),
    ] = None,
    format: Literal["json", "csv"] = "json",
) -> Response:
    """Counts of referrals (sent, accepted, rejected by reason, completed, failed, cancelled,
    overdue), time to acceptance against the SLA and free-of-cost honoured; cells under 5 read
    `<5` for anyone but the referrals' own organizations."""
    pcode = await resolve_district(session, district, location="query") if district else None
    report = await reports.referral_report(
        session,
        actor,
        group_by=_group_by(group_by),
        filters=reports.ReportFilter(
            since=period.since,
            until=period.until,
            mou_id=mou_id,
            organization_id=organization_id,
            district=pcode,
        ),
    )
    return _render(report, format)


@router.get("/mous/{mou_id}/report", responses=_report_response(MouReport))
async def report_mou(
    session: SessionDep,
    actor: CurrentActor,
    mou: MouDep,
    period: PeriodDep,
    group_by: Annotated[str | None, Query(max_length=200)] = None,
    format: Literal["json", "csv"] = "json",
) -> Response:
    """The referral report of one MoU, with the use of each quota in the current period."""
    report = await reports.referral_report(
        session,
        actor,
        group_by=_group_by(group_by),
        filters=reports.ReportFilter(since=period.since, until=period.until, mou_id=mou.id),
    )
    report["mou_id"] = str(mou.id)
    report["quotas"] = await reports.quota_use(session, mou.id)
    return _render(report, format)


def _render(report: dict[str, Any], format: str) -> Response:
    if format == "csv":
        return Response(
            reports.to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="referral-report.csv"'},
        )
    return Response(
        json.dumps(report, ensure_ascii=False, default=str), media_type="application/json"
    )


@router.put("/organizations/{organization_id}/webhook", status_code=204)
async def set_webhook(
    session: SessionDep, actor: CurrentActor, organization_id: uuid.UUID, body: WebhookWrite
) -> Response:
    """Where to post notices of this organization's referrals (the referral id, the event and a
    link; never survivor details). Platform admins only; https to a public address (422 else)."""
    await notifications.set_webhook(
        session, actor, organization_id=organization_id, url=str(body.url)
    )
    return Response(status_code=204)


@router.delete("/organizations/{organization_id}/webhook", status_code=204)
async def delete_webhook(
    session: SessionDep, actor: CurrentActor, organization_id: uuid.UUID
) -> Response:
    """Stop posting notices to this organization (platform admins only)."""
    await notifications.set_webhook(session, actor, organization_id=organization_id, url=None)
    return Response(status_code=204)
