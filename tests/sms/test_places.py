"""The place of a text message, from the gazetteer the seed loads: spellings, Bangla, runs."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.gazetteer.service import find_places
from app.sms.needs import read
from app.sms.places import place_of


@pytest.mark.parametrize(
    ("message", "name"),
    [
        ("LEGAL KALAROA", "Kalaroa"),
        ("আইন কলারোয়া", "Kalaroa"),
        ("health jessore", "Jashore"),
        ("health Jashore", "Jashore"),
        ("যশোর স্বাস্থ্য", "Jashore"),
        ("স্বাস্থ্য আমদিয়া ২", "Amdia"),  # a name with a Bangla digit
        ("স্বাস্থ্য আমদিয়া 2", "Amdia"),
    ],
)
async def test_a_place_in_any_spelling(session: AsyncSession, message: str, name: str) -> None:
    place = await place_of(session, read(message).rest)

    assert place is not None
    (expected,) = {
        p.pcode for p in await find_places(session, value=name) if p.level == place.level
    }
    assert place.pcode == expected and place.name_en.startswith(name[:4])


async def test_words_that_name_no_place(session: AsyncSession) -> None:
    assert await place_of(session, read("legal atlantis").rest) is None
    assert await place_of(session, ()) is None


@pytest.mark.parametrize(
    ("message", "name"),
    [("legal kolaroa", "Kalaroa"), ("health jhikorgacha", "Jhikargacha"), ("আইন কলারোযা", "Kalaroa")],
)
async def test_a_misspelt_place(session: AsyncSession, message: str, name: str) -> None:
    place = await place_of(session, read(message).rest)

    assert place is not None and place.name_en == name


async def test_a_word_like_no_place_is_none(session: AsyncSession) -> None:
    assert await place_of(session, read("legal qqqq").rest) is None
    assert await place_of(session, read("legal ab").rest) is None


async def test_a_long_message_costs_a_few_lookups(session: AsyncSession) -> None:
    words = read("legal " + "lorem ipsum dolor " * 100 + "kalaroa").rest

    assert len(words) == 301
    assert await place_of(session, words) is None  # the place must come among the first words
    found = await place_of(session, read("legal kalaroa " + "lorem " * 300).rest)
    assert found is not None and found.name_en == "Kalaroa"
