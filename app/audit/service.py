"""Reading the audit log."""

import contextlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.core.pagination import fetch_page


async def list_events(
    session: AsyncSession,
    *,
    user: str | None,
    path: str | None,
    since: datetime | None,
    until: datetime | None,
    page: int,
    per_page: int,
) -> tuple[list[AuditEvent], int]:
    """Audit events matching the filters, newest first, with their total."""
    conditions: list[Any] = []
    if user:
        matches = [AuditEvent.user_email == user.strip().lower()]
        with contextlib.suppress(ValueError):
            matches.append(AuditEvent.user_id == uuid.UUID(user))
        conditions.append(or_(*matches))
    if path:
        escaped = path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(AuditEvent.path.like(f"{escaped}%"))
    if since:
        conditions.append(AuditEvent.at >= since)
    if until:
        conditions.append(AuditEvent.at < until)
    query = select(AuditEvent).where(*conditions).order_by(AuditEvent.id.desc())
    return await fetch_page(session, query, page=page, per_page=per_page)
