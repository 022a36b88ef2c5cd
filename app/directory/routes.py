"""Public read API of the directory (HSDS 3.0 API profile with Bangladesh extensions)."""

import uuid
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.deps import OptionalActor
from app.core.config import get_settings
from app.core.db import SessionDep, get_session
from app.core.middleware import CrossOrigin
from app.core.ndjson import MEDIA_TYPE, Format, PageOf, StreamEngineDep, stream_pages
from app.core.pagination import Page, PageNumber, PerPage
from app.core.params import SearchText
from app.directory import service as directory
from app.directory.confidential import Viewer, viewer_for
from app.directory.errors import MinimalOrFull, PostcodeNotSupported, TopOnlyOrParent
from app.directory.params import (
    SearchParamsDep,
    ServiceSearchParams,
    ServiceSearchParamsDep,
    build_service_query,
    refuse_paging,
)
from app.directory.schemas import (
    ApiRoot,
    OrganizationRead,
    ServiceAtLocationRead,
    ServiceFull,
    ServiceListItem,
    ServiceMinimal,
    TaxonomyRead,
    TaxonomyTermRead,
)
from app.directory.search_engine import search_backend
from search.backend import SearchBackend

router = APIRouter(tags=["directory"])
# what other origins may call (SplitCORS): every read here is public
cross_origin = CrossOrigin()


ATTRIBUTION = [
    "Human Services Data Specification: an Open Referral resource (https://openreferral.org/), "
    "CC BY-SA 4.0.",
    "Administrative boundaries: Bangladesh Bureau of Statistics (BBS) / OCHA, via the "
    "Humanitarian Data Exchange, CC BY 3.0 IGO.",
    "Names and Bangla labels: Bangladesh GeoCode by Nuhil Mehdy (MIT).",
    "Health facilities © OpenStreetMap contributors, via healthsites.io / HDX, ODbL 1.0.",
]
ATTRIBUTION_BN = [
    "হিউম্যান সার্ভিসেস ডেটা স্পেসিফিকেশন: ওপেন রেফারেলের একটি সম্পদ "
    "(https://openreferral.org/), CC BY-SA 4.0।",
    "প্রশাসনিক সীমানা: বাংলাদেশ পরিসংখ্যান ব্যুরো (বিবিএস) / ওচা, "
    "হিউম্যানিটারিয়ান ডেটা এক্সচেঞ্জের মাধ্যমে, CC BY 3.0 IGO।",
    "নাম ও বাংলা লেবেল: নুহিল মেহদীর বাংলাদেশ জিওকোড (MIT)।",
    "স্বাস্থ্যকেন্দ্র © ওপেনস্ট্রিটম্যাপ অবদানকারীগণ, healthsites.io / এইচডিএক্সের মাধ্যমে, ODbL 1.0।",
]


async def get_search_backend(
    session: Annotated[AsyncSession, Depends(get_session)],
) -> SearchBackend:
    """The configured search backend for this request."""
    return search_backend(session)


def _served_by(response: Response, backend: SearchBackend) -> None:
    """Says which backend answered, and why not the configured one."""
    response.headers["X-Search-Backend"] = backend.served_by
    if backend.fallback_reason:
        response.headers["X-Search-Fallback"] = backend.fallback_reason


SearchBackendDep = Annotated[SearchBackend, Depends(get_search_backend)]


async def get_viewer(session: SessionDep, actor: OptionalActor) -> Viewer:
    """Who reads: anonymous unless the request carries a valid token (confidential locations
    show where they are only to partners)."""
    return await viewer_for(session, actor)


ViewerDep = Annotated[Viewer, Depends(get_viewer)]


