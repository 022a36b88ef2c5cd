"""Rebuilding search documents: every writer calls `refresh` (or, on a synchronous connection,
`refresh_sync`) with the services it changed, in its writing transaction, so that the change is
searchable as soon as it commits. The database builds the documents (`refresh_service_search`,
search/sql/), and their outbox rows follow from its triggers."""

import uuid
from collections.abc import Iterable

from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncSession

_REFRESH = text("SELECT refresh_service_search(:ids)")


async def refresh(session: AsyncSession, ids: Iterable[uuid.UUID]) -> int:
    """Rebuilds the search documents of these services (and drops those of services that are
    gone) after flushing the session's pending writes; the number of documents written."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        return 0
    await session.flush()
    return int((await session.execute(_REFRESH, {"ids": unique})).scalar_one())


def refresh_sync(connection: Connection, ids: Iterable[uuid.UUID]) -> int:
    """`refresh` on a synchronous connection (the seed loader's)."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        return 0
    return int(connection.execute(_REFRESH, {"ids": unique}).scalar_one())
