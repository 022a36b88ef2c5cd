"""One normaliser: the SQL `search_normalize` (index time) and `search_key` (query time) agree."""

import unicodedata

import pytest
from sqlalchemy import Text, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from search.text import search_key, search_words

# Latin, Greek and Cyrillic, Bengali, general punctuation (joiners), ligatures.
BLOCKS = [(0x20, 0x250), (0x370, 0x530), (0x980, 0xA00), (0x2000, 0x2070), (0xFB00, 0xFB07)]
SAMPLES = [
    "  Legal\tAid \n Jessore  ",
    "STRASSE Straße ẞ",
    "ΟΔΥΣΣΕΥΣ",
    "ﬁnance ﬂow",
    "যশোর\u200c সদর\u200d",
    "হেল্পলাইন ১০৯৮",
    "Cox’s Bazar",
    "ক্\u200dষ",
    unicodedata.normalize("NFD", "Kāila Café"),
    unicodedata.normalize("NFD", "আইনগত সহায়তা"),  # য় decomposes to য + ়
    "a\u00adb\ufeffc\u2060d",
]


async def _sql_keys(session: AsyncSession, values: list[str]) -> list[str]:
    stmt = select(func.search_normalize(func.unnest(bindparam("values", values, ARRAY(Text)))))
    return list((await session.execute(stmt)).scalars())


async def test_sql_and_python_normalise_every_character_of_the_scripts_in_use_alike(
    session: AsyncSession,
) -> None:
    chars = [chr(cp) for start, end in BLOCKS for cp in range(start, end)]
    probes = [f"a{char}b" for char in chars]  # a character between letters, not trimmed away

    sql = await _sql_keys(session, probes)

    mismatches = [
        (p, s, search_key(p)) for p, s in zip(probes, sql, strict=True) if s != search_key(p)
    ]
    assert mismatches == []


async def test_sql_and_python_normalise_the_samples_alike(session: AsyncSession) -> None:
    assert await _sql_keys(session, SAMPLES) == [search_key(value) for value in SAMPLES]


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("  Legal\tAid \n Jessore  ", "legal aid jessore"),
        ("STRASSE Straße", "strasse strasse"),
        ("যশোর\u200c সদর\u200d", "যশোর সদর"),
        ("হেল্পলাইন ১০৯৮", "হেল্পলাইন 1098"),
        (unicodedata.normalize("NFD", "আইনগত সহায়তা"), unicodedata.normalize("NFC", "আইনগত সহায়তা")),
        ("Cox’s Bazar", "cox's bazar"),
    ],
)
def test_search_key_folds_case_joiners_digits_and_composition(raw: str, key: str) -> None:
    assert search_key(raw) == key


def test_search_words_are_the_word_characters_of_the_key() -> None:
    assert search_words("  Legal-aid, ১০৯৮! ") == ["legal", "aid", "1098"]
    assert search_words("?!… --") == []


async def test_search_words_mark_the_last_word_typed(session: AsyncSession) -> None:
    rows = await session.execute(
        select(text("lexeme, is_last")).select_from(func.search_words("Legal aid Jessore legal"))
    )

    assert dict(rows.tuples().all()) == {"legal": True, "aid": False, "jessore": False}
