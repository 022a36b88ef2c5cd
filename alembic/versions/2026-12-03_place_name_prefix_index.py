"""place names found by their beginning: the name-key index in text_pattern_ops

`GET /places` finds units whose names begin with what a picker's user has typed so far
(`name_key LIKE 'jash%'`). A btree index in the database's collation (C.UTF-8 here, which
PostgreSQL does not treat as C) cannot serve a LIKE prefix, so the planner read every name; an
index in `text_pattern_ops` serves the prefix and the equality of exact lookups alike, so it
replaces the old one.

Revision ID: 2a7c5e9d3f61
Revises: 9b2f6d4e8c17
Create Date: 2026-12-03 02:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "2a7c5e9d3f61"
down_revision: str | None = "9b2f6d4e8c17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_admin_area_name_name_key", table_name="admin_area_name")
    op.create_index(
        "ix_admin_area_name_name_key",
        "admin_area_name",
        ["name_key"],
        unique=False,
        postgresql_ops={"name_key": "text_pattern_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_admin_area_name_name_key", table_name="admin_area_name")
    op.create_index("ix_admin_area_name_name_key", "admin_area_name", ["name_key"], unique=False)
