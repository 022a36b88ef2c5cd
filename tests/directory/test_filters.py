"""Admin-area, category, cost and text filters, and facets, on /services."""

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api import facet_counts, ids, search
from tests.builders import make_service


@pytest.mark.parametrize(
    ("parameter", "spellings"),
    [
        ("district", ["BD4041", "Jashore", "Jessore", "jessore", "যশোর"]),
        ("upazila", ["BD40410061", "Monirampur", "Manirampur", "মণিরামপুর"]),
        ("upazila", ["BD40870004", "Assasuni", "Ashashuni"]),
        ("union", ["BD40874339", "Jallabad", "Jalalabad"]),
        ("union", ["BD40874323", "Langaljhara", "Nangalthara"]),
        ("division", ["BD40", "Khulna", "খুলনা"]),
    ],
)
async def test_admin_filters_accept_every_known_spelling(
    client: AsyncClient, parameter: str, spellings: list[str]
) -> None:
    results = [await search(client, **{parameter: spelling}) for spelling in spellings]

    assert results[0]["total_items"] > 0
    assert all(ids(result) == ids(results[0]) for result in results)


async def test_district_filter_finds_located_area_wide_and_national_services(
    client: AsyncClient, session: AsyncSession
) -> None:
    located = await make_service(session, name="Kalaroa test clinic", lat=22.88, lng=89.05)
    district_wide = await make_service(
        session, name="Satkhira-wide outreach", area_pcodes=("BD4087",)
    )
    elsewhere = await make_service(session, name="Bandarban clinic", lat=21.70, lng=92.40)

    body = await search(client, district="Satkhira")

    found = ids(body)
    assert {str(located.id), str(district_wide.id)} <= found
    assert str(elsewhere.id) not in found
    assert "Child Helpline" in {item["name"] for item in body["contents"]}


async def test_an_upazila_filter_finds_a_service_covering_its_district(
    client: AsyncClient, session: AsyncSession
) -> None:
    district_wide = await make_service(
        session, name="Satkhira-wide legal clinic", area_pcodes=("BD4087",)
    )

    assert str(district_wide.id) in ids(await search(client, upazila="Kalaroa"))
    assert str(district_wide.id) not in ids(await search(client, upazila="Manirampur"))


async def test_locations_get_admin_codes_by_point_in_polygon(
    client: AsyncClient, session: AsyncSession
) -> None:
    service = await make_service(session, name="Point in Jallabad", lat=22.847046, lng=89.085555)

    body = (await client.get(f"/services/{service.id}")).json()

    location = body["service_at_locations"][0]["location"]
    assert location["division_pcode"] == "BD40"
    assert location["district_pcode"] == "BD4087"
    assert location["upazila_pcode"] == "BD40870043"
    assert location["union_pcode"] == "BD40874339"


async def test_category_filter_is_or_within_the_list(client: AsyncClient) -> None:
    legal = await search(client, category="legal_aid")
    shelter = await search(client, category="shelter")
    both = await search(client, category="legal_aid,shelter")

    assert legal["total_items"] > 0 and shelter["total_items"] > 0
    assert ids(both) == ids(legal) | ids(shelter)


async def test_free_of_cost_keeps_only_services_with_a_free_option(client: AsyncClient) -> None:
    body = await search(client, free_of_cost="true")

    assert body["total_items"] > 0
    assert all(item["free_of_cost"] is True for item in body["contents"])
    assert "National Information and Service Call Centre" not in {
        i["name"] for i in body["contents"]
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("legal aid", "National Legal Aid Helpline"),
        ("আইনগত সহায়তা", "National Legal Aid Helpline"),
        ("child helpline", "Child Helpline"),
        ("1098", "Child Helpline"),
        ("১০৯৮", "Child Helpline"),
        ("চাইল্ড", "Child Helpline"),
        ("Rights Jess", "Legal support for trafficking survivors"),
        ("Niramoy", "Free healthcare and counselling at the Niramoy Information Health Booth"),
    ],
)
async def test_text_search_in_english_and_bangla(
    client: AsyncClient, text: str, expected: str
) -> None:
    body = await search(client, search=text)

    assert expected in [item["name"] for item in body["contents"]]


