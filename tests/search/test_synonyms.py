"""Synonyms generated from the gazetteer and the taxonomy's everyday words."""

from sqlalchemy.ext.asyncio import AsyncSession

from search.synonyms import category_synonyms, load_synonyms, merge, place_synonyms


def test_every_spelling_of_a_place_leads_to_the_others() -> None:
    synonyms = place_synonyms(
        [("BD4041", "Jashore"), ("BD4041", "Jessore"), ("BD4041", "যশোর"), ("BD2015", "Chattogram")]
    )

    assert synonyms["jessore"] == {"jashore", "যশোর"}
    assert synonyms["যশোর"] == {"jashore", "jessore"}
    assert "chattogram" not in synonyms  # one spelling: nothing to add


def test_everyday_words_lead_to_their_category_names() -> None:
    synonyms = category_synonyms(
        [(("Legal aid", "আইনগত সহায়তা"), "lawyer advocate আইনজীবী"), (("Health care",), "doctor")]
    )

    assert synonyms["lawyer"] == {"legal aid", "আইনগত সহায়তা"}
    assert synonyms["আইনজীবী"] == {"legal aid", "আইনগত সহায়তা"}
    assert synonyms["doctor"] == {"health care"}


def test_merged_synonyms_are_sorted_lists() -> None:
    merged = merge({"b": {"z", "y"}}, {"a": {"x"}, "b": {"w"}})

    assert merged == {"a": ["x"], "b": ["w", "y", "z"]}
    assert list(merged) == ["a", "b"]


async def test_the_directory_synonyms_cover_legacy_names_bangla_and_everyday_words(
    session: AsyncSession,
) -> None:
    synonyms = await load_synonyms(session)

    assert {"jashore", "যশোর"} <= set(synonyms["jessore"])
    assert "chattogram" in synonyms["chittagong"]
    assert "chittagong" in synonyms["চট্টগ্রাম"]
    assert "koyla" in synonyms["kaila"]
    assert "legal aid" in synonyms["lawyer"]
    assert "আইনগত সহায়তা" in synonyms["আইনজীবী"]
    assert "health care" in synonyms["ডাক্তার"]
    assert len(synonyms) > 5_000  # the unions are in
