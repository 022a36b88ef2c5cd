"""typos as Meilisearch counts them, on the prefix of the last word too

The last word of a search is a prefix (`quorvex trel` finds "Quorvex Trelliumax"). Until now its
typo-tolerant alternatives were whole words of the vocabulary, so `হাসপাতল` (হাসপাতাল less a
vowel sign) found হাসপাতাল but not হাসপাতালে, which continues it. Now the last word's alternatives
are prefixes: every beginning of a vocabulary word that lies within the word's typo allowance
(one edit from 5 characters, two from 9), each searched as a prefix, the shortest only (a prefix
that another one begins already adds nothing). This is how Meilisearch matches the last word: a
word matches when one of its beginnings is within the allowance.

Typos are counted as Meilisearch counts them (`search_typos`): two adjacent characters swapped
are one typo, and a differing first character costs two.

Candidates are found through the trigram index with `<%` (word similarity: the query word against
any part of a vocabulary word), then checked with `search_typos` on each beginning whose length
differs from the word's by no more than the allowance.

Revision ID: 9b2f6d4e8c17
Revises: c4e8a1f0b735
Create Date: 2026-12-02 02:00:00
"""

from collections.abc import Sequence

from alembic import op

from search.sql import search_sql

revision: str = "9b2f6d4e8c17"
down_revision: str | None = "c4e8a1f0b735"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(search_sql("search_typos", 1))
    op.execute(search_sql("search_queries", 2))


def downgrade() -> None:
    op.execute(search_sql("search_queries", 1))  # its `SET` list replaces this one's
    op.execute("DROP FUNCTION search_typos(text, text)")
