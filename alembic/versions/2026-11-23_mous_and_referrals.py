"""mous and referrals

Revision ID: e0782b9a01ab
Revises: de4553f4f627
Create Date: 2026-11-23 01:59:06.072814
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e0782b9a01ab"
down_revision: str | None = "de4553f4f627"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mou",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("referring_organization_id", sa.Uuid(), nullable=False),
        sa.Column("provider_organization_id", sa.Uuid(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("document_url", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'active', 'suspended', 'expired', 'terminated')",
            name=op.f("ck_mou_status"),
        ),
        sa.CheckConstraint(
            "referring_organization_id <> provider_organization_id", name=op.f("ck_mou_two_parties")
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_mou_validity")
        ),
        sa.ForeignKeyConstraint(
            ["provider_organization_id"],
            ["organization.id"],
            name=op.f("fk_mou_provider_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["referring_organization_id"],
            ["organization.id"],
            name=op.f("fk_mou_referring_organization_id_organization"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mou")),
    )
    op.create_index(
        "ix_mou_parties",
        "mou",
        ["referring_organization_id", "provider_organization_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_mou_provider_organization_id"), "mou", ["provider_organization_id"], unique=False
    )
    op.create_table(
        "mou_service",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("mou_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=True),
        sa.Column("free_of_cost", sa.Boolean(), nullable=True),
        sa.Column("cost_terms", sa.Text(), nullable=True),
        sa.Column("quota", sa.Integer(), nullable=True),
        sa.Column("quota_period", sa.Text(), nullable=True),
        sa.Column("response_sla_hours", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "quota_period IS NULL OR quota_period IN ('month', 'quarter', 'year')",
            name=op.f("ck_mou_service_period"),
        ),
        sa.CheckConstraint(
            "(quota IS NULL) = (quota_period IS NULL)", name=op.f("ck_mou_service_quota")
        ),
        sa.ForeignKeyConstraint(
            ["mou_id"], ["mou.id"], name=op.f("fk_mou_service_mou_id_mou"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_mou_service_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mou_service")),
    )
    op.create_index(op.f("ix_mou_service_mou_id"), "mou_service", ["mou_id"], unique=False)
    op.create_table(
        "referral",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("case_ref", sa.Text(), nullable=True),
        sa.Column("client_sex", sa.Text(), nullable=False),
        sa.Column("client_age_band", sa.Text(), nullable=False),
        sa.Column("referring_organization_id", sa.Uuid(), nullable=False),
        sa.Column("provider_organization_id", sa.Uuid(), nullable=False),
        sa.Column("service_id", sa.Uuid(), nullable=False),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("mou_id", sa.Uuid(), nullable=True),
        sa.Column("mou_service_id", sa.Uuid(), nullable=True),
        sa.Column("outside_mou", sa.Boolean(), nullable=False),
        sa.Column("mou_match", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("priority", sa.Text(), nullable=False),
        sa.Column("consent_given", sa.Boolean(), nullable=False),
        sa.Column("consent_obtained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_scope", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("previous_referral_id", sa.Uuid(), nullable=True),
        sa.Column("provider_confirmed", sa.Boolean(), nullable=True),
        sa.Column("outcome_services_delivered", sa.Text(), nullable=True),
        sa.Column("outcome_completed_on", sa.Date(), nullable=True),
        sa.Column("outcome_free_of_cost_honoured", sa.Boolean(), nullable=True),
        sa.Column("outcome_amount_charged", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "client_age_band IN ('0-11', '12-17', '18-24', '25-49', '50+', 'unknown')",
            name=op.f("ck_referral_age_band"),
        ),
        sa.CheckConstraint(
            "client_sex IN ('female', 'male', 'other', 'unknown')", name=op.f("ck_referral_sex")
        ),
        sa.CheckConstraint("priority IN ('routine', 'urgent')", name=op.f("ck_referral_priority")),
        sa.CheckConstraint(
            "status IN ('draft', 'requested', 'accepted', 'rejected', 'in_progress', 'on_hold', 'completed', 'failed', 'cancelled', 'entered_in_error')",
            name=op.f("ck_referral_status"),
        ),
        sa.ForeignKeyConstraint(["mou_id"], ["mou.id"], name=op.f("fk_referral_mou_id_mou")),
        sa.ForeignKeyConstraint(
            ["mou_service_id"],
            ["mou_service.id"],
            name=op.f("fk_referral_mou_service_id_mou_service"),
        ),
        sa.ForeignKeyConstraint(
            ["previous_referral_id"],
            ["referral.id"],
            name=op.f("fk_referral_previous_referral_id_referral"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_organization_id"],
            ["organization.id"],
            name=op.f("fk_referral_provider_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["referring_organization_id"],
            ["organization.id"],
            name=op.f("fk_referral_referring_organization_id_organization"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"], ["service.id"], name=op.f("fk_referral_service_id_service")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    op.create_index("ix_referral_due_by", "referral", ["due_by"], unique=False)
    op.create_index(op.f("ix_referral_mou_id"), "referral", ["mou_id"], unique=False)
    op.create_index(
        "ix_referral_provider_status",
        "referral",
        ["provider_organization_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_referral_referring_status",
        "referral",
        ["referring_organization_id", "status"],
        unique=False,
    )
    op.create_index(op.f("ix_referral_service_id"), "referral", ["service_id"], unique=False)
    op.create_table(
        "idempotency_key",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referral.id"], name=op.f("fk_idempotency_key_referral_id_referral")
        ),
        sa.PrimaryKeyConstraint("organization_id", "key", name=op.f("pk_idempotency_key")),
    )
    op.create_table(
        "referral_event",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("from_status", sa.Text(), nullable=True),
        sa.Column("to_status", sa.Text(), nullable=False),
        sa.Column("reason_code", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_organization_id", sa.Uuid(), nullable=True),
        sa.Column("actor_role", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referral.id"], name=op.f("fk_referral_event_referral_id_referral")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_event")),
    )
    op.create_index(
        op.f("ix_referral_event_referral_id"), "referral_event", ["referral_id"], unique=False
    )
    op.create_table(
        "organization_webhook",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_organization_webhook_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", name=op.f("pk_organization_webhook")),
    )
    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_outbox")),
    )
    op.create_index(
        "ix_notification_outbox_pending",
        "notification_outbox",
        ["delivered_at", "next_attempt_at"],
        unique=False,
    )
    # A referral's events are its history: the database refuses to change or remove one, except
    # for the retention purge, which may only blank an event's free-text note.
    op.execute(
        """
        CREATE FUNCTION referral_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' AND current_setting('referral.purge', true) = 'on'
             AND NEW.note IS NULL
             AND (NEW.id, NEW.referral_id, NEW.at, NEW.to_status, NEW.actor_role)
                 = (OLD.id, OLD.referral_id, OLD.at, OLD.to_status, OLD.actor_role)
             AND NEW.from_status IS NOT DISTINCT FROM OLD.from_status
             AND NEW.reason_code IS NOT DISTINCT FROM OLD.reason_code
             AND NEW.actor_user_id IS NOT DISTINCT FROM OLD.actor_user_id
             AND NEW.actor_organization_id IS NOT DISTINCT FROM OLD.actor_organization_id THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'referral_event is append-only';
        END
        $$;
        CREATE TRIGGER referral_event_append_only BEFORE UPDATE OR DELETE ON referral_event
        FOR EACH ROW EXECUTE FUNCTION referral_event_append_only();
        CREATE TRIGGER referral_event_no_truncate BEFORE TRUNCATE ON referral_event
        FOR EACH STATEMENT EXECUTE FUNCTION referral_event_append_only();
        """
    )


def downgrade() -> None:
    op.drop_index("ix_notification_outbox_pending", table_name="notification_outbox")
    op.drop_table("notification_outbox")
    op.drop_table("organization_webhook")
    op.execute("DROP TRIGGER referral_event_no_truncate ON referral_event")
    op.execute("DROP TRIGGER referral_event_append_only ON referral_event")
    op.execute("DROP FUNCTION referral_event_append_only()")
    op.drop_index(op.f("ix_referral_event_referral_id"), table_name="referral_event")
    op.drop_table("referral_event")
    op.drop_table("idempotency_key")
    op.drop_index(op.f("ix_referral_service_id"), table_name="referral")
    op.drop_index("ix_referral_referring_status", table_name="referral")
    op.drop_index("ix_referral_provider_status", table_name="referral")
    op.drop_index(op.f("ix_referral_mou_id"), table_name="referral")
    op.drop_index("ix_referral_due_by", table_name="referral")
    op.drop_table("referral")
    op.drop_index(op.f("ix_mou_service_mou_id"), table_name="mou_service")
    op.drop_table("mou_service")
    op.drop_index(op.f("ix_mou_provider_organization_id"), table_name="mou")
    op.drop_index("ix_mou_parties", table_name="mou")
    op.drop_table("mou")
