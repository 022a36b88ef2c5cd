"""PostgreSQL backend: tsvector (typo-tolerant through the vocabulary) over `service_search`,
PostGIS for geo filters, array overlaps for admin areas and categories."""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import (
    Boolean,
    ColumnElement,
    DateTime,
    Float,
    FromClause,
    Integer,
    Numeric,
    Select,
    Text,
    Uuid,
    any_,
    bindparam,
    cast,
    exists,
    func,
    literal,
    literal_column,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.base import ReadOnlyColumnCollection

from search.directory import ATTRIBUTE, TAXONOMY_TERM
from search.models import ServiceSearch
from search.query import (
    ADMIN_LEVELS,
    FACET_FIELDS,
    VISIBLE_STATUSES,
    AdminLevel,
    BBox,
    Hit,
    Point,
    SearchPage,
    ServiceQuery,
    Sort,
)

DOC = ServiceSearch.__table__
Columns = ReadOnlyColumnCollection[str, Any]  # the columns of `service_search` or a subquery of it

# Up to this radius, the services near the point are few enough to test each against the other
# filters; beyond it, the planner uses the (geog, tsv) GiST index or combines the indexes (a
# common word's prefix matches thousands). Measured at 100,000 services with `health`: at 15 km
# geo-first 2.6 ms, the GiST index 3.3 ms; at 20 km 20-27 ms against 7 ms; at 25 km 23-25 against
# 8-9 ms (combining the geography and GIN indexes without the GiST one: 40 ms).
GEO_FIRST_RADIUS_KM = 10.0


class PostgresSearch:
    """Runs searches inside the caller's session (the request's transaction)."""

    served_by = "postgres"
    fallback_reason: str | None = None

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def search_services(self, query: ServiceQuery) -> SearchPage:
        """One page with its total, then the requested facets, all under the same filters."""
        statements = _statements(Shape.of(query))
        values = bind_values(query)
        # A window count costs a buffer of every match: worth one statement less when the
        # filters narrow the directory down, not when they leave most of it.
        total = None
        if not statements.windowed:
            total = (await self.session.execute(statements.count, values)).scalar_one()
        rows = (await self.session.execute(statements.page, values)).all()
        if total is None:
            # a page past the end has no rows to carry the total
            if rows:
                total = rows[0].total
            else:
                total = (await self.session.execute(statements.count, values)).scalar_one()
        hits = [Hit(row.service_id, row.distance_km, row.document, row.score) for row in rows]
        facets: dict[str, dict[str, int]] = {}
        if query.facets:
            if statements.facets_in_page and rows:
                counts: Any = json.loads(rows[0].facets or "[]")
            else:  # no page row carries them
                counts = (await self.session.execute(statements.facets, values)).tuples()
            facets = _facet_counts(query.facets, counts)
        return SearchPage(hits=hits, total=total, facets=facets)


@dataclass(frozen=True)
class Shape:
    """What decides the SQL of a search, as opposed to the values bound into it: searches of
    one shape share one statement, built and compiled once."""

    text: bool
    point: bool
    radius: bool
    bbox: bool
    admin: tuple[AdminLevel, ...]
    categories: bool
    free_of_cost: bool
    organization: bool
    term: bool
    taxonomy: bool
    modified_after: bool
    sort: Sort
    facets: tuple[str, ...]
    geo_first: bool

    @classmethod
    def of(cls, query: ServiceQuery) -> "Shape":
        return cls(
            text=query.text is not None,
            point=query.point is not None,
            radius=query.point is not None and query.radius_km is not None,
            bbox=query.bbox is not None,
            admin=tuple(level for level in ADMIN_LEVELS if level in query.admin),
            categories=bool(query.categories),
            free_of_cost=query.free_of_cost is not None,
            organization=query.organization_id is not None,
            term=query.taxonomy_term_id is not None,
            taxonomy=query.taxonomy_id is not None,
            modified_after=query.modified_after is not None,
            sort=query.sort,
            facets=query.facets,
            geo_first=(
                query.point is not None
                and query.radius_km is not None
                and query.radius_km <= GEO_FIRST_RADIUS_KM
            ),
        )


def bind_values(query: ServiceQuery) -> dict[str, Any]:
    """Every value a search statement binds (each statement uses those of its shape)."""
    values: dict[str, Any] = {
        "search_text": query.text,
        "lat": None,
        "lng": None,
        "radius_m": None,
        "min_lng": None,
        "min_lat": None,
        "max_lng": None,
        "max_lat": None,
        "categories": list(query.categories),
        "free_of_cost": query.free_of_cost,
        "organization_id": query.organization_id,
        "taxonomy_term_id": query.taxonomy_term_id,
        "taxonomy_id": query.taxonomy_id,
        "modified_after": query.modified_after,
        "offset": (query.page - 1) * query.per_page,
        "limit": query.per_page,
        **{f"{level}_codes": list(query.admin.get(level, ())) for level in ADMIN_LEVELS},
    }
    if query.point is not None:
        values |= {"lat": query.point.lat, "lng": query.point.lng}
        if query.radius_km is not None:
            values["radius_m"] = query.radius_km * 1000.0
    if query.bbox is not None:
        box = query.bbox
        values |= {
            "min_lng": box.min_lng,
            "min_lat": box.min_lat,
            "max_lng": box.max_lng,
            "max_lat": box.max_lat,
        }
    return values


@dataclass(frozen=True)
class Statements:
    count: Select[Any]
    page: Select[Any]
    facets: Any
    windowed: bool
    # the page's rows carry the facet counts (column `facets`), counted over the matches that
    # the page is taken from: one pass over the matches instead of two
    facets_in_page: bool


@lru_cache(maxsize=512)
def _statements(shape: Shape) -> Statements:
    """The statements of a search shape, over placeholders that `bind_values` fills."""
    query = _placeholder_query(shape)
    source = _source(query)
    terms = _tsqueries() if query.text is not None else None
    conditions = service_conditions(query, source.c, geo=source is DOC, terms=terms)
    windowed = _narrows(query)
    count = select(func.count()).select_from(source).where(*conditions)
    # Facets ride on a windowed page: without a window count the matches are most of the
    # directory, and a page of the first rows of its order need not read them all.
    facets_in_page = windowed and bool(query.facets)
    page = _page(query, source, conditions, windowed, terms, facets_in_page)
    facets = _facets(query.facets, source, conditions) if query.facets else None
    return Statements(
        count=count, page=page, facets=facets, windowed=windowed, facets_in_page=facets_in_page
    )


def _placeholder_query(shape: Shape) -> ServiceQuery:
    """A query of this shape (its values are replaced by those bound at execution)."""
    placeholder = uuid.UUID(int=0)
    return ServiceQuery(
        text="-" if shape.text else None,
        point=Point(0.0, 0.0) if shape.point else None,
        radius_km=(GEO_FIRST_RADIUS_KM if shape.geo_first else 1000.0) if shape.radius else None,
        bbox=BBox(0.0, 0.0, 0.0, 0.0) if shape.bbox else None,
        admin={level: ("-",) for level in shape.admin},
        categories=("-",) if shape.categories else (),
        free_of_cost=True if shape.free_of_cost else None,
        organization_id=placeholder if shape.organization else None,
        taxonomy_term_id=placeholder if shape.term else None,
        taxonomy_id=placeholder if shape.taxonomy else None,
        modified_after=datetime.min if shape.modified_after else None,
        sort=shape.sort,
        facets=shape.facets,
    )


def _facets(
    names: tuple[str, ...], source: FromClause, conditions: list[ColumnElement[bool]]
) -> Any:
    """Counts per value of each facet, in one statement over the matches found once."""
    matches = (
        select(*(source.c[column] for column in _facet_columns(names)))
        .where(*conditions)
        .cte("facet_matches")
        .prefix_with("MATERIALIZED")
    )
    return _facet_union(names, matches)


def _facet_columns(names: tuple[str, ...]) -> list[str]:
    return sorted({FACET_COLUMNS[name] for name in names})


def _facet_union(names: tuple[str, ...], matches: FromClause) -> Any:
    """(facet, value, count) rows of each facet over `matches` (which has the facet columns)."""
    columns = {name: FACET_COLUMNS[name] for name in names}
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
    return union_all(*parts)


def _facet_counts(names: tuple[str, ...], rows: Any) -> dict[str, dict[str, int]]:
    """Non-zero counts per facet, most first, then by value."""
    facets: dict[str, dict[str, int]] = {name: {} for name in names}
    for name, value, count in rows:
        if count:
            facets[name][value] = count
    return {
        name: dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        for name, counts in facets.items()
    }


FACET_COLUMNS = FACET_FIELDS


def _narrows(query: ServiceQuery) -> bool:
    """Whether the query has a filter that usually leaves a small part of the directory."""
    return bool(
        query.text
        or query.point
        or query.bbox
        or query.admin
        or query.categories
        or query.organization_id
        or query.taxonomy_term_id
        or query.taxonomy_id
    )


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
    terms: Any,
    with_facets: bool = False,
) -> Select[Any]:
    """The page's rows with distance, list item, score, (if `windowed`) the total and (if
    `with_facets`) the facet counts as JSON `[[facet, value, count], ...]`.

    With facets the matches are a materialized CTE that both the page and the counts read.

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
    if terms is not None and query.sort == "relevance":
        # every word in the service's name (typos allowed) before elsewhere, then exact (prefix)
        # matches before typo matches, as Meilisearch ranks attribute before typo: two tsvector
        # tests per match, much cheaper than computing ts_rank
        ranks = [
            c.tsv.op("@@")(select(terms.c.in_name).scalar_subquery()),
            c.tsv.op("@@")(select(terms.c.exact).scalar_subquery()),
        ]
    facet_columns = _facet_columns(query.facets) if with_facets else []
    matches_query = (
        select(
            c.service_id,
            c.name_key,
            distance.label("distance_km"),
            *(rank.label(f"rank_{i}") for i, rank in enumerate(ranks)),
            *(c[column] for column in facet_columns),
        )
        .select_from(source)
        .where(*conditions)
    )
    matches: Any
    if with_facets:
        matches = matches_query.cte("matches").prefix_with("MATERIALIZED")
    else:
        if windowed:
            matches_query = matches_query.offset(0)
        matches = matches_query.subquery("matches")
    page_columns = [column for column in matches.c if column.key not in facet_columns]
    page = (
        select(*page_columns, (func.count().over() if windowed else null()).label("total"))
        .order_by(*_order(query, matches.c, len(ranks)))
        .offset(bindparam("offset", type_=Integer))
        .limit(bindparam("limit", type_=Integer))
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
    facets: Any = null()
    if with_facets:
        counted = _facet_union(query.facets, matches).subquery("facet_counts")
        rows = func.json_build_array(*counted.c)
        facets = select(cast(func.json_agg(rows), Text)).select_from(counted).scalar_subquery()
    return (
        select(
            page.c.service_id,
            page.c.distance_km,
            page.c.total,
            cast(document, Text).label("document"),
            score.label("score"),
            facets.label("facets"),
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


# Values enter statements as named parameters (`bind_values` names them all), so that one
# statement serves every search of a shape; the values bound here serve callers that build a
# statement for one query.


def _bind(name: str, value: Any, type_: Any) -> Any:
    return bindparam(name, value, type_=type_)


def point_of(query: ServiceQuery) -> Any:
    """The query point as a geography."""
    assert query.point is not None
    lng = _bind("lng", query.point.lng, Float)
    lat = _bind("lat", query.point.lat, Float)
    point = func.ST_SetSRID(func.ST_MakePoint(lng, lat), 4326)
    return cast(point, Geography(geometry_type="POINT", srid=4326))


def _radius_m(query: ServiceQuery) -> Any:
    assert query.radius_km is not None
    return _bind("radius_m", query.radius_km * 1000.0, Float)


def _tsqueries(text: str | None = None) -> Any:
    """The search's typo-tolerant, in-name and exact tsqueries, computed once per statement (a
    statement refers to one such CTE object throughout)."""
    value = _bind("search_text", text, Text)
    tolerant = func.search_queries(value).table_valued("tolerant", "in_name").render_derived()
    return select(
        tolerant.c.tolerant,
        tolerant.c.in_name,
        func.search_prefix_query(value).label("exact"),
    ).cte("search_terms")


def _within(c: Columns, query: ServiceQuery) -> ColumnElement[bool]:
    # great-circle (sphere) distance, the same figure `distance_km` reports
    return func.ST_DWithin(c.geog, point_of(query), _radius_m(query), False)


def service_conditions(
    query: ServiceQuery, c: Columns, *, geo: bool, terms: Any = None
) -> list[ColumnElement[bool]]:
    """Filters on search documents (columns `c`); `geo=False` leaves radius and bbox out;
    `terms`: the statement's `_tsqueries` CTE (made here when not given)."""
    # an array parameter, not an expanding IN list, which is re-rendered at every execution
    visible = bindparam("visible_statuses", list(VISIBLE_STATUSES), type_=ARRAY(Text))
    conditions: list[ColumnElement[bool]] = [c.status == any_(visible)]
    if query.text is not None:
        terms = terms if terms is not None else _tsqueries(query.text)
        tolerant = select(terms.c.tolerant).scalar_subquery()
        wide = geo and query.point is not None and query.radius_km is not None
        conditions.append((_geo_tsv(c) if wide else c.tsv).op("@@")(tolerant))
    if geo and query.point is not None and query.radius_km is not None:
        conditions.append(_within(c, query))
    if geo and query.bbox is not None:
        conditions.append(func.ST_Intersects(c.geom, _envelope(query)))
    for level in ADMIN_LEVELS:
        if level in query.admin:
            codes = _bind(f"{level}_codes", list(query.admin[level]), ARRAY(Text))
            conditions.append(c[f"{level}_codes"].overlap(codes))
    if query.categories:
        categories = _bind("categories", list(query.categories), ARRAY(Text))
        conditions.append(c.category_codes.overlap(categories))
    if query.free_of_cost is not None:
        conditions.append(c.free_of_cost == _bind("free_of_cost", query.free_of_cost, Boolean))
    if query.organization_id is not None:
        organization = _bind("organization_id", query.organization_id, Uuid)
        conditions.append(c.organization_id == organization)
    if query.taxonomy_term_id is not None:
        term = _bind("taxonomy_term_id", query.taxonomy_term_id, Uuid)
        conditions.append(
            exists().where(
                ATTRIBUTE.c.link_id == c.service_id, ATTRIBUTE.c.taxonomy_term_id == term
            )
        )
    if query.taxonomy_id is not None:
        taxonomy = _bind("taxonomy_id", query.taxonomy_id, Uuid)
        conditions.append(
            exists().where(
                ATTRIBUTE.c.link_id == c.service_id,
                ATTRIBUTE.c.taxonomy_term_id == TAXONOMY_TERM.c.id,
                TAXONOMY_TERM.c.taxonomy_id == taxonomy,
            )
        )
    if query.modified_after is not None:
        after = _bind("modified_after", query.modified_after, DateTime(timezone=True))
        conditions.append(c.modified_at >= after)
    return conditions


