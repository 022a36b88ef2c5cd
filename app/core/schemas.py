"""What every request body and date shares: storable text, no nulls where a value is required,
dates within bounds that the database and arithmetic on them can hold."""

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator

from app.core.errors import Rule

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def unstorable(value: str) -> bool:
    """Whether PostgreSQL text (UTF-8, no NUL) cannot hold `value`: a NUL character or a lone
    UTF-16 surrogate, which JSON escapes such as "\\ud800" can carry."""
    return "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value)


def _refuse_unstorable(value: Any) -> Any:
    if isinstance(value, str) and unstorable(value):
        raise Rule(
            "contains a character that cannot be stored (NUL or a lone surrogate)",
            "এমন একটি অক্ষর আছে যা সংরক্ষণ করা যায় না (NUL বা একা সারোগেট)",
        )
    if isinstance(value, list):
        for item in value:
            _refuse_unstorable(item)
    return value


class Body(BaseModel):
    """Base of request bodies: unknown fields are refused, and so is text that cannot be stored."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def storable_text(cls, value: Any) -> Any:
        return _refuse_unstorable(value)


def _not_null(value: Any) -> Any:
    if value is None:
        raise Rule("may be left out, but not set to null", "বাদ দেওয়া যায়, কিন্তু null করা যায় না")
    return value


# On update bodies: a field that may be left out but, when sent, must have a value (the column
# cannot be empty). Annotated[str | None, NotNull] = None
NotNull = AfterValidator(_not_null)


def _out_of_range() -> Rule:
    return Rule(
        f"must be between {EARLIEST} and {LATEST}", f"{EARLIEST} থেকে {LATEST} এর মধ্যে হতে হবে"
    )


def _sane_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise _out_of_range()
    return value


def _sane_moment(value: datetime) -> datetime:
    # the year is checked before any conversion: 9999-12-31T23:59:59-12:00 has no UTC form
    if not EARLIEST.year <= value.year <= LATEST.year:
        raise _out_of_range()
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# A calendar date the service can compute with; a time (without a zone: UTC) likewise.
SaneDate = Annotated[date, AfterValidator(_sane_date)]
SaneDateTime = Annotated[datetime, AfterValidator(_sane_moment)]
