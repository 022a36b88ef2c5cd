"""Mistakes do not pass silently: an unknown or misspelt query parameter is a 422 naming the
closest known one, and a parameter given twice is a 422, never last-wins."""

import pytest
from httpx import AsyncClient


@pytest.mark.parametrize(
    ("query", "parameter", "hint"),
    [
        ("Search=legal", "Search", "did you mean search?"),
        ("categroy=health", "categroy", "did you mean category?"),
        ("colour=red", "colour", "it takes: "),
    ],
)
async def test_an_unknown_parameter_is_named_with_the_closest_known_one(
    client: AsyncClient, query: str, parameter: str, hint: str
) -> None:
    response = await client.get(f"/services?{query}")

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["location"], error["parameter"]) == ("query", parameter)
    assert hint in error["detail"]


async def test_a_repeated_parameter_is_refused_not_last_wins(client: AsyncClient) -> None:
    response = await client.get("/services?district=Jashore&district=Dhaka")

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["parameter"] == "district"
    assert "2 times" in error["detail"] and "commas" in error["detail"]
    commas = await client.get("/services?district=Jashore,Dhaka")
    assert commas.status_code == 200


async def test_an_operation_without_parameters_says_so(client: AsyncClient) -> None:
    response = await client.get("/?page=2")

    assert response.status_code == 422
    assert "takes no query parameters" in response.json()["detail"]


async def test_known_parameters_pass(client: AsyncClient) -> None:
    response = await client.get("/services", params={"search": "legal", "per_page": 5})

    assert response.status_code == 200
