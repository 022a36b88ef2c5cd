"""Public read API of the gazetteer: place lookups for pickers and clients."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.core.db import SessionDep
from app.core.middleware import CrossOrigin
from app.core.pagination import Page, PageNumber, PerPage
from app.core.params import MAX_SEARCH_LENGTH
from app.gazetteer import service as gazetteer
from app.gazetteer.schemas import PlaceRead
from search.query import AdminLevel

router = APIRouter()
# what other origins may call (SplitCORS): every read here is public
cross_origin = CrossOrigin()

# the gazetteer changes only when the seed is reloaded (lookups are cached as long in-process)
PLACES_CACHE_CONTROL = "public, max-age=300"


@router.get("/places", response_model=Page[PlaceRead], response_model_exclude_none=True)
async def search_places(
    session: SessionDep,
    response: Response,
    search: Annotated[
        str | None,
        Query(
            max_length=MAX_SEARCH_LENGTH,
            description="A pcode, or a name or its beginning in any known spelling (English, "
            f"HDX, Bangla, variants), in any case; at most {MAX_SEARCH_LENGTH} characters.",
        ),
    ] = None,
    level: Annotated[AdminLevel | None, Query(description="Only units of this level.")] = None,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> Page[PlaceRead]:
    """Divisions, districts, upazilas and unions by pcode or any spelling of their names, whole
    or begun (for place pickers): exact matches first, then districts, upazilas, unions and
    divisions, then by English name. Without `search`, every unit of `level` by name; `search`
    or `level` is required."""
    page_of_places = await gazetteer.list_places(
        session, search=search, level=level, page=page, per_page=per_page
    )
    response.headers["Cache-Control"] = PLACES_CACHE_CONTROL
    return page_of_places
