"""Facet counts of a search with the names of their values: places from the gazetteer, categories
from the taxonomy. The backends count codes; the names are added here, once for both."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import CompoundSelect, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.pagination import Facets, FacetValue
from app.directory.models import TaxonomyTerm
from app.gazetteer.models import AdminArea
from search.query import ADMIN_LEVELS

# the values of `free_of_cost` as the backends count them (the document's boolean as text)
FREE_OF_COST = {
    "true": ("Free of cost", "বিনামূল্যে"),
    "false": ("Not free", "বিনামূল্যে নয়"),
}


async def name_facets(session: AsyncSession, counts: Mapping[str, Mapping[str, int]]) -> Facets:
    """Each facet's values with their names, most counted first, then by code; one query names
    every place and category. A code the gazetteer or taxonomy does not know is its own name."""
    places = {code for level in ADMIN_LEVELS for code in counts.get(level, {})}
    categories = set(counts.get("category", {}))
    names = await _names(session, places=places, categories=categories)
    facets: Facets = {}
    for facet, values in counts.items():
        kind = "category" if facet == "category" else "place"
        ordered = sorted(values.items(), key=lambda item: (-item[1], item[0]))
        facets[facet] = []
        for code, count in ordered:
            if facet == "free_of_cost":
                name, name_bn = FREE_OF_COST.get(code, (code, None))
            else:
                name, name_bn = names.get((kind, code), (code, None))
            facets[facet].append(FacetValue(code=code, name=name, name_bn=name_bn, count=count))
    return facets


async def _names(
    session: AsyncSession, *, places: set[str], categories: set[str]
) -> dict[tuple[str, str], tuple[str, str | None]]:
    """English and Bangla names by (`place` or `category`, code)."""
    if not places and not categories:
        return {}
    stmt: CompoundSelect[Any] = union_all(
        select(literal("place"), AdminArea.pcode, AdminArea.name_en, AdminArea.name_bn).where(
            AdminArea.pcode.in_(places)
        ),
        select(
            literal("category"), TaxonomyTerm.code, TaxonomyTerm.name, TaxonomyTerm.name_bn
        ).where(TaxonomyTerm.code.in_(categories)),
    )
    rows = (await session.execute(stmt)).tuples()
    return {(kind, code): (name, name_bn) for kind, code, name, name_bn in rows}
