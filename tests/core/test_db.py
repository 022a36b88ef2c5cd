"""The application's database connections."""

from sqlalchemy import text

from app.core.db import get_engine


async def test_application_connections_do_not_jit_compile(database_url: str) -> None:
    try:
        async with get_engine().connect() as conn:
            assert await conn.scalar(text("SHOW jit")) == "off"
    finally:
        await get_engine().dispose()
