"""The place in a text message: the longest run of its words that names a union, upazila or
district, in any spelling the gazetteer knows (English, HDX, Bangla, variants), else the name
nearest to a misspelt one (KOLAROA), by trigram similarity as the search matches typos."""

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.gazetteer.service import Place, find_places, preferred_place

# a misspelt name counts only this similar to a real one, and only from this many letters on
MIN_SIMILARITY = 0.4
MIN_LETTERS = 4
# a place is named in the first few words, and no name is longer than a few words ("Jashore
# Sadar", "Dhaka South City Corporation"): a long text costs no more lookups than a short one
PLACE_WORDS = 6
LONGEST_NAME = 4
NEAREST_NAMES = text("""
SELECT pcode, similarity(name_key, :key) AS score FROM admin_area_name
WHERE name_key % :key ORDER BY score DESC, pcode LIMIT 20
""")


def _runs(words: Sequence[str]) -> list[str]:
    """The runs of consecutive words, longest first (left first among equals), of the first
    `PLACE_WORDS` words and at most `LONGEST_NAME` long."""
    words = words[:PLACE_WORDS]
    return [
        " ".join(words[start : start + size])
        for size in range(min(len(words), LONGEST_NAME), 0, -1)
        for start in range(len(words) - size + 1)
    ]


async def _nearest_spelling(session: AsyncSession, key: str) -> Place | None:
    rows = (await session.execute(NEAREST_NAMES, {"key": key})).all()
    if not rows or rows[0].score < MIN_SIMILARITY:
        return None
    candidates: list[Place] = []
    for pcode, score in rows:
        if score == rows[0].score:
            candidates += await find_places(session, value=pcode)
    found = preferred_place(candidates)
    return found[0] if found else None


async def place_of(session: AsyncSession, words: Sequence[str]) -> Place | None:
    """The place the words name, or None. Longer runs win ("Jashore Sadar" over "Jashore"), and
    among a name's places the level a `near=` lookup prefers; ties keep the first pcode. Only
    when no run is a name is a misspelling looked for."""
    runs = _runs(words)
    for run in runs:
        found = preferred_place(await find_places(session, value=run))
        if found:
            return found[0]
    for run in runs:
        if len(run) >= MIN_LETTERS and (near := await _nearest_spelling(session, run)):
            return near
    return None
