"""The place in a text message: the longest run of its words that names a union, upazila or
district, in any spelling the gazetteer knows (English, HDX, Bangla, variants)."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.gazetteer.service import Place, find_places, preferred_place


async def place_of(session: AsyncSession, words: Sequence[str]) -> Place | None:
    """The place the words name, or None. Longer runs win ("Jashore Sadar" over "Jashore"), and
    among a name's places the level a `near=` lookup prefers; ties keep the first pcode."""
    for size in range(len(words), 0, -1):
        for start in range(len(words) - size + 1):
            found = preferred_place(
                await find_places(session, value=" ".join(words[start : start + size]))
            )
            if found:
                return found[0]
    return None
