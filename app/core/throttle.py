"""Sliding-window limits over rows the API already keeps (failed sign-ins, suggestions)."""

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute


async def seconds_until_allowed(
    session: AsyncSession,
    at: InstrumentedAttribute[datetime],
    *,
    where: ColumnElement[Any],
    limit: int,
    window: timedelta,
) -> int | None:
    """None while fewer than `limit` rows matching `where` fall within the last `window`; else
    the whole seconds until one more is allowed (when the `limit`-th newest leaves the window),
    for `Retry-After`."""
    now = datetime.now(UTC)
    limiting = await session.scalar(
        select(at).where(where, at >= now - window).order_by(at.desc()).offset(limit - 1).limit(1)
    )
    if limiting is None:
        return None
    return max(1, math.ceil((limiting + window - now).total_seconds()))
