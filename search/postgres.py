"""PostgreSQL backend: tsvector (typo-tolerant through the vocabulary) over `service_search`,
PostGIS for geo filters, array overlaps for admin areas and categories."""

from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import (
    ColumnElement,
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
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.models import Attribute, Location, ServiceSearch, TaxonomyTerm
from search.query import VISIBLE_STATUSES, Hit, SearchPage, ServiceQuery

DOC = ServiceSearch.__table__


class PostgresSearch:
    """Runs searches inside the caller's session (the request's transaction)."""

    name = "postgres"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def search_services(self, query: ServiceQuery) -> SearchPage:
        """One page with its total (one query), then the requested facets."""
        conditions = service_conditions(query, geo=True)
        rows = (await self.session.execute(_page(query, conditions))).all()
        if rows:
            total = rows[0].total
        else:
            count = select(func.count()).select_from(DOC).where(*conditions)
            total = (await self.session.execute(count)).scalar_one()
        hits = [Hit(row.service_id, row.distance_km, row.score, row.document) for row in rows]
        facets = {name: await self._facet(name, conditions) for name in query.facets}
        return SearchPage(hits=hits, total=total, facets=facets)

    async def _facet(self, name: str, conditions: list[ColumnElement[bool]]) -> dict[str, int]:
        c = DOC.c
        if name == "free_of_cost":
            stmt = select(c.free_of_cost, func.count()).where(*conditions).group_by(c.free_of_cost)
            rows = (await self.session.execute(stmt)).all()
            return {str(value).lower(): count for value, count in rows if count}
        column = c.category_codes if name == "category" else c[f"{name}_codes"]
        value = func.unnest(column).table_valued("value").render_derived()
        stmt = (
            select(value.c.value, func.count())
            .select_from(DOC)
            .join(value, true())
            .where(*conditions)
            .group_by(value.c.value)
            .order_by(func.count().desc(), value.c.value)
        )
        return {v: n for v, n in (await self.session.execute(stmt)).all() if n}


def _page(query: ServiceQuery, conditions: list[ColumnElement[bool]]) -> Select[Any]:
    """The page's rows, each with the total (a window count), distance, score and list item."""
    c = DOC.c
    distance: Any = null()
    document: Any = c.list_item
    if query.point is not None:
        distance = func.ST_Distance(c.geog, point_of(query), False) / 1000.0
        document = c.list_item.op("||", return_type=JSONB)(
            func.jsonb_build_object(literal("distance_km"), func.round(cast(distance, Numeric), 3))
        )
    score: Any = null()
    order: list[Any] = []
    if query.text is not None:
        exact = c.tsv.op("@@")(select(func.search_prefix_query(query.text)).scalar_subquery())
        score = func.ts_rank(c.tsv, select(func.search_query(query.text)).scalar_subquery())
        if query.sort == "relevance":
            # exact (prefix) matches before typo matches, then by weighted rank
            order = [exact.desc(), score.desc()]
    if query.sort == "distance":
        order = [distance.asc()]
    order += [c.name_key, c.service_id]
    return (
        select(
            c.service_id,
            distance.label("distance_km"),
            score.label("score"),
            cast(document, Text).label("document"),
            func.count().over().label("total"),
        )
        .where(*conditions)
        .order_by(*order)
        .offset((query.page - 1) * query.per_page)
        .limit(query.per_page)
    )


def point_of(query: ServiceQuery) -> Any:
    """The query point as a geography."""
    assert query.point is not None
    point = func.ST_SetSRID(func.ST_MakePoint(query.point.lng, query.point.lat), 4326)
    return cast(point, Geography)


def text_condition(text: str) -> ColumnElement[bool]:
    """The document matches every word of `text` (as a prefix, or within the allowed typos)."""
    return DOC.c.tsv.op("@@")(select(func.search_query(text)).scalar_subquery())


def service_conditions(query: ServiceQuery, *, geo: bool) -> list[ColumnElement[bool]]:
    """Filters on the search document; `geo=False` leaves radius and bbox to the caller."""
    c = DOC.c
    conditions: list[ColumnElement[bool]] = [c.status.in_(VISIBLE_STATUSES)]
    if query.text is not None:
        conditions.append(text_condition(query.text))
    if geo and query.point is not None and query.radius_km is not None:
        # great-circle (sphere) distance, the same figure `distance_km` reports
        conditions.append(func.ST_DWithin(c.geog, point_of(query), query.radius_km * 1000.0, False))
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
