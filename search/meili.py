"""Meilisearch backend: index settings, documents, filter expressions and searches.

A service becomes one document per location (`placement`), so that a radius, a bounding box or a
distance sort sees every place the service is offered; `service_id` is the distinct attribute, so
a search returns each service once, at its best placement. A service without a location is one
document without `_geo`. Each document carries its service's number of `locations`.

Counts (total and facets) count services, exactly. A search for words without a radius or a box
is one multi-search of three queries: the page (`offset`/`limit`, deduplicated by the distinct
attribute), the matches among services of one document, counted as Meilisearch estimates them
(which, without duplicates to remove, is every match: measured equal to the exhaustive count),
and those among services of several documents, counted exhaustively with the distinct
attribute. Counting every match exhaustively in one query deduplicates them all: 62x slower on
whole-country text at 1,000,000 services, for a handful of multi-location services. Other
searches (bounded by a geo filter, or without words) page and count in one exhaustive query.

The documents hold the same normalised text parts as the PostgreSQL documents
(`service_search.search_text`), and queries are normalised by the same `search_key`.
"""

import json
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from meilisearch import Client

from search.query import (
    ADMIN_LEVELS,
    FACET_FIELDS,
    VISIBLE_STATUSES,
    Hit,
    Point,
    SearchPage,
    ServiceQuery,
)
from search.text import search_key, search_words

PRIMARY_KEY = "id"
DISTINCT_ATTRIBUTE = "service_id"
# in ranking order: a match in the name counts for more than one in the description
SEARCHABLE_ATTRIBUTES = ["name", "phones", "organization", "categories", "description", "places"]
FACET_ATTRIBUTES = FACET_FIELDS
FILTERABLE_ATTRIBUTES = sorted(
    {
        *FACET_ATTRIBUTES.values(),
        "service_id",
        "placement",
        "locations",
        "status",
        "organization_id",
        "term_ids",
        "taxonomy_ids",
        "modified_at",
        "_geo",
    }
)
SORTABLE_ATTRIBUTES = ["_geo", "name_key"]
# `sort` first, so that sort=name and sort=distance order by name and distance; then, as in the
# PostgreSQL backend: name matches before others, exact before typo, then name order.
# Meilisearch 1.36 split the `attribute` rule into `attributeRank` (which attribute matched) and
# `wordPosition` (where in it); before that `attribute` ranks by both, and the new names are
# refused.
RANKING_RULES = [
    "sort", "words", "attributeRank", "typo", "exactness", "wordPosition", "proximity",
    "name_key:asc",
]  # fmt: skip
RANKING_RULES_BEFORE_1_36 = [
    "sort", "words", "attribute", "typo", "exactness", "proximity", "name_key:asc",
]  # fmt: skip
SPLIT_ATTRIBUTE_RULE = (1, 36, 0)
Version = tuple[int, int, int]


def parse_version(text: str) -> Version:
    """`1.21.0` (or `v1.49.0`, `1.36.0-rc.1`) as numbers."""
    numbers = [int(part) for part in re.findall(r"\d+", text)[:3]]
    major, minor, patch = [*numbers, 0, 0, 0][:3]
    return major, minor, patch


def server_version(client: Client) -> Version:
    """The version the Meilisearch server reports."""
    return parse_version(str(client.get_version()["pkgVersion"]))


def ranking_rules(version: Version) -> list[str]:
    """The ranking rules in the names this server version knows."""
    return RANKING_RULES if version >= SPLIT_ATTRIBUTE_RULE else RANKING_RULES_BEFORE_1_36


# totals are exact up to this many matches (a search walks at most this many)
MAX_TOTAL_HITS = 1_000_000
# enough values for every union of the country in a facet
MAX_VALUES_PER_FACET = 10_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius: the sphere PostGIS measures `distance_km` on


class SearchUnavailable(Exception):
    """Meilisearch did not answer, or answered with an error."""


