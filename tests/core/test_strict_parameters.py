"""Mistakes do not pass silently: an unknown or misspelt query parameter is a 422 naming the
closest known one, a parameter given twice is a 422, never last-wins, the same limits hold on
every operation and a period cannot end before it starts."""

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.params import MAX_PLACE_LENGTH, MAX_SEARCH_LENGTH
from tests.accounts import make_account
from tests.referrals.helpers import make_mou


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


@pytest.mark.parametrize("path", ["/services", "/organizations", "/taxonomy_terms"])
async def test_every_search_takes_the_same_length_and_refuses_more(
    client: AsyncClient, path: str
) -> None:
    longest = await client.get(path, params={"search": "আ" * MAX_SEARCH_LENGTH})
    too_long = await client.get(path, params={"search": "আ" * (MAX_SEARCH_LENGTH + 1)})

    assert longest.status_code == 200
    assert too_long.status_code == 422
    [error] = too_long.json()["errors"]
    assert (error["location"], error["parameter"]) == ("query", "search")


async def test_every_place_parameter_takes_the_same_length(
    client: AsyncClient, session: AsyncSession
) -> None:
    admin = await make_account(session, role="admin")
    place = "x" * (MAX_PLACE_LENGTH + 1)

    for path, name in [
        ("/services", "district"),
        ("/services", "near"),
        ("/reports/referrals", "district"),
    ]:
        response = await client.get(path, params={name: place}, headers=admin.headers)
        assert response.status_code == 422, (path, name)
        assert response.json()["errors"][0]["parameter"] == name


@pytest.mark.parametrize(
    ("path", "start", "end"),
    [
        ("/reports/referrals", "from", "to"),
        ("/audit-events", "since", "until"),
    ],
)
async def test_a_period_that_ends_before_it_starts_is_refused(
    client: AsyncClient, session: AsyncSession, path: str, start: str, end: str
) -> None:
    admin = await make_account(session, role="admin")

    backwards = await client.get(
        path, params={start: "2026-06-30", end: "2026-06-01"}, headers=admin.headers
    )
    one_day = await client.get(
        path, params={start: "2026-06-01", end: "2026-06-01"}, headers=admin.headers
    )

    assert backwards.status_code == 422
    [error] = backwards.json()["errors"]
    assert error["parameter"] == start
    assert end in error["detail"]
    assert one_day.status_code == 200
    in_bangla = await client.get(
        path,
        params={start: "2026-06-30", end: "2026-06-01"},
        headers={**admin.headers, "Accept-Language": "bn"},
    )
    assert "শুরু শেষের পরে" in in_bangla.json()["errors"][0]["detail"]


async def test_an_mou_report_refuses_a_backwards_period(
    client: AsyncClient, session: AsyncSession
) -> None:
    mou = await make_mou(session)
    admin = await make_account(session, role="admin")

    response = await client.get(
        f"/mous/{mou.id}/report",
        params={"from": "2026-06-30", "to": "2026-01-01"},
        headers=admin.headers,
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "from"
