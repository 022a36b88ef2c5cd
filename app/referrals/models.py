"""MoUs between organizations, and the referrals made under them, with their event history."""

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, get_args

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Text,
    Uuid,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TimestampMixin

# the statuses, once: the check constraints and the API schemas both come from these
MouStatus = Literal["draft", "active", "suspended", "expired", "terminated"]
ReferralStatus = Literal[
    "draft",
    "requested",
    "accepted",
    "rejected",
    "in_progress",
    "on_hold",
    "completed",
    "failed",
    "cancelled",
    "entered_in_error",
]
MOU_STATUSES: tuple[str, ...] = get_args(MouStatus)
REFERRAL_STATUSES: tuple[str, ...] = get_args(ReferralStatus)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Mou(TimestampMixin, Base):
    """A memorandum of understanding: a referring organization may refer to a provider."""

    __tablename__ = "mou"
    __table_args__ = (
        CheckConstraint(_in("status", MOU_STATUSES), name="status"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity"),
        CheckConstraint(
            "referring_organization_id <> provider_organization_id", name="two_parties"
        ),
        Index("ix_mou_parties", "referring_organization_id", "provider_organization_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    reference: Mapped[str] = mapped_column(Text)
    referring_organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"))
    provider_organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id"), index=True
    )
    signed_on: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(Text, default="draft")
    document_url: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    services: Mapped[list["MouService"]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="MouService.category"
    )


class MouService(Base):
    """A service (or a whole category of the provider's services) an MoU covers, and its terms."""

    __tablename__ = "mou_service"
    __table_args__ = (
        CheckConstraint(
            "quota_period IS NULL OR quota_period IN ('month', 'quarter', 'year')", name="period"
        ),
        CheckConstraint("(quota IS NULL) = (quota_period IS NULL)", name="quota"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    mou_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mou.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(Text)
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("service.id"))
    free_of_cost: Mapped[bool | None] = mapped_column(Boolean)
    cost_terms: Mapped[str | None] = mapped_column(Text)
    quota: Mapped[int | None] = mapped_column(Integer)
    quota_period: Mapped[str | None] = mapped_column(Text)
    response_sla_hours: Mapped[int | None] = mapped_column(Integer)


class Referral(TimestampMixin, Base):
    """One survivor referred for one service: pseudonymous, never a name, phone or address."""

    __tablename__ = "referral"
    __table_args__ = (
        CheckConstraint(_in("status", REFERRAL_STATUSES), name="status"),
        CheckConstraint("client_sex IN ('female', 'male', 'other', 'unknown')", name="sex"),
        CheckConstraint(
            "client_age_band IN ('0-11', '12-17', '18-24', '25-49', '50+', 'unknown')",
            name="age_band",
        ),
        CheckConstraint("priority IN ('routine', 'urgent')", name="priority"),
        Index("ix_referral_referring_status", "referring_organization_id", "status"),
        Index("ix_referral_provider_status", "provider_organization_id", "status"),
        Index("ix_referral_due_by", "due_by"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    version: Mapped[int] = mapped_column(Integer, default=1)
    case_ref: Mapped[str | None] = mapped_column(Text)
    client_sex: Mapped[str] = mapped_column(Text)
    client_age_band: Mapped[str] = mapped_column(Text)
    referring_organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"))
    provider_organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"))
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service.id"), index=True)
    category: Mapped[str | None] = mapped_column(Text)
    mou_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("mou.id"), index=True)
    mou_service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("mou_service.id"))
    outside_mou: Mapped[bool] = mapped_column(Boolean, default=False)
    mou_match: Mapped[str] = mapped_column(Text)  # covered | no_mou | quota_used_up
    reason: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(Text, default="routine")
    consent_given: Mapped[bool] = mapped_column(Boolean)
    consent_obtained_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    consent_scope: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    previous_referral_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referral.id"))
    provider_confirmed: Mapped[bool | None] = mapped_column(Boolean)
    outcome_services_delivered: Mapped[str | None] = mapped_column(Text)
    outcome_completed_on: Mapped[date | None] = mapped_column(Date)
    outcome_free_of_cost_honoured: Mapped[bool | None] = mapped_column(Boolean)
    outcome_amount_charged: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    created_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    # set when retention blanked the case reference and free text
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    events: Mapped[list["ReferralEvent"]] = relationship(lazy="raise", order_by="ReferralEvent.id")


class ReferralEvent(Base):
    """One change of a referral; the database keeps them append-only."""

    __tablename__ = "referral_event"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referral.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    from_status: Mapped[str | None] = mapped_column(Text)
    to_status: Mapped[str] = mapped_column(Text)
    reason_code: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_organization_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_role: Mapped[str] = mapped_column(Text)  # a role, or "system" for expiry


class IdempotencyKey(Base):
    """A client's `Idempotency-Key` for creating a referral, with a hash of the body it came
    with."""

    __tablename__ = "idempotency_key"

    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    request_hash: Mapped[str] = mapped_column(Text)
    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referral.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OrganizationWebhook(TimestampMixin, Base):
    """Where an organization wants to hear about referral events (one URL per organization)."""

    __tablename__ = "organization_webhook"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True
    )
    url: Mapped[str] = mapped_column(Text)


class NotificationOutbox(Base):
    """A notification waiting to be posted to an organization's webhook: the referral's id, the
    event and a link, never anything about the survivor."""

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_pending", "delivered_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    referral_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    event: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