def index_settings(version: Version = SPLIT_ATTRIBUTE_RULE) -> dict[str, Any]:
    """Every setting of the services index for a server of `version`, declared here and
    applied at start-up.

    No synonyms: the documents carry every spelling of their places and their categories'
    everyday words, as the PostgreSQL documents do, so both backends find the same services.
    (Query-time synonyms found more: "hospital", an everyday word for health care, also found
    every text saying "health care".) Declaring none removes those an older index has."""
    return {
        "searchableAttributes": SEARCHABLE_ATTRIBUTES,
        "filterableAttributes": FILTERABLE_ATTRIBUTES,
        "sortableAttributes": SORTABLE_ATTRIBUTES,
        "rankingRules": ranking_rules(version),
        "distinctAttribute": DISTINCT_ATTRIBUTE,
        "displayedAttributes": ["service_id", "points"],
        "typoTolerance": {
            "enabled": True,
            # counted in characters, Bangla included: none under 5, one from 5, two from 9
            "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
            "disableOnAttributes": ["phones"],
        },
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "faceting": {
            "maxValuesPerFacet": MAX_VALUES_PER_FACET,
            "sortFacetValuesBy": {"*": "count"},
        },
        "synonyms": {},
        "stopWords": [],
    }


def settings_differ(current: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
    """Whether the index's `current` settings differ from the `desired` ones. Option objects
    (typo tolerance, faceting, ...) only need the declared options: Meilisearch reports more.
    Synonyms must be equal, since a removed synonym counts too."""
    for key, value in desired.items():
        have = current.get(key)
        if isinstance(value, Mapping) and key != "synonyms":
            if not isinstance(have, Mapping) or settings_differ(have, value):
                return True
        elif have != value:
            return True
    return False


def quote(value: str) -> str:
    """A string value in a filter expression: `"Cox's Bazar"`, `"say \\"hi\\""`."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _any_of(attribute: str, values: Sequence[str]) -> str:
    return f"{attribute} IN [{', '.join(quote(value) for value in values)}]"


def _number(value: float) -> str:
    """A coordinate or distance as Meilisearch parses it (no exponent)."""
    return f"{value:.7f}".rstrip("0").rstrip(".")


def filter_expression(query: ServiceQuery) -> list[str]:
    """The query's filters, all of which must hold (OR within a list of values)."""
    filters = [_any_of("status", VISIBLE_STATUSES)]
    if query.point is not None and query.radius_km is not None:
        point = query.point
        radius_m = query.radius_km * 1000.0
        filters.append(
            f"_geoRadius({_number(point.lat)}, {_number(point.lng)}, {_number(radius_m)})"
        )
    if query.bbox is not None:
        box = query.bbox
        # top-right corner first, then bottom-left
        filters.append(
            f"_geoBoundingBox([{_number(box.max_lat)}, {_number(box.max_lng)}], "
            f"[{_number(box.min_lat)}, {_number(box.min_lng)}])"
        )
    for level in ADMIN_LEVELS:
        if level in query.admin:
            filters.append(_any_of(f"{level}_codes", query.admin[level]))
    if query.categories:
        filters.append(_any_of("category_codes", query.categories))
    if query.free_of_cost is not None:
        filters.append(f"free_of_cost = {'true' if query.free_of_cost else 'false'}")
    if query.organization_id is not None:
        filters.append(f"organization_id = {quote(str(query.organization_id))}")
    if query.taxonomy_term_id is not None:
        filters.append(f"term_ids = {quote(str(query.taxonomy_term_id))}")
    if query.taxonomy_id is not None:
        filters.append(f"taxonomy_ids = {quote(str(query.taxonomy_id))}")
    if query.modified_after is not None:
        filters.append(f"modified_at >= {epoch_microseconds(query.modified_after)}")
    return filters


def epoch_microseconds(moment: datetime) -> int:
    """A time as whole microseconds since 1970, exact (below 2**53, so exact in Meilisearch too);
    a time without a zone is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // timedelta(microseconds=1)


# Services of one document, and the others: those of several, and any document written before
# documents carried `locations` (counted exhaustively, so still exactly, until rebuilt).
ONE_DOCUMENT = "locations <= 1"
SEVERAL_DOCUMENTS = "NOT locations <= 1"


@dataclass(frozen=True)
class SearchRequest:
    """The queries of one search, each as the parameters after `q`: the page, and the counts
    apart from it or (`counts` None) counted by the page itself."""

    text: str
    page: dict[str, Any]
    # services of one document, services of several
    counts: tuple[dict[str, Any], dict[str, Any]] | None

    def queries(self, index_uid: str) -> list[dict[str, Any]]:
        """The body's `queries` of `POST /multi-search`: the page, then any counts."""
        return [
            {"indexUid": index_uid, "q": self.text, **params}
            for params in (self.page, *(self.counts or ()))
        ]


def counts_apart(query: ServiceQuery) -> bool:
    """Whether a search counts in queries of its own: words matched anywhere can be most of the
    directory, which one exhaustive query deduplicates match by match. A radius or a box bounds
    the matches, and Meilisearch evaluates a geo filter again in each query: there one query
    that pages and counts is faster (measured at 100,000 services: radius+text 80 req/s bare
    with the counts apart, 138 in one query)."""
    geo_filter = (query.point is not None and query.radius_km is not None) or query.bbox is not None
    return query.text is not None and not geo_filter


def search_request(query: ServiceQuery) -> SearchRequest | None:
    """The Meilisearch queries of a search; `None` when the text has no words."""
    text = ""
    if query.text is not None:
        if not search_words(query.text):
            return None
        text = search_key(query.text)
    filters = filter_expression(query)
    common = {"matchingStrategy": "all"}
    facets = {"facets": [FACET_ATTRIBUTES[name] for name in query.facets]} if query.facets else {}
    page: dict[str, Any] = {
        **common,
        "filter": filters,
        "attributesToRetrieve": ["service_id", "points"],
        "showRankingScore": query.sort == "relevance",
    }
    if query.sort == "name":
        page["sort"] = ["name_key:asc"]
    elif query.sort == "distance":
        assert query.point is not None
        page["sort"] = [f"_geoPoint({_number(query.point.lat)}, {_number(query.point.lng)}):asc"]
    if not counts_apart(query):  # exhaustive: one hit and one count per service
        page |= {"page": query.page, "hitsPerPage": query.per_page, **facets}
        return SearchRequest(text=text, page=page, counts=None)
    page |= {"offset": (query.page - 1) * query.per_page, "limit": query.per_page}
    counting = {**common, "attributesToRetrieve": ["id"], **facets}
    one_document = {**counting, "filter": [*filters, ONE_DOCUMENT], "limit": 0}
    several = {**counting, "filter": [*filters, SEVERAL_DOCUMENTS], "page": 1, "hitsPerPage": 0}
    return SearchRequest(text=text, page=page, counts=(one_document, several))


def distance_km(point: Point, points: Sequence[Sequence[float]]) -> float | None:
    """Great-circle distance from `point` to the nearest of `points` ([lat, lng] pairs)."""
    best = None
    for lat, lng in points:
        p1, p2 = math.radians(point.lat), math.radians(lat)
        dp, dl = p2 - p1, math.radians(lng - point.lng)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        meters = 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
        best = meters if best is None else min(best, meters)
    return None if best is None else best / 1000.0


def search_page(query: ServiceQuery, results: Sequence[Mapping[str, Any]]) -> SearchPage:
    """The backend-neutral page of the responses to a `SearchRequest`'s queries, in order."""
    page, counted = results[0], results[1:] or results[:1]
    hits = []
    for hit in page.get("hits", []):
        distance = None
        if query.point is not None:
            distance = distance_km(query.point, hit.get("points") or [])
        score = hit.get("_rankingScore") if query.sort == "relevance" else None
        hits.append(Hit(uuid.UUID(hit["service_id"]), distance, score=score))
    facets: dict[str, dict[str, int]] = {}
    for name in query.facets:
        counts: dict[str, int] = {}
        for response in counted:
            distribution = response.get("facetDistribution") or {}
            for value, count in (distribution.get(FACET_ATTRIBUTES[name]) or {}).items():
                counts[value] = counts.get(value, 0) + count
        facets[name] = dict(
            sorted(
                ((value, count) for value, count in counts.items() if count),
                key=lambda item: (-item[1], item[0]),
            )
        )
    # exhaustive counts say `totalHits`; estimated ones (services of one document) the other
    total = sum(int(r.get("totalHits", r.get("estimatedTotalHits", 0))) for r in counted)
    return SearchPage(hits=hits, total=total, facets=facets)


@dataclass(frozen=True)
class SourceDocument:
    """A row of `service_search` with its points ([lat, lng]), what documents are made of."""

    service_id: uuid.UUID
    organization_id: uuid.UUID
    status: str
    name_key: str
    search_text: Mapping[str, Any]
    category_codes: Sequence[str]
    free_of_cost: bool
    division_codes: Sequence[str]
    district_codes: Sequence[str]
    upazila_codes: Sequence[str]
    union_codes: Sequence[str]
    points: Sequence[tuple[float, float]]
    modified_at: datetime


def points_of_geojson(value: str | None) -> list[tuple[float, float]]:
    """[lat, lng] pairs of a GeoJSON MultiPoint (as `ST_AsGeoJSON` writes it)."""
    if not value:
        return []
    return [(lat, lng) for lng, lat in json.loads(value)["coordinates"]]


def documents(source: SourceDocument) -> list[dict[str, Any]]:
    """The Meilisearch documents of one service: one per location, or one without `_geo`."""
    text = source.search_text
    common: dict[str, Any] = {
        "service_id": str(source.service_id),
        "organization_id": str(source.organization_id),
        "status": source.status,
        "name_key": source.name_key,
        **{part: text.get(part, "") for part in SEARCHABLE_ATTRIBUTES},
        "term_ids": list(text.get("term_ids", [])),
        "taxonomy_ids": list(text.get("taxonomy_ids", [])),
        "category_codes": list(source.category_codes),
        "free_of_cost": source.free_of_cost,
        **{f"{level}_codes": list(getattr(source, f"{level}_codes")) for level in ADMIN_LEVELS},
        "modified_at": epoch_microseconds(source.modified_at),
        "points": [[lat, lng] for lat, lng in source.points],
        "locations": len(source.points),
    }
    if not source.points:
        return [{"id": document_id(source.service_id, 0), "placement": 0, **common}]
    return [
        {
            "id": document_id(source.service_id, placement),
            "placement": placement,
            "_geo": {"lat": lat, "lng": lng},
            **common,
        }
        for placement, (lat, lng) in enumerate(source.points)
    ]


def document_id(service_id: uuid.UUID, placement: int) -> str:
    """`<service id>-<placement>`: only the characters Meilisearch allows in ids."""
    return f"{service_id}-{placement}"


def stale_filter(counts: Mapping[uuid.UUID, int]) -> str:
    """The documents left over from earlier versions of these services: placements at or past
    each service's current number of documents (all of them for a service that is gone)."""
    return " OR ".join(
        f"(service_id = {quote(str(service_id))} AND placement >= {count})"
        for service_id, count in counts.items()
    )


def make_client(url: str, api_key: str | None, timeout_seconds: int) -> Client:
    """The official client, for index management (synchronous: calls run in a worker thread)."""
    return Client(url, api_key, timeout=timeout_seconds)


def make_search_http(url: str, api_key: str | None, timeout_seconds: float) -> httpx.AsyncClient:
    """The HTTP client searches go through: asynchronous, its connections kept alive (the
    official client opens a new one per search, from a worker thread). Replies come
    uncompressed: on a kept-alive connection a gzip reply stalled each search by ~44 ms."""
    headers = {"Accept-Encoding": "identity"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return httpx.AsyncClient(
        base_url=url.rstrip("/"),
        headers=headers,
        timeout=httpx.Timeout(timeout_seconds),
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=32),
    )


class MeiliSearch:
    """Answers searches from the Meilisearch index; raises `SearchUnavailable` when it cannot."""

    served_by = "meilisearch"
    fallback_reason: str | None = None

    def __init__(self, http: httpx.AsyncClient, index_uid: str) -> None:
        self.http = http
        self.index_uid = index_uid

    async def search_services(self, query: ServiceQuery) -> SearchPage:
        request = search_request(query)
        if request is None:
            return SearchPage(hits=[], total=0, facets={name: {} for name in query.facets})
        try:
            response = await self.http.post(
                "/multi-search", json={"queries": request.queries(self.index_uid)}
            )
        except httpx.HTTPError as error:
            raise SearchUnavailable(f"{type(error).__name__}: {error}") from error
        if response.status_code != 200:
            raise SearchUnavailable(f"HTTP {response.status_code}: {response.text[:300]}")
        return search_page(query, response.json()["results"])
