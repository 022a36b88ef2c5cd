"""The portal: the directory search as pages for phones and for a portal's iframe, in Bangla and
English, working without JavaScript; one small script enhances them, a service worker keeps them
for offline use."""

import hashlib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.types import Scope

from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import InvalidParameter
from app.directory.routes import SearchBackendDep
from app.gazetteer.service import find_places
from app.portal import views
from app.portal.i18n import Lang, Words, portal_language

HERE = Path(__file__).parent
STATIC = HERE / "static"
templates = Jinja2Templates(
    # the templates ship with the code: no checking them for changes on every page
    env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True, auto_reload=False)
)
router = APIRouter(include_in_schema=False)

# No inline script or style anywhere; map tiles are the only third-party requests, and only
# after "show map".
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: https://tile.openstreetmap.org; connect-src 'self'; "
    "worker-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors {ancestors}"
)


class CachedStatic(StaticFiles):
    """The portal's static files; a versioned URL (`?v=`) is cached for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if b"v=" in scope.get("query_string", b""):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["Cache-Control"] = "public, max-age=300"
        return response


@cache
def static_version(name: str) -> str:
    """A short hash of a static file's content, to version its URL."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    return f"/static/portal/{name}?v={static_version(name)}"


@dataclass(frozen=True)
class Page:
    """What every page knows: its language, words, base path and whether it is embedded."""

    lang: Lang
    words: Words
    embedded: bool
    save_data: bool

    @property
    def base(self) -> str:
        return "/embed" if self.embedded else "/find"


def page_context(request: Request, *, embedded: bool = False) -> Page:
    lang = portal_language(request)
    save_data = request.headers.get("save-data", "").lower() == "on"
    return Page(lang=lang, words=Words(lang), embedded=embedded, save_data=save_data)


def _headers(page: Page) -> dict[str, str]:
    ancestors = get_settings().portal_frame_ancestors if page.embedded else "'none'"
    framing = {} if page.embedded else {"X-Frame-Options": "DENY"}
    return {
        **framing,
        "Content-Security-Policy": CSP.format(ancestors=ancestors),
        # the pages ask for the device's position ("near me"), nothing else
        "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
        # OpenStreetMap's tile policy asks browsers to say which site shows its tiles
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Vary": "Accept-Language, Save-Data",
        "Content-Language": page.lang,
    }


