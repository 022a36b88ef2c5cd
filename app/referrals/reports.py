"""Indicator reports on referrals: counts by status, category, provider, MoU, sex, age band and
month, with small cells suppressed in anything that leaves the two parties of a referral."""

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, get_args

from sqlalchemy import ColumnElement, Float, and_, cast, extract, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.actor import Actor
from app.directory.lookups import within_reach
from app.directory.models import Organization
from app.referrals.matching import quota_used
from app.referrals.models import MouService, Referral, ReferralEvent
from app.referrals.policy import report_reach
from app.referrals.referrals import overdue_condition
from app.referrals.schemas import RejectionCode

GROUPS: dict[str, Any] = {
    "status": Referral.status,
    "category": Referral.category,
    "provider": Referral.provider_organization_id,
    "mou": Referral.mou_id,
    "sex": Referral.client_sex,
    "age_band": Referral.client_age_band,
    "month": func.to_char(func.timezone("Asia/Dhaka", Referral.requested_at), "YYYY-MM"),
}
SMALL_CELL = 5


COUNTS = (
    "sent",
    "accepted",
    "accepted_within_sla",
    "rejected",
    "completed",
    "failed",
    "cancelled",
    "overdue",
    "free_of_cost_honoured",
    "free_of_cost_not_honoured",
)


@dataclass(frozen=True)
class ReportFilter:
    since: date | None = None
    until: date | None = None
    mou_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    district: str | None = None


def _scope(actor: Actor) -> tuple[list[ColumnElement[bool]], bool]:
    """Which referrals the actor may count, and whether small cells must be hidden from them."""
    reach, hide_small = report_reach(actor)
    parties = (Referral.referring_organization_id, Referral.provider_organization_id)
    return within_reach(reach, *parties), hide_small


def _filters(f: ReportFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Referral.status.not_in(("draft", "entered_in_error"))]
    if f.since:
        conditions.append(
            Referral.requested_at >= datetime.combine(f.since, datetime.min.time(), UTC)
        )
    if f.until:
        conditions.append(
            Referral.requested_at
            < datetime.combine(f.until, datetime.min.time(), UTC) + timedelta(days=1)
        )
    if f.mou_id:
        conditions.append(Referral.mou_id == f.mou_id)
    if f.organization_id:
        conditions.append(
            or_(
                Referral.referring_organization_id == f.organization_id,
                Referral.provider_organization_id == f.organization_id,
            )
        )
    if f.district:
        orgs = select(Organization.id).where(Organization.district_pcode == f.district)
        conditions.append(
            or_(
                Referral.referring_organization_id.in_(orgs),
                Referral.provider_organization_id.in_(orgs),
            )
        )
    return conditions


def _suppress(value: int, hide: bool) -> int | str:
    return "<5" if hide and 0 < value < SMALL_CELL else value


