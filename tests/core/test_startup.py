"""The service refuses to start on a database that cannot make trigrams of Bengali text."""

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.core.startup import BengaliTrigramsMissing, check_bengali_trigrams_sync


@pytest.fixture
def c_ctype_database(database_url: str) -> Iterator[str]:
    """A scratch database with the `C` ctype that silently breaks Bangla in pg_trgm."""
    url = make_url(database_url)
    name = f"{url.database}_c_ctype"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(
            text(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"
                " LC_CTYPE 'C' LC_COLLATE 'C'"
            )
        )
    scratch = url.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(scratch)
    with engine.begin() as conn:
        conn.execute(text("CREATE EXTENSION pg_trgm"))
    engine.dispose()
    yield scratch
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_c_ctype_database_is_refused_with_a_clear_message(c_ctype_database: str) -> None:
    engine = create_engine(c_ctype_database)
    with engine.connect() as conn, pytest.raises(BengaliTrigramsMissing, match=r"C\.UTF-8"):
        check_bengali_trigrams_sync(conn)
    engine.dispose()


def test_the_project_database_passes_the_check(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        check_bengali_trigrams_sync(conn)
        assert conn.execute(text("SHOW lc_ctype")).scalar_one() == "C.UTF-8"
    engine.dispose()