# the HSDS 3.0 API parameters beyond paging and search, as this API treats them
HSDS_PARAMETERS = {
    "supported": {
        "format": ["json", "ndjson"],
        "minimal": ["/services"],
        "full": ["/services"],
        "full_service": ["/organizations"],
        "modified_after": ["/services", "/service_at_locations"],
        "top_only": ["/taxonomy_terms"],
        "parent_id": ["/taxonomy_terms"],
    },
    "refused": {
        "postcode": "postcode-not-supported: no sourced Bangladesh post-code list; "
        "use near=<place>&radius_km=<km>",
        "proximity": "postcode-not-supported: no sourced Bangladesh post-code list; "
        "use near=<place>&radius_km=<km>",
    },
}


@router.get("/", response_model=ApiRoot, response_model_exclude_none=True)
async def read_api_root() -> ApiRoot:
    """Information about this API and its relationship with HSDS."""
    base = get_settings().base_url
    return ApiRoot(
        profile="https://docs.openreferral.org/en/latest/hsds/profiles.html",
        openapi_url=f"{base}/openapi.json",
        name="District referral-network service directory",
        name_bn="জেলা রেফারেল নেটওয়ার্ক সেবা নির্দেশিকা",
        description="Services for survivors of trafficking in Bangladesh: health, legal aid, "
        "training, employment and migration, police, shelters, counselling and helplines.",
        description_bn="বাংলাদেশে মানব পাচারের শিকার মানুষদের জন্য সেবা: স্বাস্থ্য, আইনগত সহায়তা, "
        "প্রশিক্ষণ, কর্মসংস্থান ও অভিবাসন, পুলিশ, আশ্রয়কেন্দ্র, কাউন্সেলিং ও হেল্পলাইন।",
        attribution=ATTRIBUTION,
        attribution_bn=ATTRIBUTION_BN,
        extensions={
            "search_parameters": ServiceSearchParams.extensions(),
            "languages": ["en", "bn"],
            "hsds_parameters": HSDS_PARAMETERS,
        },
    )


def _ndjson(request: Request, engine: AsyncEngine, page_of: PageOf) -> StreamingResponse:
    """Every item of a list, page after page of one snapshot, as ndjson (after refusing the
    paging parameters, which a stream has no use for)."""
    refuse_paging(request.query_params.keys())
    return StreamingResponse(
        stream_pages(engine, page_of),
        media_type=MEDIA_TYPE,
        headers={"X-Search-Backend": "postgres"},
    )


SEARCH_HEADERS = {
    "X-Search-Backend": {
        "description": "The backend that answered: `postgres` or `meilisearch`.",
        "schema": {"type": "string", "enum": ["postgres", "meilisearch"]},
    },
    "X-Search-Fallback": {
        "description": "Present when PostgreSQL answered for a configured Meilisearch, and why.",
        "schema": {"type": "string", "enum": ["meilisearch-unavailable"]},
    },
}


NDJSON_CONTENT = {
    MEDIA_TYPE: {
        "schema": {"type": "string"},
        "example": '{"id": "...", "name": "..."}\n{"id": "...", "name": "..."}\n',
    }
}


@router.get(
    "/services",
    response_model=Page[ServiceListItem] | Page[ServiceFull] | Page[ServiceMinimal],
    response_model_exclude_none=True,
    responses={
        200: {
            "description": "One page of services; with `format=ndjson` every match, one list "
            "item (or minimal item) per line.",
            "headers": SEARCH_HEADERS,
            "content": NDJSON_CONTENT,
        }
    },
)
async def search_services(
    session: SessionDep,
    backend: SearchBackendDep,
    params: ServiceSearchParamsDep,
    response: Response,
    viewer: ViewerDep,
    request: Request,
    engine: StreamEngineDep,
) -> Response | Page[ServiceFull] | Page[ServiceMinimal]:
    """Search services by word, place, category and distance (HSDS page envelope).

    `X-Search-Backend` names the backend that answered (`postgres` or `meilisearch`);
    `X-Search-Fallback` says why PostgreSQL answered for a configured Meilisearch.
    `format=ndjson` streams every match instead, from PostgreSQL; `minimal=true` gives items of
    just `id` and `modified_date`.
    """
    if params.minimal and params.full:
        raise MinimalOrFull()
    if params.format == "ndjson":
        refuse_paging(request.query_params.keys())
    query = await build_service_query(session, params)
    if params.format == "ndjson":
        return directory.service_stream(engine, query, minimal=params.minimal)
    if params.minimal:
        minimal = await directory.search_service_minimal(session, backend, query=query)
        _served_by(response, backend)
        return minimal
    if params.full:
        page = await directory.search_services_full(session, backend, query=query, viewer=viewer)
        _served_by(response, backend)
        return page
    # list items come pre-serialised from the search documents: no per-item validation
    body = await directory.search_service_list(session, backend, query=query)
    listed = Response(content=body, media_type="application/json")
    _served_by(listed, backend)
    return listed


