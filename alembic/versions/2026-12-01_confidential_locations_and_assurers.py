"""confidential locations and assuring organizations

- `location.confidential`: a shelter or safe home whose address must stay secret. Search
  documents leave out its point, its union and the union's names, so that radius, bbox and
  distance never use it; its division, district and upazila still find the service.
- `assurer_organization_id` on organization, service and location (beside `assurer_email`): the
  organization of the user who verified the entry, which list items show as `assured_by`
  (id and names) instead of the user's email.

Revision ID: 64f1a83bf956
Revises: 3c6b9e2d4f10
Create Date: 2026-12-01 22:09:59
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from search.sql import search_sql

revision: str = "64f1a83bf956"
down_revision: str | None = "3c6b9e2d4f10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROVENANCE_TABLES = ("organization", "service", "location")


def _refresh_every_document() -> None:
    op.execute("SELECT refresh_service_search(coalesce(array_agg(id), '{}')) FROM service")


def upgrade() -> None:
    op.add_column(
        "location",
        sa.Column("confidential", sa.Boolean(), server_default="false", nullable=False),
    )
    for table in PROVENANCE_TABLES:
        op.add_column(table, sa.Column("assurer_organization_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(
            op.f(f"fk_{table}_assurer_organization_id_organization"),
            table,
            "organization",
            ["assurer_organization_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(search_sql("refresh_service_search", 3))
    # list items lose `assurer_email`; no location is confidential yet, so nothing Meilisearch
    # holds changes and no outbox rows are needed
    op.execute("ALTER TABLE service_search DISABLE TRIGGER USER")
    _refresh_every_document()
    op.execute("ALTER TABLE service_search ENABLE TRIGGER USER")


def downgrade() -> None:
    op.execute(search_sql("refresh_service_search", 2))
    for table in PROVENANCE_TABLES:
        op.drop_constraint(
            op.f(f"fk_{table}_assurer_organization_id_organization"), table, type_="foreignkey"
        )
        op.drop_column(table, "assurer_organization_id")
    op.drop_column("location", "confidential")
    # confidential points and unions come back into the documents: Meilisearch must follow, so
    # the outbox triggers stay on
    _refresh_every_document()
