"""PostgreSQL backend: tsvector (typo-tolerant through the vocabulary) over `service_search`,
PostGIS for geo filters, array overlaps for admin areas and categories."""

from functools import lru_cache
from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Numeric,
    Select,
    Text,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import ReadOnlyColumnCollection

from app.directory.models import Attribute, Location, ServiceSearch, TaxonomyTerm
from search.query import VISIBLE_STATUSES, Hit, SearchPage, ServiceQuery

DOC = ServiceSearch.__table__
Columns = ReadOnlyColumnCollection[str, Any]  # the columns of `service_search` or a subquery of it

# Up to this radius, the services near the point are few enough to test each against the other
# filters; beyond it, the planner combines the indexes (a common word's prefix matches thousands).
GEO_FIRST_RADIUS_KM = 20.0


class PostgresSearch:
    """Runs searches inside the caller's session (the request's transaction)."""

    name = "postgres"
    served_by = "postgres"
    fallback_reason: str | None = None

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def search_services(self, query: ServiceQuery) -> SearchPage:
        """One page with its total, then the requested facets, all under the same filters."""
        source = _source(query)
        conditions = service_conditions(query, source.c, geo=source is DOC)
        count = select(func.count()).select_from(source).where(*conditions)
        # A window count costs a buffer of every match: worth one statement less when the
        # filters narrow the directory down, not when they leave most of it.
        windowed = _narrows(query)
        total = None if windowed else (await self.session.execute(count)).scalar_one()
        rows = (await self.session.execute(_page(query, source, conditions, windowed))).all()
        if total is None:
            # a page past the end has no rows to carry the total
            total = rows[0].total if rows else (await self.session.execute(count)).scalar_one()
        hits = [Hit(row.service_id, row.distance_km, row.document, row.score) for row in rows]
        facets = await self._facets(query.facets, source, conditions) if query.facets else {}
        return SearchPage(hits=hits, total=total, facets=facets)

    async def _facets(
        self, names: tuple[str, ...], source: FromClause, conditions: list[ColumnElement[bool]]
    ) -> dict[str, dict[str, int]]:
        """Counts per value of each facet, in one statement over the matches found once."""
        columns = {name: FACET_COLUMNS[name] for name in names}
        matches = (
            select(*(source.c[column] for column in set(columns.values())))
            .where(*conditions)
            .cte("facet_matches")
            .prefix_with("MATERIALIZED")
        )
        parts = []
        for name, column in columns.items():
            if column == "free_of_cost":
                value: Any = cast(matches.c.free_of_cost, Text)
                parts.append(
                    select(literal(name).label("facet"), value.label("value"), func.count())
                    .select_from(matches)
                    .group_by(value)
                )
            else:
                unnested = func.unnest(matches.c[column]).table_valued("value").render_derived()
                parts.append(
                    select(literal(name).label("facet"), unnested.c.value, func.count())
                    .select_from(matches)
                    .join(unnested, true())
                    .group_by(unnested.c.value)
                )
        facets: dict[str, dict[str, int]] = {name: {} for name in names}
        for name, value, count in (await self.session.execute(union_all(*parts))).tuples():
            if count:
                facets[name][value] = count
        return {
            name: dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
            for name, counts in facets.items()
        }


FACET_COLUMNS = {
    "category": "category_codes",
    "division": "division_codes",
    "district": "district_codes",
    "upazila": "upazila_codes",
    "union": "union_codes",
    "free_of_cost": "free_of_cost",
}


def _narrows(query: ServiceQuery) -> bool:
    """Whether the query has a filter that usually leaves a small part of the directory."""
    return bool(
        query.text or query.point or query.bbox or query.admin or query.categories
        or query.organization_id or query.taxonomy_term_id or query.taxonomy_id
    )  # fmt: skip


def _source(query: ServiceQuery) -> FromClause:
    """The documents to filter: all of them, or, for a small radius, those near the point first
    (`OFFSET 0` keeps the planner from merging the other filters into that scan)."""
    if query.point is None or query.radius_km is None or query.radius_km > GEO_FIRST_RADIUS_KM:
        return DOC
    return select(DOC).where(_within(DOC.c, query)).offset(0).subquery("nearby")