def render(
    request: Request, page: Page, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page in its language, with the portal's headers."""
    response: HTMLResponse = templates.TemplateResponse(
        request,
        template,
        {
            "page": page,
            "t": page.words,
            "static_url": static_url,
            "data_as_of": page.words.moment(views.data_as_of()),
            **context,
        },
        status_code=status,
    )
    response.headers.update(_headers(page))
    return response


async def _pcode(session: SessionDep, value: str | None, level: str) -> str | None:
    """A unit's pcode from its pcode or any of its names (None when it names none)."""
    if not value:
        return None
    found = await find_places(session, value=value, level=level)
    return found[0].pcode if len(found) == 1 else None


async def _district_pcode(session: SessionDep, value: str | None) -> str | None:
    return await _pcode(session, value, "district")


async def _form(session: SessionDep, filters: views.Filters, page: Page) -> dict[str, Any]:
    """The choices of the search form and the chrome around it."""
    gazetteer = await views.gazetteer(session)
    district = await _district_pcode(session, filters.district)
    division = await _pcode(session, filters.division, "division")
    return {
        "filters": filters,
        "district_pcode": district,
        "categories": await views.categories(session),
        "divisions": gazetteer.divisions(),
        "division_pcode": division,
        "district_groups": gazetteer.district_groups(page.words, division),
        "upazilas": gazetteer.upazilas(district) if district else [],
        "radii": views.RADII_KM,
        "helplines": await views.helplines(session),
        "other_lang": "en" if page.lang == "bn" else "bn",
        # the district whose whole directory the service worker keeps for offline use
        "offline_district": district
        or await _district_pcode(session, get_settings().portal_district),
    }


async def _search_page(
    request: Request, session: SessionDep, backend: SearchBackendDep, page: Page
) -> HTMLResponse:
    filters = views.Filters.from_query(request.query_params)
    context = await _form(session, filters, page)
    try:
        query = await views.service_query(session, filters)
    except InvalidParameter as exc:
        problem = exc.detail_bn if page.lang == "bn" and exc.detail_bn else exc.detail
        return render(
            request, page, "find.html", status=422, error=problem, results=None, **context
        )
    results = await views.find(session, backend, query, page.words)
    suggestions = []
    if not results.total:
        suggestions = await views.suggestions(session, backend, filters, page.words)
    template = "results.html" if request.query_params.get("fragment") == "results" else "find.html"
    return render(
        request, page, template, results=results, suggestions=suggestions, error=None, **context
    )


@router.get("/find", response_class=HTMLResponse)
async def find_services_page(
    request: Request, session: SessionDep, backend: SearchBackendDep
) -> HTMLResponse:
    """The directory search for people: a form, results, paging; Bangla first."""
    return await _search_page(request, session, backend, page_context(request))


@router.get("/embed", response_class=HTMLResponse)
async def embed_services_page(
    request: Request, session: SessionDep, backend: SearchBackendDep
) -> HTMLResponse:
    """The same search without the page's chrome, for a portal's iframe."""
    return await _search_page(request, session, backend, page_context(request, embedded=True))


@router.get("/find/services/{service_id}", response_class=HTMLResponse)
async def read_service_page(request: Request, session: SessionDep, service_id: str) -> HTMLResponse:
    """One service with everything a person needs to reach it."""
    page = page_context(request)
    filters = views.Filters.from_query(request.query_params)
    context = await _form(session, filters, page)
    service = await views.one_service(session, service_id, page.words)
    if service is None:
        return render(request, page, "service.html", status=404, service=None, **context)
    return render(request, page, "service.html", service=service, **context)


@router.get("/find/directory", response_class=HTMLResponse)
async def offline_directory_page(
    request: Request, session: SessionDep, backend: SearchBackendDep
) -> HTMLResponse:
    """A district's whole directory on one page: what the service worker keeps for offline use."""
    page = page_context(request)
    filters = views.Filters(district=(request.query_params.get("district") or "")[:100])
    context = await _form(session, filters, page)
    try:
        query = replace(await views.service_query(session, filters), per_page=100)
    except InvalidParameter as exc:
        return render(
            request, page, "find.html", status=422, error=exc.detail, results=None, **context
        )
    results = await views.find(session, backend, query, page.words)
    return render(
        request,
        page,
        "find.html",
        results=results,
        suggestions=[],
        error=None,
        directory=True,
        **context,
    )


@router.get("/find/places.json")
async def read_places(session: SessionDep, request: Request) -> JSONResponse:
    """Divisions, districts and upazilas with their names in one language, for the place picker."""
    words = Words(portal_language(request))
    gazetteer = await views.gazetteer(session)

    def entry(area: views.Area, parent: str | None) -> list[str | None]:
        return [area.pcode, words.pick(area.name_en, area.name_bn), parent]

    body = {
        "divisions": [entry(a, None) for a in gazetteer.divisions()],
        "districts": [entry(a, a.division) for a in gazetteer.districts()],
        "upazilas": [
            entry(a, a.district)
            for a in sorted(
                (a for a in gazetteer.areas.values() if a.level == "upazila"),
                key=lambda a: a.name_en,
            )
        ],
    }
    return JSONResponse(
        body, headers={"Cache-Control": "public, max-age=3600", "Vary": "Accept-Language"}
    )


def _script(name: str, *, extra: dict[str, str] | None = None) -> Response:
    return Response(
        (STATIC / name).read_bytes(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", **(extra or {})},
    )


@router.get("/embed.js")
async def read_embed_loader() -> Response:
    """The loader a portal pastes: it turns its own script tag into the directory's iframe."""
    return _script("embed.js")


@router.get("/find/sw.js")
async def read_service_worker() -> Response:
    """The service worker that keeps the pages and the district's directory for offline use."""
    # a worker lives under its script's own policy: the portal's, so that it may fetch pages
    return _script(
        "sw.js",
        extra={
            "Service-Worker-Allowed": "/find",
            "Cache-Control": "no-cache",
            "Content-Security-Policy": CSP.format(ancestors="'none'"),
        },
    )


def install_portal(app: Any) -> None:
    """The portal's routes and its static files."""
    app.include_router(router)
    app.mount("/static/portal", CachedStatic(directory=STATIC), name="portal-static")