@router.get("/services/{service_id}", response_model=ServiceFull, response_model_exclude_none=True)
async def read_service(session: SessionDep, service_id: str, viewer: ViewerDep) -> ServiceFull:
    """One service, fully nested: organization, locations, phones, schedules, categories."""
    return await directory.get_service(session, service_id=service_id, viewer=viewer)


NDJSON_LIST: dict[int | str, dict[str, Any]] = {
    200: {"description": "One page, or every item with `format=ndjson`.", "content": NDJSON_CONTENT}
}


@router.get(
    "/organizations",
    response_model=Page[OrganizationRead],
    response_model_exclude_none=True,
    responses=NDJSON_LIST,
)
async def list_organizations(
    session: SessionDep,
    search: SearchText = None,
    page: PageNumber = 1,
    per_page: PerPage = 20,
    full_service: bool = False,
    format: Format = "json",
    *,
    viewer: ViewerDep,
    request: Request,
    engine: StreamEngineDep,
) -> Page[OrganizationRead] | StreamingResponse:
    """Organizations, optionally matching a name (English or Bangla)."""
    if format == "ndjson":
        return _ndjson(
            request,
            engine,
            lambda s, number, size: directory.list_organizations(
                s, search=search, page=number, per_page=size, full=full_service, viewer=viewer
            ),
        )
    return await directory.list_organizations(
        session, search=search, page=page, per_page=per_page, full=full_service, viewer=viewer
    )


@router.get(
    "/organizations/{organization_id}",
    response_model=OrganizationRead,
    response_model_exclude_none=True,
)
async def read_organization(
    session: SessionDep, organization_id: str, viewer: ViewerDep
) -> OrganizationRead:
    """One organization with its phones, locations and services."""
    return await directory.get_organization(session, organization_id=organization_id, viewer=viewer)


POSTCODE_DESCRIPTION = (
    "HSDS parameter, not supported: there is no sourced Bangladesh post-code list, so any value "
    "is a 422 `postcode-not-supported`; use `near=<place>&radius_km=<km>` instead."
)


def refuse_postcode(*, postcode: str | None, proximity: str | None) -> None:
    """A 422 for either HSDS post-code parameter, whatever its value (never ignored)."""
    for name, value in (("postcode", postcode), ("proximity", proximity)):
        if value is not None:
            raise PostcodeNotSupported(field=name)


@router.get(
    "/service_at_locations",
    response_model=Page[ServiceAtLocationRead],
    response_model_exclude_none=True,
    responses=NDJSON_LIST,
)
async def search_service_at_locations(
    session: SessionDep,
    params: SearchParamsDep,
    viewer: ViewerDep,
    request: Request,
    engine: StreamEngineDep,
    postcode: Annotated[str | None, Query(description=POSTCODE_DESCRIPTION)] = None,
    proximity: Annotated[str | None, Query(description=POSTCODE_DESCRIPTION)] = None,
) -> Page[ServiceAtLocationRead] | StreamingResponse:
    """Services at their locations, with the same filters as `/services`.

    HSDS's `postcode` and `proximity` are declared so that they are refused with their own
    problem (`postcode-not-supported`) rather than as unknown parameters."""
    refuse_postcode(postcode=postcode, proximity=proximity)
    if params.format == "ndjson":
        refuse_paging(request.query_params.keys())
    query = await build_service_query(session, params)
    if params.format == "ndjson":
        return _ndjson(
            request,
            engine,
            lambda s, number, size: directory.list_service_at_locations(
                s, query=replace(query, page=number, per_page=size), viewer=viewer
            ),
        )
    return await directory.list_service_at_locations(session, query=query, viewer=viewer)


