"""Bad input gets a 422 problem+json naming the parameter; odd text never gives a 500."""

from typing import Any

import pytest
from httpx import AsyncClient

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"lat": 91, "lng": 89}, "lat"),
        ({"lat": -90.5, "lng": 89}, "lat"),
        ({"lat": 23, "lng": 181}, "lng"),
        ({"lat": "nan", "lng": 89}, "lat"),
        ({"lat": "abc", "lng": 89}, "lat"),
        ({"lat": 23}, "lng"),
        ({"lng": 89}, "lat"),
        ({"lat": 23, "lng": 89, "radius_km": -1}, "radius_km"),
        ({"lat": 23, "lng": 89, "radius_km": 0}, "radius_km"),
        ({"lat": 23, "lng": 89, "radius_km": 100000}, "radius_km"),
        ({"radius_km": 5}, "radius_km"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "89,23,88,24"}, "bbox"),
        ({"bbox": "88,24,89,23"}, "bbox"),
        ({"bbox": "88,23,89,95"}, "bbox"),
        ({"bbox": "1,2,3,4,5"}, "bbox"),
        ({"bbox": "inf,1,2,3"}, "bbox"),
        ({"category": "astrology"}, "category"),
        ({"category": ","}, "category"),
        ({"district": "Atlantis"}, "district"),
        ({"district": "Kalaroa"}, "district"),
        ({"upazila": "BD9999999999"}, "upazila"),
        ({"union": "Nowhere"}, "union"),
        ({"division": "Jashore"}, "division"),
        ({"near": "Atlantis"}, "near"),
        ({"near": "Kalaroa", "lat": 23, "lng": 89}, "near"),
        ({"sort": "random"}, "sort"),
        ({"sort": "distance"}, "sort"),
        ({"sort": "relevance"}, "sort"),
        ({"facets": "colour"}, "facets"),
        ({"facets": "category,colour"}, "facets"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": 101}, "per_page"),
        ({"per_page": "many"}, "per_page"),
        ({"page": 0}, "page"),
        ({"page": -3}, "page"),
        ({"free_of_cost": "maybe"}, "free_of_cost"),
        ({"organization_id": "not-a-uuid"}, "organization_id"),
        ({"modified_after": "yesterday"}, "modified_after"),
    ],
)
async def test_bad_parameters_are_422_problems_naming_the_parameter(
    client: AsyncClient, params: dict[str, Any], parameter: str
) -> None:
    response = await client.get("/services", params=params)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= body.keys()
    assert body["status"] == 422
    assert parameter in {error["parameter"] for error in body["errors"]}
    assert parameter in body["detail"]


@pytest.mark.parametrize("path", ["/service_at_locations"])
async def test_the_same_checks_apply_to_service_at_locations(
    client: AsyncClient, path: str
) -> None:
    response = await client.get(path, params={"bbox": "1,2"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "bbox"


@pytest.mark.parametrize(
    "search",
    [
        "'",
        '"',
        "%",
        "%%",
        "_",
        "\\",
        "\\\\'",
        "'; DROP TABLE service; --",
        "a:*",
        "!",
        "&|<->",
        "(",
        ")",
        "x" * 5000,
        "আ" * 5000,
        "\u200c\u200d",
        "\u200b",
        "\x00",
        "\ufeff",
        "🙂",
        "a\tb\nc",
        "OR",
        "AND NOT",
        "-",
        '"unclosed',
        "*:*",
        "জাতীয়\u200c",
        "ক\u09cd\u200dষ",
    ],
)
async def test_odd_search_text_never_fails(client: AsyncClient, search: str) -> None:
    response = await client.get("/services", params={"search": search})

    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert response.json()["total_items"] >= 0
    else:
        assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    "path",
    [
        "/services/00000000-0000-0000-0000-000000000000",
        "/services/not-a-uuid",
        "/organizations/00000000-0000-0000-0000-000000000000",
        "/organizations/%27",
        "/service_at_locations/00000000-0000-0000-0000-000000000000",
        "/taxonomies/00000000-0000-0000-0000-000000000000",
        "/taxonomy_terms/nope",
        "/no-such-endpoint",
    ],
)
async def test_unknown_ids_and_paths_are_404_problems(client: AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == 404


async def test_wrong_method_is_a_405_problem(client: AsyncClient) -> None:
    response = await client.delete("/services")

    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM


async def test_problem_titles_and_details_follow_accept_language(client: AsyncClient) -> None:
    english = (await client.get("/services", params={"district": "Atlantis"})).json()
    bangla = (
        await client.get(
            "/services",
            params={"district": "Atlantis"},
            headers={"Accept-Language": "bn-BD, en;q=0.5"},
        )
    ).json()

    assert english["title"] == "Invalid input"
    assert bangla["title"] == "ইনপুট সঠিক নয়"
    assert "অজানা" in bangla["detail"]


async def test_public_reads_allow_any_origin(client: AsyncClient) -> None:
    response = await client.get("/services", headers={"Origin": "https://jessore.gov.bd"})

    assert response.headers["access-control-allow-origin"] == "*"


async def test_public_reads_are_gzip_compressed(client: AsyncClient) -> None:
    response = await client.get(
        "/services", params={"per_page": 50}, headers={"Accept-Encoding": "gzip"}
    )

    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["size"] == 50


@pytest.mark.parametrize(
    "url",
    [
        "/services?district=%00",
        "/organizations?search=a%00b",
        "/taxonomy_terms?search=%00",
        "/services/%00",
    ],
)
async def test_nul_bytes_anywhere_are_a_422(client: AsyncClient, url: str) -> None:
    response = await client.get(url)

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
