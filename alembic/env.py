"""Alembic environment: migrations run synchronously through psycopg 3 against DATABASE_URL."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine

import app.models  # noqa: F401  (registers every application table on Base.metadata)
from app.core.config import get_settings
from app.core.db import Base
from search.models import SearchBase

# the application's tables and the search tables, which have a metadata of their own
TARGET_METADATA = [Base.metadata, SearchBase.metadata]

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# PostGIS's own table, which the extension creates (the migrations install no other extension
# with tables of its own).
IGNORED_TABLES = {"spatial_ref_sys"}


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not (type_ == "table" and name in IGNORED_TABLES)


def run_migrations() -> None:
    url = config.attributes.get("database_url") or get_settings().database_url
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=TARGET_METADATA,
            include_object=include_object,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
