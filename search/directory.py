"""The columns of the directory's tables that search reads: `service` (whose documents these
are) and the category links that taxonomy filters test.

Declared here because this package imports nothing from the application, whose models own these
tables (and migrations build them); their `MetaData` is none that alembic compares.
"""

from sqlalchemy import Column, MetaData, Table, Text, Uuid

DIRECTORY = MetaData()

SERVICE = Table("service", DIRECTORY, Column("id", Uuid, primary_key=True))

TAXONOMY_TERM = Table(
    "taxonomy_term",
    DIRECTORY,
    Column("id", Uuid, primary_key=True),
    Column("taxonomy_id", Uuid),
)

ATTRIBUTE = Table(
    "attribute",
    DIRECTORY,
    Column("id", Uuid, primary_key=True),
    Column("link_id", Uuid),
    Column("taxonomy_term_id", Uuid),
    Column("link_entity", Text),
)