async def referral_report(
    session: AsyncSession, actor: Actor, *, filters: ReportFilter, group_by: list[str]
) -> dict[str, Any]:
    """Rows of counts per group, and the same for all referrals together."""
    scope, hide = _scope(actor)
    conditions = [*scope, *_filters(filters)]
    keys = [GROUPS[name].label(name) for name in group_by]
    overdue = overdue_condition(datetime.now(UTC))
    hours_to_accept = extract("epoch", Referral.accepted_at - Referral.requested_at) / 3600.0
    measures = [
        func.count().label("sent"),
        func.count().filter(Referral.accepted_at.is_not(None)).label("accepted"),
        func.count().filter(Referral.accepted_at <= Referral.due_by).label("accepted_within_sla"),
        func.count().filter(Referral.status == "rejected").label("rejected"),
        func.count().filter(Referral.status == "completed").label("completed"),
        func.count().filter(Referral.status == "failed").label("failed"),
        func.count().filter(Referral.status == "cancelled").label("cancelled"),
        func.count().filter(overdue).label("overdue"),
        func.count()
        .filter(Referral.outcome_free_of_cost_honoured.is_(True))
        .label("free_of_cost_honoured"),
        func.count()
        .filter(Referral.outcome_free_of_cost_honoured.is_(False))
        .label("free_of_cost_not_honoured"),
        cast(
            func.percentile_cont(0.5)
            .within_group(hours_to_accept)
            .filter(Referral.accepted_at.is_not(None)),
            Float,
        ).label("median_hours_to_accept"),
        cast(
            func.percentile_cont(0.5).within_group(
                extract("epoch", Referral.due_by - Referral.requested_at) / 3600.0
            ),
            Float,
        ).label("median_sla_hours"),
    ]
    stmt = select(*keys, *measures).select_from(Referral).where(*conditions)
    if keys:
        stmt = stmt.group_by(*keys).order_by(*keys)
    rows = (await session.execute(stmt)).mappings().all()
    reasons = await _rejection_reasons(session, conditions, group_by)
    out = []
    for row in rows:
        group = {name: _plain(row[name]) for name in group_by}
        item: dict[str, Any] = {**group, **{name: _suppress(row[name], hide) for name in COUNTS}}
        enough = not hide or row["sent"] >= SMALL_CELL
        for name in ("median_hours_to_accept", "median_sla_hours"):
            item[name] = round(row[name], 1) if row[name] is not None and enough else None
        key = tuple(group[name] for name in group_by)
        item["rejected_by_reason"] = {
            code: _suppress(n, hide) for code, n in sorted(reasons.get(key, {}).items())
        }
        out.append(item)
    return {"group_by": group_by, "suppressed_below": SMALL_CELL if hide else None, "rows": out}


async def _rejection_reasons(
    session: AsyncSession, conditions: list[ColumnElement[bool]], group_by: list[str]
) -> dict[tuple[Any, ...], dict[str, int]]:
    keys = [GROUPS[name].label(name) for name in group_by]
    stmt = (
        select(*keys, ReferralEvent.reason_code, func.count())
        .select_from(Referral)
        .join(
            ReferralEvent,
            and_(ReferralEvent.referral_id == Referral.id, ReferralEvent.to_status == "rejected"),
        )
        .where(*conditions, Referral.status == "rejected")
        .group_by(*keys, ReferralEvent.reason_code)
    )
    found: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in (await session.execute(stmt)).all():
        *group, code, count = row
        found.setdefault(tuple(_plain(g) for g in group), {})[code or "unspecified"] = count
    return found


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


async def quota_use(
    session: AsyncSession, mou_id: uuid.UUID, today: date | None = None
) -> list[dict[str, Any]]:
    """Each covered service of an MoU with its quota and the referrals counted against it in the
    current period."""
    today = today or date.today()
    terms = (
        await session.execute(
            select(MouService).where(MouService.mou_id == mou_id).order_by(MouService.category)
        )
    ).scalars()
    out = []
    for term in terms:
        used = await quota_used(session, term, today)
        out.append(
            {
                "mou_service_id": str(term.id),
                "category": term.category,
                "service_id": str(term.service_id) if term.service_id else None,
                "quota": term.quota,
                "quota_period": term.quota_period,
                "used_this_period": used,
            }
        )
    return out


def to_csv(report: dict[str, Any]) -> str:
    """The report's rows as CSV: rejections by reason as one column per reason, every reason
    always (the same columns whatever the period holds)."""
    reasons = get_args(RejectionCode)
    columns = [
        *report["group_by"],
        *COUNTS,
        "median_hours_to_accept",
        "median_sla_hours",
        *(f"rejected_{code}" for code in reasons),
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in report["rows"]:
        by_reason = {f"rejected_{c}": row["rejected_by_reason"].get(c, 0) for c in reasons}
        flat = {**row, **by_reason}
        writer.writerow(["" if flat.get(c) is None else flat.get(c, 0) for c in columns])
    return buffer.getvalue()
