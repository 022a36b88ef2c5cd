"""search text parts, last-word prefixes, casefolding and the search outbox

- `search_normalize` now casefolds (ß → ss, final sigma, ligatures: what Python's
  `str.casefold` changes beyond `lower`), drops control characters and collapses whitespace,
  as `search.text.search_key` does.
- Only the last word of a search is a prefix, as in Meilisearch: "legal a" finds "legal aid",
  "leg aid" does not.
- `search_queries(text)` replaces `search_query(text)`: the typo-tolerant query and the same
  restricted to the service's name, from one typo lookup per word.
- Documents hold the names of the division too, and of the ancestors of the areas a service
  serves ("legal aid Khulna" finds Jashore's legal aid).
- `service_search_text`: the normalised text parts (name, phones, organization, categories,
  description, places) and taxonomy ids of each search document, which Meilisearch documents are
  made of (beside `service_search`, so that PostgreSQL searches do not read them).
- `search_outbox`: one row per changed search document, written by triggers on `service_search`
  in the changing transaction, for the worker that keeps Meilisearch in step.

Revision ID: 3c6b9e2d4f10
Revises: e0782b9a01ab
Create Date: 2026-11-23 03:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from search.sql import search_sql

revision: str = "3c6b9e2d4f10"
down_revision: str | None = "e0782b9a01ab"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_search_text",
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("search_text", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("service_id", name=op.f("pk_service_search_text")),
    )
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column(
            "queued_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_outbox")),
    )
    op.execute(search_sql("search_normalize", 2))
    op.execute(search_sql("search_words", 1))
    op.execute(search_sql("search_prefix_query", 2))
    op.execute("DROP FUNCTION search_query(text)")  # replaced by search_queries
    op.execute(search_sql("search_queries", 1))
    op.execute(search_sql("refresh_service_search", 2))
    op.execute(search_sql("search_outbox_queue", 1))
    # existing documents follow the new normaliser; no outbox rows, since a Meilisearch index
    # starts with a full rebuild
    op.execute("ALTER TABLE service_search DISABLE TRIGGER USER")
    op.execute("SELECT refresh_service_search(coalesce(array_agg(id), '{}')) FROM service")
    op.execute("ALTER TABLE service_search ENABLE TRIGGER USER")


def downgrade() -> None:
    op.execute("DROP TRIGGER search_outbox_delete ON service_search")
    op.execute("DROP TRIGGER search_outbox_update ON service_search")
    op.execute("DROP TRIGGER search_outbox_insert ON service_search")
    op.execute("DROP FUNCTION search_outbox_queue()")
    op.drop_table("search_outbox")
    op.execute("DROP FUNCTION refresh_service_search(uuid[])")
    op.drop_table("service_search_text")
    op.execute(search_sql("refresh_service_search", 1))
    op.execute("DROP FUNCTION search_queries(text)")
    op.execute(search_sql("search_query", 1))
    op.execute(search_sql("search_prefix_query", 1))
    op.execute("DROP FUNCTION search_words(text)")
    op.execute(search_sql("search_normalize", 1))
