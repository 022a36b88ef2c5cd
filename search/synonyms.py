"""Synonyms for the Meilisearch index, generated from data kept in the repository.

- Places: every spelling of one administrative unit (English, Bangla, legacy and variant names
  from `directory_data/geo/`) is a synonym of the others: "jessore" ⇄ "jashore" ⇄ "যশোর".
- Everyday words: each category's `keywords` in `directory_data/taxonomy.yaml` (lawyer,
  আইনজীবী, ...) lead to the category's names ("legal aid", "আইনগত সহায়তা").

The PostgreSQL backend gets the same effect from its documents, which hold every spelling of the
places a service is in and its categories' everyday words.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.directory.models import TaxonomyTerm
from app.gazetteer.models import AdminAreaName
from search.text import search_key

# Meilisearch matches synonyms of at most a few words; longer names are found as words anyway
MAX_WORDS = 4


def place_synonyms(names: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Each spelling → the other spellings of the same unit, from (pcode, name) pairs. A
    spelling shared by several units (a common union name) leads to the spellings of them all."""
    by_place: dict[str, set[str]] = defaultdict(set)
    for pcode, name in names:
        key = search_key(name)
        if key and len(key.split()) <= MAX_WORDS:
            by_place[pcode].add(key)
    synonyms: dict[str, set[str]] = defaultdict(set)
    for spellings in by_place.values():
        for spelling in spellings:
            synonyms[spelling] |= spellings - {spelling}
    return {key: values for key, values in synonyms.items() if values}


def category_synonyms(
    categories: Iterable[tuple[Iterable[str], str | None]],
) -> dict[str, set[str]]:
    """Each everyday word → the names of its categories, from (names, space-separated keywords)."""
    synonyms: dict[str, set[str]] = defaultdict(set)
    for names, keywords in categories:
        targets = {search_key(name) for name in names if name}
        for key in search_key(keywords or "").split():
            synonyms[key] |= targets - {key}
    return {key: values for key, values in synonyms.items() if values}


def merge(*parts: Mapping[str, set[str]]) -> dict[str, list[str]]:
    """One synonym map, with sorted values, in sorted order (stable settings compare equal)."""
    merged: dict[str, set[str]] = defaultdict(set)
    for part in parts:
        for key, values in part.items():
            merged[key] |= values
    return {key: sorted(merged[key]) for key in sorted(merged)}


async def load_synonyms(session: AsyncSession) -> dict[str, list[str]]:
    """The synonyms of the directory's gazetteer and taxonomy."""
    names = (await session.execute(select(AdminAreaName.pcode, AdminAreaName.name))).tuples()
    terms = await session.execute(
        select(TaxonomyTerm.name, TaxonomyTerm.name_bn, TaxonomyTerm.keywords)
    )
    categories = [((name, name_bn or ""), keywords) for name, name_bn, keywords in terms.tuples()]
    return merge(place_synonyms(names), category_synonyms(categories))
