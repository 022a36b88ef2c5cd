"""the SMS lookup: messages by their keyed hashes, and counts of what was asked where

`sms_message` holds, for SMS_FORGET_AFTER_HOURS only, the hash of each delivery (a message a
gateway delivers twice is answered once) and of its sender (rate limits, MORE), never a number
or a text. `sms_ask_count` counts the questions by day, need and place, with no sender. A
trigram index on place names finds the name nearest to a misspelt one.

Revision ID: 5e1d8c3a7b92
Revises: 2a7c5e9d3f61
Create Date: 2026-12-03 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e1d8c3a7b92"
down_revision: str | None = "2a7c5e9d3f61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sms_message",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("gateway", sa.Text(), nullable=False),
        sa.Column("delivery_key", sa.LargeBinary(), nullable=False),
        sa.Column("sender_key", sa.LargeBinary(), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("lang", sa.Text(), nullable=False),
        sa.Column("need", sa.Text(), nullable=True),
        sa.Column("place_pcode", sa.Text(), nullable=True),
        sa.Column("shown", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_message")),
        sa.UniqueConstraint("delivery_key", name=op.f("uq_sms_message_delivery_key")),
    )
    op.create_index(
        "ix_sms_message_sender_key_received_at", "sms_message", ["sender_key", "received_at"]
    )
    op.create_index("ix_sms_message_received_at", "sms_message", ["received_at"])
    op.create_table(
        "sms_ask_count",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("need", sa.Text(), nullable=False),
        sa.Column("place_pcode", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "need", "place_pcode", name=op.f("pk_sms_ask_count")),
    )

    op.create_index(
        "ix_admin_area_name_name_key_trgm",
        "admin_area_name",
        ["name_key"],
        postgresql_using="gin",
        postgresql_ops={"name_key": "gin_trgm_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_admin_area_name_name_key_trgm", table_name="admin_area_name")
    op.drop_table("sms_ask_count")
    op.drop_index("ix_sms_message_received_at", table_name="sms_message")
    op.drop_index("ix_sms_message_sender_key_received_at", table_name="sms_message")
    op.drop_table("sms_message")