@router.get(
    "/service_at_locations/{sal_id}",
    response_model=ServiceAtLocationRead,
    response_model_exclude_none=True,
)
async def read_service_at_location(
    session: SessionDep, sal_id: str, viewer: ViewerDep
) -> ServiceAtLocationRead:
    """One service at one location."""
    return await directory.get_service_at_location(session, sal_id=sal_id, viewer=viewer)


@router.get(
    "/taxonomies",
    response_model=Page[TaxonomyRead],
    response_model_exclude_none=True,
    responses=NDJSON_LIST,
)
async def list_taxonomies(
    session: SessionDep,
    request: Request,
    engine: StreamEngineDep,
    page: PageNumber = 1,
    per_page: PerPage = 20,
    format: Format = "json",
) -> Page[TaxonomyRead] | StreamingResponse:
    """The taxonomies in use."""
    if format == "ndjson":
        return _ndjson(
            request,
            engine,
            lambda s, number, size: directory.list_taxonomies(s, page=number, per_page=size),
        )
    return await directory.list_taxonomies(session, page=page, per_page=per_page)


@router.get(
    "/taxonomies/{taxonomy_id}", response_model=TaxonomyRead, response_model_exclude_none=True
)
async def read_taxonomy(session: SessionDep, taxonomy_id: str) -> TaxonomyRead:
    """One taxonomy."""
    return await directory.get_taxonomy(session, taxonomy_id=taxonomy_id)


@router.get(
    "/taxonomy_terms",
    response_model=Page[TaxonomyTermRead],
    response_model_exclude_none=True,
    responses=NDJSON_LIST,
)
async def list_taxonomy_terms(
    session: SessionDep,
    taxonomy_id: uuid.UUID | None = None,
    parent_id: Annotated[
        uuid.UUID | None,
        Query(description="Only the terms under this term; an unknown id gives an empty list."),
    ] = None,
    top_only: Annotated[
        bool, Query(description="Only the top terms (those without a parent); not with parent_id.")
    ] = False,
    search: SearchText = None,
    page: PageNumber = 1,
    per_page: PerPage = 20,
    format: Format = "json",
    *,
    request: Request,
    engine: StreamEngineDep,
) -> Page[TaxonomyTermRead] | StreamingResponse:
    """Service categories (taxonomy terms) with English and Bangla names.

    An unknown `parent_id` filters like an unknown `taxonomy_id`: to an empty list (HSDS defines
    no error for it, and a term with no children gives the same answer)."""
    if top_only and parent_id is not None:
        raise TopOnlyOrParent()
    if format == "ndjson":
        return _ndjson(
            request,
            engine,
            lambda s, number, size: directory.list_taxonomy_terms(
                s,
                taxonomy_id=taxonomy_id,
                parent_id=parent_id,
                top_only=top_only,
                search=search,
                page=number,
                per_page=size,
            ),
        )
    return await directory.list_taxonomy_terms(
        session,
        taxonomy_id=taxonomy_id,
        parent_id=parent_id,
        top_only=top_only,
        search=search,
        page=page,
        per_page=per_page,
    )


@router.get(
    "/taxonomy_terms/{term_id}", response_model=TaxonomyTermRead, response_model_exclude_none=True
)
async def read_taxonomy_term(session: SessionDep, term_id: str) -> TaxonomyTermRead:
    """One taxonomy term."""
    return await directory.get_taxonomy_term(session, term_id=term_id)