async def test_text_search_ignores_zero_width_joiners_and_decomposed_characters(
    client: AsyncClient, session: AsyncSession
) -> None:
    service = await make_service(
        session, name="Test shelter", name_bn="নিরাপদ আশ্রয়কেন্দ্র", categories=("shelter",)
    )

    plain = await search(client, search="আশ্রয়কেন্দ্র")
    with_joiners = await search(client, search="আশ্র\u200cয়কে\u200dন্দ্র")
    decomposed = await search(client, search="আশ্রয\u09bcকেন্দ্র")  # য + nukta instead of য়

    for body in (plain, with_joiners, decomposed):
        assert str(service.id) in ids(body)


async def test_text_search_tolerates_a_typo_in_a_long_word(
    client: AsyncClient, session: AsyncSession
) -> None:
    service = await make_service(session, name="Psychotherapy unit for survivors")

    assert str(service.id) in ids(await search(client, search="psychoterapy"))


async def test_text_search_ranks_name_matches_before_description_matches(
    client: AsyncClient, session: AsyncSession
) -> None:
    by_description = await make_service(
        session, name="Aardvark centre", description="Offers zebrafinch counselling sessions"
    )
    by_name = await make_service(session, name="Zebrafinch counselling", description="Sessions")

    body = await search(client, search="zebrafinch")

    assert [item["id"] for item in body["contents"]] == [str(by_name.id), str(by_description.id)]


async def test_multi_word_search_requires_every_word(
    client: AsyncClient, session: AsyncSession
) -> None:
    both = await make_service(session, name="Quokka wombat service")
    await make_service(session, name="Quokka only service")

    body = await search(client, search="quokka wombat")

    assert ids(body) == {str(both.id)}


@pytest.mark.parametrize(
    ("facet", "parameter"),
    [
        ("category", "category"),
        ("district", "district"),
        ("upazila", "upazila"),
        ("free_of_cost", "free_of_cost"),
    ],
)
async def test_facet_counts_equal_the_totals_of_the_filtered_search(
    client: AsyncClient, facet: str, parameter: str
) -> None:
    base = {"district": "Jashore"} if parameter != "district" else {"division": "Khulna"}
    body = await search(client, **base, facets=facet)

    counts = facet_counts(body, facet)
    assert counts and all(count > 0 for count in counts.values())
    for value, count in list(counts.items())[:8]:
        filtered = await search(client, **base, **{parameter: value})
        assert filtered["total_items"] == count, (facet, value)


async def test_facets_are_computed_after_all_filters(client: AsyncClient) -> None:
    body = await search(
        client, district="Satkhira", category="law_enforcement", facets="category,free_of_cost"
    )

    assert facet_counts(body, "category")["law_enforcement"] == body["total_items"]
    assert sum(facet_counts(body, "free_of_cost").values()) == body["total_items"]


async def test_a_district_facet_names_the_district_in_english_and_bangla(
    client: AsyncClient,
) -> None:
    body = await search(client, district="Jessore", facets="district,category")

    jashore = [value for value in body["facets"]["district"] if value["code"] == "BD4041"]
    assert jashore == [
        {"code": "BD4041", "name": "Jashore", "name_bn": "যশোর", "count": body["total_items"]}
    ]
    legal_aid = [value for value in body["facets"]["category"] if value["code"] == "legal_aid"]
    assert legal_aid[0]["name_bn"] == "আইনগত সহায়তা"
    # the fully nested page carries the same facets
    full = await search(client, district="Jessore", facets="district,category", full="true")
    assert full["facets"] == body["facets"]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("lawyer", "legal_aid"),
        ("আইনজীবী", "legal_aid"),
        ("doctor", "health"),
        ("ডাক্তার", "health"),
        ("police", "law_enforcement"),
        ("থানা", "law_enforcement"),
    ],
)
async def test_everyday_words_find_their_category(
    client: AsyncClient, text: str, category: str
) -> None:
    body = await search(client, search=text)

    assert body["total_items"] > 0
    assert all(
        category in {c["code"] for c in item["categories"]} or text.lower() in str(item).lower()
        for item in body["contents"]
    )
