"""PostgreSQL backend: tsvector + pg_trgm over `service_search`, PostGIS for geo filters."""

from typing import Any

from geoalchemy2 import Geography
from sqlalchemy import ColumnElement, Select, Text, cast, exists, func, null, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.models import Attribute, Location, ServiceSearch, TaxonomyTerm
from search.query import VISIBLE_STATUSES, Hit, SearchPage, ServiceQuery

DOC = ServiceSearch.__table__
# Typos are tolerated only from this many characters on: shorter words have too few trigrams.
TYPO_MIN_LENGTH = 5


class PostgresSearch:
    """Runs searches inside the caller's session (the request's transaction)."""

    name = "postgres"

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def search_services(self, query: ServiceQuery) -> SearchPage:
        """Count, one page and the facets, all under the same filters."""
        conditions = self._conditions(query)
        total = (
            await self.session.execute(select(func.count()).select_from(DOC).where(*conditions))
        ).scalar_one()
        hits: list[Hit] = []
        offset = (query.page - 1) * query.per_page
        if offset < total:
            rows = (await self.session.execute(self._page(query, conditions, offset))).all()
            hits = [Hit(row.service_id, row.distance_km, row.score) for row in rows]
        facets = {name: await self._facet(name, conditions) for name in query.facets}
        return SearchPage(hits=hits, total=total, facets=facets)

    def _conditions(self, query: ServiceQuery) -> list[ColumnElement[bool]]:
        return service_conditions(query, geo=True)

    def _page(
        self, query: ServiceQuery, conditions: list[ColumnElement[bool]], offset: int
    ) -> Select[Any]:
        c = DOC.c
        distance: Any = None
        if query.point is not None:
            distance = func.ST_Distance(c.geog, point_of(query), False) / 1000.0
        score: Any = None
        order: list[Any] = []
        if query.text is not None:
            tsquery = func.search_prefix_query(query.text)
            exact = c.tsv.op("@@")(tsquery)
            score = func.ts_rank(c.tsv, tsquery) + func.word_similarity(
                func.search_normalize(query.text), c.names_key
            )
            if query.sort == "relevance":
                order = [exact.desc(), func.ts_rank(c.tsv, tsquery).desc(), score.desc()]
        if query.sort == "distance":
            order = [distance.asc()]
        order += [c.name_key, c.service_id]
        columns = [
            c.service_id,
            (distance if distance is not None else null()).label("distance_km"),
            (score if score is not None else null()).label("score"),
        ]
        return (
            select(*columns)
            .where(*conditions)
            .order_by(*order)
            .offset(offset)
            .limit(query.per_page)
        )

    async def _facet(self, name: str, conditions: list[ColumnElement[bool]]) -> dict[str, int]:
        c = DOC.c
        if name == "free_of_cost":
            value: Any = c.free_of_cost
            stmt = select(value, func.count()).where(*conditions).group_by(value)
            rows = (await self.session.execute(stmt)).all()
            return {str(v).lower(): n for v, n in rows if n}
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
        rows = (await self.session.execute(stmt)).all()
        return {v: n for v, n in rows if n}


def _text_match(text: str) -> ColumnElement[bool]:
    c = DOC.c
    tsv_match = c.tsv.op("@@")(func.search_prefix_query(text))
    if len(text.strip()) < TYPO_MIN_LENGTH:
        return tsv_match
    typo_match = c.names_key.op("%>")(func.search_normalize(text))
    return or_(tsv_match, typo_match)


def point_of(query: ServiceQuery) -> Any:
    """The query point as a geography."""
    assert query.point is not None
    return cast(
        func.ST_SetSRID(func.ST_MakePoint(query.point.lng, query.point.lat), 4326), Geography
    )


def service_conditions(query: ServiceQuery, *, geo: bool) -> list[ColumnElement[bool]]:
    """Filters on the search document; `geo=False` leaves radius and bbox to the caller."""
    c = DOC.c
    conditions: list[ColumnElement[bool]] = [c.status.in_(VISIBLE_STATUSES)]
    if query.text is not None:
        conditions.append(_text_match(query.text))
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
