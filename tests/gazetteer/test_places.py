"""GET /places: any spelling or pcode, whole or begun, to the unit, its level, names and parent."""

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.main import create_app
from tests.api import Json, get_json

JASHORE = {
    "pcode": "BD4041",
    "level": "district",
    "name": "Jashore",
    "name_bn": "যশোর",
    "parent": {"pcode": "BD40", "level": "division", "name": "Khulna", "name_bn": "খুলনা"},
}


async def places(client: AsyncClient, **params: str | int) -> Json:
    return await get_json(client, "/places", **params)


def first(body: Json) -> Json:
    item: Json = body["contents"][0]
    return {key: item[key] for key in ("pcode", "level", "name", "name_bn", "parent")}


@pytest.mark.parametrize(
    "spelling", ["Jashore", "jashore", "JESSORE", "Josore", "যশোর", " যশোর ", "BD4041", "bd4041"]
)
async def test_every_spelling_and_the_pcode_resolve_to_the_district(
    client: AsyncClient, spelling: str
) -> None:
    body = await places(client, search=spelling)

    assert first(body) == JASHORE
    item = body["contents"][0]
    assert 23.0 < item["lat"] < 23.2 and 89.1 < item["lng"] < 89.3  # the admin centroid


async def test_a_decomposed_or_zero_width_split_bangla_name_finds_the_stored_one(
    client: AsyncClient,
) -> None:
    # কলারোয়া with য় decomposed (য + nukta) and a zero-width non-joiner inside
    spelling = "কলা\u200cরো\u09af\u09bcা"

    body = await places(client, search=spelling)

    assert first(body)["pcode"] == "BD40870043"


@pytest.mark.parametrize(
    ("typed", "pcode"),
    [("Jash", "BD4041"), ("jes", "BD4041"), ("যশো", "BD4041"), ("কলার", "BD40870043")],
)
async def test_the_beginning_of_a_name_finds_the_unit_for_pickers(
    client: AsyncClient, typed: str, pcode: str
) -> None:
    body = await places(client, search=typed)

    assert body["contents"][0]["pcode"] == pcode


async def test_an_upazila_and_a_union_carry_their_parents(client: AsyncClient) -> None:
    kalaroa = first(await places(client, search="কলারোয়া"))
    # several unions are called Jalalabad; the variant spelling finds Kalaroa's too
    unions = (await places(client, search="Jalalabad", level="union"))["contents"]
    jalalabad = next(item for item in unions if item["pcode"] == "BD40874339")

    assert kalaroa == {
        "pcode": "BD40870043",
        "level": "upazila",
        "name": "Kalaroa",
        "name_bn": "কলারোয়া",
        "parent": {"pcode": "BD4087", "level": "district", "name": "Satkhira", "name_bn": "সাতক্ষীরা"},
    }
    assert {item["level"] for item in unions} == {"union"}
    assert jalalabad["name"] == "Jallabad"
    assert jalalabad["parent"] == {
        "pcode": "BD40870043",
        "level": "upazila",
        "name": "Kalaroa",
        "name_bn": "কলারোয়া",
    }


async def test_a_division_has_no_parent_and_a_unit_without_a_bangla_name_shows_none(
    client: AsyncClient,
) -> None:
    khulna = (await places(client, search="Khulna", level="division"))["contents"]
    paurashava = (await places(client, search="BD40874399"))["contents"]

    assert [item["pcode"] for item in khulna] == ["BD40"]
    assert "parent" not in khulna[0]
    assert paurashava[0]["name"] == "Kalaroa Paurashava"
    assert "name_bn" not in paurashava[0]


async def test_exact_matches_come_first_then_districts_upazilas_unions_divisions(
    client: AsyncClient,
) -> None:
    body = await places(client, search="dhaka", per_page=100)

    found = [(item["pcode"], item["level"]) for item in body["contents"]]
    # Dhaka is a district and a division by that very name; the rest only begin with it
    assert found[:2] == [("BD3026", "district"), ("BD30", "division")]
    levels = [level for _, level in found[2:]]
    order = ["district", "upazila", "union", "division"]
    assert levels == sorted(levels, key=order.index)
    assert ("BD30262500", "upazila") in found  # Dhaka North City Corporation


async def test_the_level_filter_keeps_only_that_level(client: AsyncClient) -> None:
    body = await places(client, search="Jashore", level="upazila")

    assert [item["pcode"] for item in body["contents"]] == ["BD40410047"]  # Jashore Sadar
    assert body["contents"][0]["parent"]["pcode"] == "BD4041"


async def test_a_level_alone_lists_the_level_by_name_a_page_at_a_time(client: AsyncClient) -> None:
    divisions = await places(client, level="division")
    districts = await places(client, level="district", per_page=10, page=2)

    names = [item["name"] for item in divisions["contents"]]
    assert divisions["total_items"] == 8 and names == sorted(names)
    assert {item["level"] for item in districts["contents"]} == {"district"}
    assert districts["total_items"] == 64 and districts["size"] == 10
    assert districts["page_number"] == 2 and districts["total_pages"] == 7


async def test_per_page_limits_the_suggestions(client: AsyncClient) -> None:
    body = await places(client, search="k", per_page=3)

    assert body["size"] == 3 and len(body["contents"]) == 3
    assert body["total_items"] > 3


@pytest.mark.parametrize("value", ["Atlantis", "%", "_", "\\", "BD99"])
async def test_a_name_no_unit_has_finds_nothing(client: AsyncClient, value: str) -> None:
    body = await places(client, search=value)

    assert body["total_items"] == 0 and body["contents"] == []


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"search": "Jashore", "level": "country"}, "level"),
        ({"level": "village"}, "level"),
        ({"search": "x" * 201}, "search"),
        ({}, "search"),
        ({"search": "  "}, "search"),
        ({"search": "Jashore", "per_page": 101}, "per_page"),
        ({"search": "Jashore", "limit": 5}, "limit"),
    ],
)
async def test_bad_parameters_are_422_problems_in_both_languages(
    client: AsyncClient, params: dict[str, str | int], parameter: str
) -> None:
    english = await client.get("/places", params=params)
    bangla = await client.get("/places", params=params, headers={"Accept-Language": "bn"})

    for response in (english, bangla):
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["parameter"] for e in response.json()["errors"]] == [parameter]
    assert english.json()["detail"] != bangla.json()["detail"]


async def test_places_are_public_and_cacheable(client: AsyncClient) -> None:
    response = await client.get(
        "/places", params={"search": "Jashore"}, headers={"Origin": "https://example.org"}
    )

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "public, max-age=300"


async def test_the_prefix_lookup_reads_the_name_key_index(session: AsyncSession) -> None:
    await session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = await session.execute(
        text("EXPLAIN SELECT pcode FROM admin_area_name WHERE name_key LIKE 'jash%'")
    )

    assert "ix_admin_area_name_name_key" in "\n".join(plan.scalars())


def test_the_openapi_documents_places() -> None:
    operation = create_app().openapi()["paths"]["/places"]["get"]

    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"search", "level", "page", "per_page"}
    assert parameters["search"]["schema"]["anyOf"][0]["maxLength"] == 200
    level_schema = parameters["level"]["schema"]["anyOf"][0]
    assert level_schema["enum"] == ["division", "district", "upazila", "union"]
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page.endswith("Page_PlaceRead_")
    assert "422" in operation["responses"]
