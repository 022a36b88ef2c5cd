"""The search functions the migrations leave are the newest versions of search/sql/'s files."""

import re
from importlib.resources import files

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from search.sql import search_sql

# replaced by `search_queries` (2026-11-23_search_outbox_and_normaliser drops it)
DROPPED = {"search_query"}


def newest_versions() -> dict[str, int]:
    versions: dict[str, int] = {}
    for entry in files("search.sql").iterdir():
        found = re.fullmatch(r"(\w+)\.v(\d+)\.sql", entry.name)
        if found:
            versions[found[1]] = max(versions.get(found[1], 0), int(found[2]))
    return versions


def body(name: str, version: int) -> str:
    """The function body of a file: what PostgreSQL keeps as `prosrc`."""
    return search_sql(name, version).split("$$")[1]


async def test_each_search_function_is_its_newest_file(session: AsyncSession) -> None:
    versions = newest_versions()
    assert versions["refresh_service_search"] == 3
    rows = await session.execute(
        text("SELECT proname, prosrc FROM pg_proc WHERE proname = ANY(:names)"),
        {"names": list(versions)},
    )
    sources = dict(rows.tuples().all())

    assert set(versions) - set(sources) == DROPPED
    for name, source in sources.items():
        assert source == body(name, versions[name]), name
