"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from app.core.db import Base
from search.models import SearchBase


def test_models_and_migrations_agree(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_object": lambda obj, name, type_, *_: (
                    not (type_ == "table" and name == "spatial_ref_sys")
                )
            },
        )
        # alembic compares a sequence of MetaData (as env.py's target_metadata); the annotation
        # of compare_metadata names one
        differences = compare_metadata(context, [Base.metadata, SearchBase.metadata])  # type: ignore[arg-type]
    engine.dispose()

    assert differences == []


def test_search_tables_follow_the_naming_convention_of_the_others() -> None:
    assert SearchBase.metadata.naming_convention == Base.metadata.naming_convention
