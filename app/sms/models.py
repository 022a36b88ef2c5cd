"""What the SMS lookup keeps: each message's keyed hashes (never a number, never a text) for a
short while, and counts of what was asked where, which carry no sender at all."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, Index, Integer, LargeBinary, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class SmsMessage(Base):
    """One message received, kept until SMS_FORGET_AFTER_HOURS: its delivery's hash (a message
    delivered twice is answered once), its sender's hash (rate limits, MORE) and what the reply
    showed, so that MORE can go on from there."""

    __tablename__ = "sms_message"
    __table_args__ = (
        Index("ix_sms_message_sender_key_received_at", "sender_key", "received_at"),
        Index("ix_sms_message_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    gateway: Mapped[str] = mapped_column(Text)
    delivery_key: Mapped[bytes] = mapped_column(LargeBinary, unique=True)
    sender_key: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    lang: Mapped[str] = mapped_column(Text)
    need: Mapped[str | None] = mapped_column(Text)
    place_pcode: Mapped[str | None] = mapped_column(Text)
    # how many results the replies of this search have sent so far (MORE sends the next ones)
    shown: Mapped[int] = mapped_column(Integer, default=0)


class SmsAskCount(Base):
    """How many messages asked for a need at a place on a day ('' when it named none)."""

    __tablename__ = "sms_ask_count"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    need: Mapped[str] = mapped_column(Text, primary_key=True)
    place_pcode: Mapped[str] = mapped_column(Text, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
