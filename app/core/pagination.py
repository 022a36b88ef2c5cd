"""The page envelope of every list endpoint (HSDS) and its two query parameters."""

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
R = TypeVar("R")

PageNumber = Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1.")]
PerPage = Annotated[int, Query(ge=1, le=100, description="Items per page, 1 to 100.")]


class FacetValue(BaseModel):
    """One value of a facet, with its names and how many of the matches have it."""

    code: str = Field(
        description="pcode (division, district, upazila, union), category code (category), "
        "or `true` / `false` (free_of_cost)"
    )
    name: str = Field(description="English name")
    name_bn: str | None = Field(default=None, description="Bangla name; absent where unknown")
    count: int = Field(ge=1, description="matching services with this value")


Facets = dict[str, list[FacetValue]]


class Page(BaseModel, Generic[T]):
    """The HSDS page envelope; pages start at 1."""

    total_items: int
    total_pages: int
    page_number: int
    size: int
    first_page: bool
    last_page: bool
    empty: bool
    contents: list[T]
    facets: Facets | None = Field(
        default=None,
        description="With `facets=`: each requested facet's values, counted after all filters, "
        "most counted first, then by code; values no match has are left out.",
    )

    @classmethod
    def build(
        cls,
        *,
        contents: list[T],
        total: int,
        page: int,
        per_page: int,
        facets: Facets | None = None,
    ) -> "Page[T]":
        meta = page_meta(total=total, page=page, per_page=per_page, size=len(contents))
        return cls(**meta, contents=contents, facets=facets)


def page_meta(*, total: int, page: int, per_page: int, size: int) -> dict[str, Any]:
    """The HSDS page envelope without its contents."""
    total_pages = (total + per_page - 1) // per_page
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": size,
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": size == 0,
    }


async def fetch_page(
    session: AsyncSession, query: Select[tuple[R]], *, page: int, per_page: int
) -> tuple[list[R], int]:
    """One page of a query's rows, in its order, and how many rows the whole query has."""
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    total = (await session.execute(counted)).scalar_one()
    rows = await session.execute(query.offset((page - 1) * per_page).limit(per_page))
    return list(rows.scalars()), total
