"""Start-up checks: the service refuses to run on a database that cannot index Bangla."""

from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncConnection

PROBE = "SELECT array_length(show_trgm('যশোর'), 1)"


class BengaliTrigramsMissing(RuntimeError):
    """The database's character classification drops Bengali letters (a `C` ctype)."""

    def __init__(self) -> None:
        super().__init__(
            "The database cannot make trigrams of Bengali text (show_trgm('যশোর') is empty), so "
            "Bangla search would silently find nothing. Create the database with a UTF-8 ctype, "
            "e.g. `initdb -E UTF8 --locale=C.UTF-8` or "
            "`CREATE DATABASE ... LC_CTYPE 'C.UTF-8' TEMPLATE template0`, and check that the "
            "pg_trgm extension is installed (run the migrations)."
        )


def check_bengali_trigrams_sync(conn: Connection) -> None:
    """Raise `BengaliTrigramsMissing` unless pg_trgm yields trigrams for a Bangla word."""
    count = conn.execute(text(PROBE)).scalar()
    if not count:
        raise BengaliTrigramsMissing()


async def check_bengali_trigrams(conn: AsyncConnection) -> None:
    """Async variant of `check_bengali_trigrams_sync`, used at application start-up."""
    count = (await conn.execute(text(PROBE))).scalar()
    if not count:
        raise BengaliTrigramsMissing()
