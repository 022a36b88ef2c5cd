"""Newline-delimited JSON streams (`format=ndjson`): every matching row, unpaged, read through a
server-side cursor in batches from a read-only snapshot on a connection of its own.

Why streaming is safe although `RequestTransactions` sends a 2xx only after the request's
transaction commits: the request's own transaction only read (the parameters were checked and
the names resolved in it) and it commits before the status line leaves, as for any request.
The rows come from a second transaction, REPEATABLE READ and READ ONLY, so every batch sees the
same snapshot (a record is never sent twice or skipped when another request writes meanwhile)
and there is nothing it could fail to commit: the 200 promises no write. What streaming cannot
promise is completeness if the connection fails midway; the client then sees a truncated stream
(no final newline on a partial line, fewer records), never a wrong record.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import Depends, Query
from sqlalchemy import Row, Select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.core.db import get_engine
from app.core.pagination import Page

MEDIA_TYPE = "application/x-ndjson"
# rows fetched per round trip of the cursor (tests make it small to cross batch boundaries)
BATCH_SIZE = 500


def get_stream_engine() -> AsyncEngine:
    """The engine streams open their own connection on (a dependency so tests can swap it)."""
    return get_engine()


StreamEngineDep = Annotated[AsyncEngine, Depends(get_stream_engine)]

FORMAT_DESCRIPTION = (
    "`json` (pages) or `ndjson`: every match, one JSON object per line (application/x-ndjson), "
    "unpaged, always from PostgreSQL; not with page, per_page, sort or facets."
)
Format = Annotated[Literal["json", "ndjson"], Query(description=FORMAT_DESCRIPTION)]


@asynccontextmanager
async def snapshot(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection of its own in a REPEATABLE READ, READ ONLY transaction (one snapshot)."""
    async with engine.connect() as connection:
        readonly = await connection.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
        async with readonly.begin():
            yield readonly


async def stream_lines(
    engine: AsyncEngine, statement: Select[Any], line: Callable[[Row[Any]], str]
) -> AsyncIterator[bytes]:
    """`line(row)` for every row of `statement`, one per line, a batch per chunk."""
    async with snapshot(engine) as connection:
        result = await connection.stream(statement.execution_options(yield_per=BATCH_SIZE))
        async for batch in result.partitions(BATCH_SIZE):
            yield "".join(f"{line(row)}\n" for row in batch).encode()


PageOf = Callable[[AsyncSession, int, int], Awaitable[Page[Any]]]


async def stream_pages(engine: AsyncEngine, page_of: PageOf) -> AsyncIterator[bytes]:
    """The items of `page_of(session, page, BATCH_SIZE)` for pages 1, 2, ... until the last,
    one per line: the lists whose items are built by the same code as their JSON pages (so the
    same records are left out and redacted). Every page reads the one snapshot, and the lists
    order by a unique key last, so each record comes exactly once."""
    async with snapshot(engine) as connection:
        session = AsyncSession(bind=connection, expire_on_commit=False)
        try:
            number = 1
            while True:
                page = await page_of(session, number, BATCH_SIZE)
                lines = (item.model_dump_json(exclude_none=True) for item in page.contents)
                yield "".join(f"{line}\n" for line in lines).encode()
                if page.last_page or page.empty:
                    return
                number += 1
        finally:
            await session.close()
