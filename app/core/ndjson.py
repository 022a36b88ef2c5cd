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

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Row, Select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.db import get_engine

MEDIA_TYPE = "application/x-ndjson"
# rows fetched per round trip of the cursor (tests make it small to cross batch boundaries)
BATCH_SIZE = 500


def get_stream_engine() -> AsyncEngine:
    """The engine streams open their own connection on (a dependency so tests can swap it)."""
    return get_engine()


StreamEngineDep = Annotated[AsyncEngine, Depends(get_stream_engine)]


async def stream_lines(
    engine: AsyncEngine, statement: Select[Any], line: Callable[[Row[Any]], str]
) -> AsyncIterator[bytes]:
    """`line(row)` for every row of `statement`, one per line, a batch per chunk."""
    async with engine.connect() as connection:
        snapshot = await connection.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
        async with snapshot.begin():
            result = await snapshot.stream(statement.execution_options(yield_per=BATCH_SIZE))
            async for batch in result.partitions(BATCH_SIZE):
                yield "".join(f"{line(row)}\n" for row in batch).encode()
