"""a GiST index on (geog, tsv) of the search documents

A wide radius with a word (`radius_km` above `GEO_FIRST_RADIUS_KM`, 25 km: thousands of
documents near the point, tens of thousands with a common word's prefix) read both the geography
and the tsvector GIN index and intersected them. One GiST index over both columns tests the
word inside the geographic scan: at 100,000 services a 20 km radius with `health` took 40 ms
that way and 7-9 ms with this index (the geo-first plan: 20-27 ms).

The index is on `tsv || ''::tsvector` (the same value), which only radius searches name: on
plain `tsv` the planner took it for searches without a point too, where GiST tests every
document's lossy signature (490 ms for `helth` at 100,000 services instead of the GIN's 90).

Revision ID: c4e8a1f0b735
Revises: 7d1e5c3b9a20
Create Date: 2026-12-02 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4e8a1f0b735"
down_revision: str | None = "7d1e5c3b9a20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_service_search_geog_tsv", "service_search", ["geog", sa.text("(tsv || ''::tsvector)")],
        unique=False,
        postgresql_using="gist",
    )  # fmt: skip


def downgrade() -> None:
    op.drop_index(
        "ix_service_search_geog_tsv", table_name="service_search", postgresql_using="gist"
    )
