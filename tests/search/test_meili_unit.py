"""The Meilisearch backend without a server: settings, filter expressions, search requests,
documents and the reading of responses."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from search.meili import (
    FACET_ATTRIBUTES,
    FILTERABLE_ATTRIBUTES,
    SEARCHABLE_ATTRIBUTES,
    SourceDocument,
    distance_km,
    documents,
    epoch_microseconds,
    filter_expression,
    index_settings,
    parse_version,
    points_of_geojson,
    quote,
    ranking_rules,
    search_page,
    search_request,
    settings_differ,
    stale_filter,
)
from search.query import FACETS, BBox, Point, ServiceQuery
from tests.geo import haversine_km

SERVICE = uuid.UUID("00000000-0000-0000-0000-0000000000a1")
ORG = uuid.UUID("00000000-0000-0000-0000-0000000000b2")


def source(points: list[tuple[float, float]]) -> SourceDocument:
    return SourceDocument(
        service_id=SERVICE,
        organization_id=ORG,
        status="active",
        name_key="legal aid office",
        search_text={
            "name": "legal aid office আইনগত সহায়তা",
            "phones": "16430",
            "organization": "district legal aid office",
            "categories": "legal aid lawyer আইনজীবী",
            "description": "free legal advice",
            "places": "jashore jessore যশোর",
            "term_ids": ["t1"],
            "taxonomy_ids": ["x1"],
        },
        category_codes=["legal_aid"],
        free_of_cost=True,
        division_codes=["BD40"],
        district_codes=["BD4041"],
        upazila_codes=["BD404147"],
        union_codes=[],
        points=points,
        modified_at=datetime(2026, 11, 1, 10, 30, 0, 123456, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("1.21.0", (1, 21, 0)),
        ("v1.49.0", (1, 49, 0)),
        ("1.36.0-rc.1", (1, 36, 0)),
        ("2", (2, 0, 0)),
    ],
)
def test_server_versions_are_read_as_numbers(text: str, version: tuple[int, int, int]) -> None:
    assert parse_version(text) == version


def test_ranking_rules_follow_the_server_version() -> None:
    # before 1.36 one `attribute` rule ranks by attribute and position; 1.36 split it in two and
    # refuses the old name, older servers refuse the new ones
    for old in ((1, 21, 0), (1, 35, 9)):
        rules = index_settings(old)["rankingRules"]
        assert "attribute" in rules and "attributeRank" not in rules and "wordPosition" not in rules
        assert rules.index("attribute") < rules.index("typo")
    for new in ((1, 36, 0), (1, 49, 0), (2, 0, 0)):
        rules = index_settings(new)["rankingRules"]
        assert "attribute" not in rules
        assert rules.index("attributeRank") < rules.index("typo") < rules.index("wordPosition")
    assert [r for r in ranking_rules((1, 21, 0)) if r != "attribute"] == [
        r for r in ranking_rules((1, 36, 0)) if r not in ("attributeRank", "wordPosition")
    ]


def test_settings_declare_typo_tolerance_by_word_length() -> None:
    typo = index_settings()["typoTolerance"]

    assert typo["enabled"] is True
    assert typo["minWordSizeForTypos"] == {"oneTypo": 5, "twoTypos": 9}


def test_settings_rank_sort_first_then_name_matches_then_exact_matches() -> None:
    settings = index_settings()
    rules = settings["rankingRules"]

    assert rules[0] == "sort"
    assert rules.index("attributeRank") < rules.index("typo") < rules.index("exactness")
    assert rules[-1] == "name_key:asc"
    assert settings["searchableAttributes"][0] == "name"
    assert settings["searchableAttributes"].index("name") < settings["searchableAttributes"].index(
        "description"
    )


def test_settings_make_every_facet_and_filter_filterable_and_count_services() -> None:
    settings = index_settings()

    assert set(FACET_ATTRIBUTES) == set(FACETS)
    assert set(FACET_ATTRIBUTES.values()) <= set(settings["filterableAttributes"])
    assert {"_geo", "status", "service_id", "placement"} <= set(FILTERABLE_ATTRIBUTES)
    assert {"_geo", "name_key"} == set(settings["sortableAttributes"])
    assert settings["distinctAttribute"] == "service_id"
    assert settings["pagination"]["maxTotalHits"] >= 1_000_000
    assert settings["faceting"]["maxValuesPerFacet"] >= 5_160  # every union


def test_settings_declare_no_synonyms_so_an_older_index_loses_its_own() -> None:
    settings = index_settings()

    assert settings["synonyms"] == {}
    assert settings_differ({**settings, "synonyms": {"jessore": ["jashore"]}}, settings)


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("Cox's Bazar", '"Cox\'s Bazar"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("যশোর", '"যশোর"'),
    ],
)
def test_values_are_quoted_for_filter_expressions(value: str, quoted: str) -> None:
    assert quote(value) == quoted


def test_filters_of_a_full_query_hold_together() -> None:
    term, taxonomy = uuid.uuid4(), uuid.uuid4()
    query = ServiceQuery(
        point=Point(23.1667, 89.2),
        radius_km=2.5,
        bbox=BBox(min_lng=89.0, min_lat=23.0, max_lng=89.5, max_lat=23.5),
        admin={"district": ("BD4041", "BD4087"), "union": ("Cox's Bazar",)},
        categories=("legal_aid", "health"),
        free_of_cost=True,
        organization_id=ORG,
        taxonomy_term_id=term,
        taxonomy_id=taxonomy,
        modified_after=datetime(2026, 1, 1, tzinfo=UTC),
    )

    assert filter_expression(query) == [
        'status IN ["active", "temporarily closed"]',
        "_geoRadius(23.1667, 89.2, 2500)",
        "_geoBoundingBox([23.5, 89.5], [23, 89])",
        'district_codes IN ["BD4041", "BD4087"]',
        'union_codes IN ["Cox\'s Bazar"]',
        'category_codes IN ["legal_aid", "health"]',
        "free_of_cost = true",
        f'organization_id = "{ORG}"',
        f'term_ids = "{term}"',
        f'taxonomy_ids = "{taxonomy}"',
        f"modified_at >= {epoch_microseconds(datetime(2026, 1, 1, tzinfo=UTC))}",
    ]


def test_an_unfiltered_query_still_hides_inactive_services() -> None:
    assert filter_expression(ServiceQuery()) == ['status IN ["active", "temporarily closed"]']


def test_search_request_normalises_the_text_and_asks_for_every_word() -> None:
    query = ServiceQuery(text="Legal\u200c  AID ১০৯৮", sort="relevance", page=3, per_page=10)

    request = search_request(query)

    assert request is not None and request.counts is not None
    assert request.text == "legal aid 1098"
    for params in (request.page, *request.counts):
        assert params["matchingStrategy"] == "all"
    assert (request.page["offset"], request.page["limit"]) == (20, 10)
    assert "sort" not in request.page


def test_words_without_a_geo_filter_are_counted_apart_by_documents_per_service() -> None:
    request = search_request(ServiceQuery(text="legal", facets=("category",)))

    assert request is not None and request.counts is not None
    one_document, several = request.counts
    visible = filter_expression(ServiceQuery())
    assert request.page["filter"] == visible and "facets" not in request.page
    # estimated (offset/limit) where no service has two documents, exhaustive where one may
    assert one_document["filter"] == [*visible, "locations <= 1"]
    assert one_document["limit"] == 0 and "page" not in one_document
    assert several["filter"] == [*visible, "NOT locations <= 1"]
    assert (several["page"], several["hitsPerPage"]) == (1, 0)
    assert one_document["facets"] == several["facets"] == ["category_codes"]
    queries = request.queries("services")
    assert [q["indexUid"] for q in queries] == ["services"] * 3
    assert {q["q"] for q in queries} == {"legal"}


@pytest.mark.parametrize(
    "query",
    [
        ServiceQuery(text="legal", point=Point(22.5, 91.25), radius_km=10),
        ServiceQuery(text="legal", bbox=BBox(91.0, 22.0, 91.5, 22.5)),
        ServiceQuery(),
    ],
    ids=["radius", "bbox", "no words"],
)
def test_other_searches_page_and_count_in_one_exhaustive_query(query: ServiceQuery) -> None:
    request = search_request(replace(query, facets=("category",)))

    assert request is not None and request.counts is None
    assert (request.page["page"], request.page["hitsPerPage"]) == (1, 20)
    assert request.page["facets"] == ["category_codes"]
    assert len(request.queries("services")) == 1


def test_search_request_sorts_by_name_or_distance() -> None:
    by_name = search_request(ServiceQuery(sort="name"))
    by_distance = search_request(
        ServiceQuery(text="legal", point=Point(22.5, 91.25), sort="distance")
    )

    assert by_name is not None and by_name.page["sort"] == ["name_key:asc"]
    assert by_distance is not None and by_distance.counts is not None  # a sort is no filter
    assert by_distance.page["sort"] == ["_geoPoint(22.5, 91.25):asc"]
    assert all("sort" not in counts for counts in by_distance.counts)


def test_text_without_words_needs_no_request() -> None:
    assert search_request(ServiceQuery(text="?! …", sort="relevance")) is None


def test_a_service_is_one_document_per_location() -> None:
    docs = documents(source([(23.17, 89.21), (23.25, 89.1)]))

    assert [doc["id"] for doc in docs] == [f"{SERVICE}-0", f"{SERVICE}-1"]
    assert [doc["placement"] for doc in docs] == [0, 1]
    assert [doc["_geo"] for doc in docs] == [
        {"lat": 23.17, "lng": 89.21},
        {"lat": 23.25, "lng": 89.1},
    ]
    assert all(doc["points"] == [[23.17, 89.21], [23.25, 89.1]] for doc in docs)
    assert all(doc["locations"] == 2 for doc in docs)  # counted exhaustively, deduplicated


def test_a_service_without_location_is_one_document_without_geo() -> None:
    (doc,) = documents(source([]))

    assert doc["id"] == f"{SERVICE}-0"
    assert "_geo" not in doc
    assert doc["points"] == []
    assert doc["locations"] == 0


def test_documents_carry_the_normalised_text_and_every_filter_attribute() -> None:
    (doc,) = documents(source([(23.17, 89.21)]))

    assert {part: doc[part] for part in SEARCHABLE_ATTRIBUTES} == {
        "name": "legal aid office আইনগত সহায়তা",
        "phones": "16430",
        "organization": "district legal aid office",
        "categories": "legal aid lawyer আইনজীবী",
        "description": "free legal advice",
        "places": "jashore jessore যশোর",
    }
    assert set(FILTERABLE_ATTRIBUTES) <= set(doc)
    assert doc["service_id"] == str(SERVICE)
    assert doc["district_codes"] == ["BD4041"]
    assert doc["free_of_cost"] is True
    assert doc["modified_at"] == epoch_microseconds(source([]).modified_at)
    assert doc["id"].replace("-", "").isalnum()  # the characters Meilisearch accepts in ids


def test_microsecond_times_compare_exactly() -> None:
    moment = datetime(2026, 11, 1, 10, 30, 0, 123456, tzinfo=UTC)

    assert epoch_microseconds(moment) == 1_793_529_000_123_456
    assert epoch_microseconds(moment) < 2**53
    assert epoch_microseconds(moment.replace(tzinfo=None)) == 1_793_529_000_123_456  # as UTC


def test_geojson_points_become_lat_lng_pairs() -> None:
    geojson = '{"type":"MultiPoint","coordinates":[[89.21,23.17],[89.1,23.25]]}'

    assert points_of_geojson(geojson) == [(23.17, 89.21), (23.25, 89.1)]
    assert points_of_geojson(None) == []


def test_stale_documents_are_placements_past_the_current_count() -> None:
    gone = uuid.UUID("00000000-0000-0000-0000-0000000000c3")

    assert stale_filter({SERVICE: 2, gone: 0}) == (
        f'(service_id = "{SERVICE}" AND placement >= 2) OR '
        f'(service_id = "{gone}" AND placement >= 0)'
    )


def test_distance_is_great_circle_to_the_nearest_location() -> None:
    origin = Point(23.17, 89.21)
    points = [(23.30, 89.21), (23.18, 89.22)]

    distance = distance_km(origin, points)

    assert distance is not None
    assert distance == pytest.approx(haversine_km(23.17, 89.21, 23.18, 89.22), abs=0.002)
    assert distance_km(origin, []) is None


def test_responses_become_a_page_with_distances_total_and_facets() -> None:
    query = ServiceQuery(
        text="legal", point=Point(23.17, 89.21), sort="distance", facets=("category", "union")
    )
    page_response = {
        "hits": [
            {"service_id": str(SERVICE), "points": [[23.18, 89.22]]},
            {"service_id": str(ORG), "points": []},
        ],
        "estimatedTotalHits": 44,  # documents, not services: not the total
    }
    one_document = {
        "estimatedTotalHits": 40,
        "facetDistribution": {"category_codes": {"health": 3, "legal_aid": 6, "shelter": 0}},
    }
    several_documents = {
        "totalHits": 2,
        "facetDistribution": {"category_codes": {"legal_aid": 1, "counselling": 1}},
    }

    page = search_page(query, [page_response, one_document, several_documents])

    assert [hit.service_id for hit in page.hits] == [SERVICE, ORG]
    assert page.hits[0].distance_km == pytest.approx(
        haversine_km(23.17, 89.21, 23.18, 89.22), abs=0.002
    )
    assert page.hits[1].distance_km is None
    assert page.total == 42
    assert page.facets == {
        "category": {"legal_aid": 7, "health": 3, "counselling": 1},
        "union": {},
    }
    assert list(page.facets["category"]) == ["legal_aid", "health", "counselling"]  # most first


def test_one_exhaustive_response_is_its_own_count() -> None:
    response = {
        "hits": [{"service_id": str(SERVICE), "points": []}],
        "totalHits": 42,
        "facetDistribution": {"category_codes": {"health": 3}},
    }

    page = search_page(ServiceQuery(facets=("category",)), [response])

    assert (page.total, page.facets) == (42, {"category": {"health": 3}})


def test_settings_reported_with_more_options_do_not_differ() -> None:
    desired = index_settings()
    reported = {
        **desired,
        "typoTolerance": {
            **desired["typoTolerance"],
            "disableOnWords": [],
            "disableOnNumbers": False,
        },
        "faceting": {**desired["faceting"], "sortFacetValuesBy": {"*": "count"}},
        "proximityPrecision": "byWord",
    }

    assert not settings_differ(reported, desired)


@pytest.mark.parametrize(
    "change",
    [
        {"rankingRules": ["words", "typo"]},
        {"typoTolerance": {"minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8}}},
        {"synonyms": {"jessore": ["jashore"]}},  # one too many
        {"distinctAttribute": None},
    ],
)
def test_settings_that_differ_are_noticed(change: dict[str, Any]) -> None:
    desired = index_settings()

    assert settings_differ({**desired, **change}, desired)
