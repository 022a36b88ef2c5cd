"""Search hits carry a relevance score in [0, 1] when sorted by relevance."""

from sqlalchemy.ext.asyncio import AsyncSession

from search.meili import search_page
from search.postgres import PostgresSearch
from search.query import Point, ServiceQuery
from tests.builders import make_service

ORIGIN = (21.70, 92.40)  # Alikadam, Bandarban: no seed service nearby


async def test_postgres_scores_name_matches_and_exact_matches(
    session: AsyncSession,
) -> None:
    named = await make_service(session, name="Zulu quorvex desk", lat=ORIGIN[0], lng=ORIGIN[1])
    described = await make_service(
        session, name="Riverside desk", description="quorvex help", lat=ORIGIN[0], lng=ORIGIN[1]
    )
    typo = await make_service(session, name="Alpha quarvex desk", lat=ORIGIN[0], lng=ORIGIN[1])
    query = ServiceQuery(text="quorvex", point=Point(*ORIGIN), radius_km=5, sort="relevance")

    page = await PostgresSearch(session).search_services(query)

    scores = {hit.service_id: hit.score for hit in page.hits}
    assert scores == {named.id: 1.0, typo.id: 2 / 3, described.id: 2 / 3}
    # in the name, even with a typo, before elsewhere
    assert [hit.service_id for hit in page.hits] == [named.id, typo.id, described.id]


async def test_postgres_gives_no_score_without_relevance(session: AsyncSession) -> None:
    await make_service(session, name="Quorvex desk", lat=ORIGIN[0], lng=ORIGIN[1])
    query = ServiceQuery(text="quorvex", point=Point(*ORIGIN), radius_km=5, sort="distance")

    page = await PostgresSearch(session).search_services(query)

    assert page.hits and all(hit.score is None for hit in page.hits)


def test_meilisearch_ranking_scores_become_hit_scores() -> None:
    hit = {"service_id": "00000000-0000-0000-0000-000000000001", "_rankingScore": 0.875}

    by_relevance = search_page(ServiceQuery(text="x", sort="relevance"), [{"hits": [hit]}])
    by_name = search_page(ServiceQuery(text="x", sort="name"), [{"hits": [hit]}])

    assert by_relevance.hits[0].score == 0.875
    assert by_name.hits[0].score is None