def _page(
    query: ServiceQuery,
    source: FromClause,
    conditions: list[ColumnElement[bool]],
    windowed: bool,
) -> Select[Any]:
    """The page's rows with distance, list item and (if `windowed`) the total.

    With a window count, the sort keys are computed below the window (`OFFSET 0` keeps them
    there), so that its buffer holds a few small columns per match rather than documents, and the
    window count needs no sort of its own, so PostgreSQL keeps a top-N sort for the page. The
    list items are read for the page's rows only, after the limit.
    """
    c = source.c
    distance: Any = null()
    if query.point is not None:
        distance = func.ST_Distance(c.geog, point_of(query), False) / 1000.0
    ranks: list[Any] = []  # descending
    if query.text is not None and query.sort == "relevance":
        # every word in the service's name before elsewhere, exact (prefix) matches before typo
        # matches: two tsvector tests per match, much cheaper than computing ts_rank
        terms = _tsqueries(query.text)
        ranks = [
            c.tsv.op("@@")(select(terms.c.in_name).scalar_subquery()),
            c.tsv.op("@@")(select(terms.c.exact).scalar_subquery()),
        ]
    matches_query = (
        select(
            c.service_id,
            c.name_key,
            distance.label("distance_km"),
            *(rank.label(f"rank_{i}") for i, rank in enumerate(ranks)),
        )
        .select_from(source)
        .where(*conditions)
    )
    if windowed:
        matches_query = matches_query.offset(0)
    matches = matches_query.subquery("matches")
    page = (
        select(matches, (func.count().over() if windowed else null()).label("total"))
        .order_by(*_order(query, matches.c, len(ranks)))
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
        .subquery("page")
    )
    stored = DOC.alias("stored")
    document: Any = stored.c.list_item
    if query.point is not None:
        document = document.op("||", return_type=JSONB)(
            func.jsonb_build_object(
                literal("distance_km"), func.round(cast(page.c.distance_km, Numeric), 3)
            )
        )
    # relevance in [0, 1]: a third for matching, a third for exact words, a third for the name
    score: Any = null()
    if ranks:
        score = (1 + cast(page.c.rank_0, Integer) + cast(page.c.rank_1, Integer)) / 3.0
    return (
        select(
            page.c.service_id,
            page.c.distance_km,
            page.c.total,
            cast(document, Text).label("document"),
            score.label("score"),
        )
        .join(stored, stored.c.service_id == page.c.service_id)
        .order_by(*_order(query, page.c, len(ranks)))
    )


def _order(query: ServiceQuery, c: Columns, ranks: int) -> list[Any]:
    """Sort order over the columns of `matches` (or a subquery of it); ids break ties."""
    order: list[Any] = [c[f"rank_{i}"].desc() for i in range(ranks)]
    if query.sort == "distance":
        order.append(c.distance_km.asc())
    return [*order, c.name_key.asc(), c.service_id.asc()]


def point_of(query: ServiceQuery) -> Any:
    """The query point as a geography."""
    assert query.point is not None
    point = func.ST_SetSRID(func.ST_MakePoint(query.point.lng, query.point.lat), 4326)
    return cast(point, Geography(geometry_type="POINT", srid=4326))


@lru_cache(maxsize=1024)
def _tsqueries(text: str) -> Any:
    """The search's typo-tolerant and exact tsqueries, computed once per statement (one CTE
    object per text, so that every reference in a statement names the same CTE)."""
    return select(
        func.search_query(text).label("tolerant"),
        func.search_prefix_query(text).label("exact"),
        func.search_prefix_query(text, "A").label("in_name"),
    ).cte("search_terms")


def _within(c: Columns, query: ServiceQuery) -> ColumnElement[bool]:
    # great-circle (sphere) distance, the same figure `distance_km` reports
    assert query.radius_km is not None
    return func.ST_DWithin(c.geog, point_of(query), query.radius_km * 1000.0, False)


def service_conditions(query: ServiceQuery, c: Columns, *, geo: bool) -> list[ColumnElement[bool]]:
    """Filters on search documents (columns `c`); `geo=False` leaves radius and bbox out."""
    conditions: list[ColumnElement[bool]] = [c.status.in_(VISIBLE_STATUSES)]
    if query.text is not None:
        conditions.append(
            c.tsv.op("@@")(select(_tsqueries(query.text).c.tolerant).scalar_subquery())
        )
    if geo and query.point is not None and query.radius_km is not None:
        conditions.append(_within(c, query))
    if geo and query.bbox is not None:
        conditions.append(func.ST_Intersects(c.geom, _envelope(query)))
    for level, pcodes in query.admin.items():
        conditions.append(c[f"{level}_codes"].overlap(_text_array(pcodes)))
    if query.categories:
        conditions.append(c.category_codes.overlap(_text_array(query.categories)))
    if query.free_of_cost is not None:
        conditions.append(c.free_of_cost.is_(query.free_of_cost))
    if query.organization_id is not None:
        conditions.append(c.organization_id == query.organization_id)
    if query.taxonomy_term_id is not None:
        conditions.append(
            exists().where(
                Attribute.link_id == c.service_id,
                Attribute.taxonomy_term_id == query.taxonomy_term_id,
            )
        )
    if query.taxonomy_id is not None:
        conditions.append(
            exists().where(
                Attribute.link_id == c.service_id,
                Attribute.taxonomy_term_id == TaxonomyTerm.id,
                TaxonomyTerm.taxonomy_id == query.taxonomy_id,
            )
        )
    if query.modified_after is not None:
        conditions.append(c.modified_at >= query.modified_after)
    return conditions


def _text_array(values: tuple[str, ...]) -> Any:
    return cast(list(values), ARRAY(Text))


def _envelope(query: ServiceQuery) -> Any:
    assert query.bbox is not None
    box = query.bbox
    return func.ST_MakeEnvelope(box.min_lng, box.min_lat, box.max_lng, box.max_lat, 4326)


def location_geography() -> Any:
    """`location.geom` as a geography (indexed by an expression index)."""
    return cast(Location.geom, Geography)


def location_conditions(query: ServiceQuery) -> list[ColumnElement[bool]]:
    """Radius and bbox applied to a `location` row."""
    conditions: list[ColumnElement[bool]] = []
    if query.point is not None and query.radius_km is not None:
        conditions.append(
            func.ST_DWithin(location_geography(), point_of(query), query.radius_km * 1000.0, False)
        )
    if query.bbox is not None:
        conditions.append(func.ST_Intersects(Location.geom, _envelope(query)))
    return conditions
