"""Accounts: users of the directory's organizations, their roles, and token bookkeeping."""

import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Text, Uuid, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.actor import Role
from app.core.db import Base, TimestampMixin


class User(TimestampMixin, Base):
    """A person who signs in; belongs to one organization and has one role."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(
            "role IN ({})".format(", ".join(f"'{role}'" for role in Role)), name="role"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(Text, unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organization.id"), index=True)
    role: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    # tokens issued before this instant are void (password reset, disabling)
    tokens_valid_after: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    districts: Mapped[list["UserDistrict"]] = relationship(
        lazy="raise", cascade="all, delete-orphan"
    )


class UserDistrict(Base):
    """A district a `district_admin` maintains."""

    __tablename__ = "user_district"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    district_pcode: Mapped[str] = mapped_column(ForeignKey("admin_area.pcode"), primary_key=True)


class RevokedToken(Base):
    """A token that was signed out before it expired."""

    __tablename__ = "revoked_token"

    jti: Mapped[str] = mapped_column(Text, primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LoginFailure(Base):
    """One failed sign-in, kept to throttle guessing (per account name and client)."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_account_client_at", "account", "client", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(Text)
    client: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