def _geo_tsv(c: Columns) -> Any:
    """The tsvector as the (geog, tsv) GiST index has it: an expression (equal to `tsv`) that
    only a radius search names, so that a search without a point keeps the GIN index (the GiST
    index answers `tsv @@` too, lossily: 490 ms for `helth` at 100,000 services instead of 90)."""
    return c.tsv.op("||")(literal_column("''::tsvector"))


def _envelope(query: ServiceQuery) -> Any:
    assert query.bbox is not None
    box = query.bbox
    return func.ST_MakeEnvelope(
        _bind("min_lng", box.min_lng, Float),
        _bind("min_lat", box.min_lat, Float),
        _bind("max_lng", box.max_lng, Float),
        _bind("max_lat", box.max_lat, Float),
        4326,
    )


def location_geography(location: Columns) -> Any:
    """`location.geom` (of the caller's `location` columns) as a geography (indexed by an
    expression index)."""
    return cast(location.geom, Geography)


def location_conditions(query: ServiceQuery, location: Columns) -> list[ColumnElement[bool]]:
    """Radius and bbox applied to a `location` row (the caller's `location` columns), which is
    never a confidential one: its point must not find it (nor tell how far it is)."""
    conditions: list[ColumnElement[bool]] = []
    if query.bbox is not None or (query.point is not None and query.radius_km is not None):
        conditions.append(location.confidential.is_(False))
    if query.point is not None and query.radius_km is not None:
        conditions.append(
            func.ST_DWithin(location_geography(location), point_of(query), _radius_m(query), False)
        )
    if query.bbox is not None:
        conditions.append(func.ST_Intersects(location.geom, _envelope(query)))
    return conditions


def every_match(query: ServiceQuery, *, minimal: bool) -> Select[Any]:
    """Every visible match of the query's filters, unpaged, by name then id (a stable order for
    a stream): the list item as text (with `distance_km` for a point, as the pages have it) or,
    `minimal`, only the id and the modification time. Values are bound in the statement."""
    c = DOC.c
    conditions = service_conditions(query, c, geo=True)
    if minimal:
        columns: list[Any] = [c.service_id, c.modified_at]
    else:
        document: Any = c.list_item
        if query.point is not None:
            distance = func.ST_Distance(c.geog, point_of(query), False) / 1000.0
            document = document.op("||", return_type=JSONB)(
                func.jsonb_build_object(
                    literal("distance_km"), func.round(cast(distance, Numeric), 3)
                )
            )
        columns = [c.service_id, cast(document, Text).label("document")]
    return select(*columns).where(*conditions).order_by(c.name_key.asc(), c.service_id.asc())
