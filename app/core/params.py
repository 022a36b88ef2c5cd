"""The query parameters several operations share, with the same limits everywhere (the README's
"Limits" table lists them): free text, a place, and a period whose start is not after its end."""

from datetime import date, datetime
from typing import Annotated, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from app.core.errors import InvalidParameter
from app.core.schemas import SaneDate

MAX_SEARCH_LENGTH = 200
MAX_PLACE_LENGTH = 100

SEARCH_DESCRIPTION = f"Full-text search, English or Bangla; at most {MAX_SEARCH_LENGTH} characters."
PLACE_DESCRIPTION = f"pcode or name (any spelling); at most {MAX_PLACE_LENGTH} characters."

SearchText = Annotated[
    str | None, Query(max_length=MAX_SEARCH_LENGTH, description=SEARCH_DESCRIPTION)
]
PlaceText = Annotated[str | None, Query(max_length=MAX_PLACE_LENGTH, description=PLACE_DESCRIPTION)]


class RangeOrder(InvalidParameter):
    en = "is after {end}; the start of a period must not be after its end"
    bn = "{end}-এর পরে; সময়ের শুরু শেষের পরে হতে পারে না"


Moment = TypeVar("Moment", date, datetime)


def check_order(start: Moment | None, end: Moment | None, *, names: tuple[str, str]) -> None:
    """`RangeOrder`, naming the start parameter, when both are given and the start is later."""
    if start is not None and end is not None and start > end:
        raise RangeOrder(field=names[0], end=names[1])


class Period(BaseModel):
    """`from` and `to`, whole days, both inclusive."""

    since: date | None = None
    until: date | None = None


def period(
    from_: Annotated[
        SaneDate | None, Query(alias="from", description="From this day on (inclusive).")
    ] = None,
    to: Annotated[SaneDate | None, Query(description="Up to this day (inclusive).")] = None,
) -> Period:
    check_order(from_, to, names=("from", "to"))
    return Period(since=from_, until=to)


PeriodDep = Annotated[Period, Depends(period)]
