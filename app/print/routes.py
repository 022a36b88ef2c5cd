"""The printed directory and the hotline card as PDFs: public reads, like the portal's pages.
The database is read first; WeasyPrint, synchronous and CPU-bound, then runs in a worker thread
so that the event loop keeps serving."""

import re

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from app.core.db import SessionDep
from app.core.middleware import CrossOrigin
from app.directory.routes import SearchBackendDep
from app.portal import views
from app.portal.i18n import Lang, portal_language
from app.print import documents, render

router = APIRouter(tags=["print"])
# what other origins may call (SplitCORS): both documents are public
cross_origin = CrossOrigin()

# also declared as octet-stream, the binary type client generators know (as the exports do)
_BINARY = {"schema": {"type": "string", "format": "binary"}}
PDF = {
    "content": {"application/pdf": _BINARY, "application/octet-stream": _BINARY},
    "description": "A PDF",
}


def _pdf(body: bytes, document: str, district: str, lang: Lang) -> Response:
    # a header is Latin-1: a Bangla district name stays out of the file name
    name = "-".join(p for p in (document, re.sub(r"[^A-Za-z0-9]+", "", district), lang) if p)
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{name}.pdf"',
            "Content-Language": lang,
            "Cache-Control": "public, max-age=300",
            "Vary": "Accept-Language",
        },
    )


def _filters(district: str, upazila: str = "", category: str = "") -> views.Filters:
    return views.Filters(
        district=district.strip()[:100], upazila=upazila.strip()[:100], category=category.strip()
    )


@router.get("/print/directory.pdf", response_class=Response, responses={200: PDF})
async def print_directory(
    request: Request,
    session: SessionDep,
    backend: SearchBackendDep,
    district: str = Query("", max_length=100, description="District: pcode or name."),
    upazila: str = Query("", max_length=100, description="Upazila: pcode or name."),
    category: str = Query("", max_length=200, description="Category code(s), comma-separated."),
    lang: Lang | None = Query(None, description="bn (default) or en."),
) -> Response:
    """A district's directory on A4: helplines and a QR code to the search online on the cover,
    the services by category, page numbers, and the data's sources and licences last."""
    language = lang or portal_language(request)
    filters = _filters(district, upazila, category)
    directory = await documents.directory(session, backend, filters, language)
    document = render.html(
        "directory.html", language, d=directory, qr=render.qr_svg(directory.online_url)
    )
    body = await run_in_threadpool(render.pdf, document, "directory.css", language)
    return _pdf(body, "directory", filters.district, language)


@router.get("/print/hotline-card.pdf", response_class=Response, responses={200: PDF})
async def print_hotline_card(
    request: Request,
    session: SessionDep,
    backend: SearchBackendDep,
    district: str = Query("", max_length=100, description="District: pcode or name."),
    lang: Lang | None = Query(None, description="bn (default) or en."),
) -> Response:
    """A wallet card (85.6 × 54 mm, two sides): the national helplines on the front, the
    district's providers by need and a QR code to its search on the back."""
    language = lang or portal_language(request)
    filters = _filters(district)
    card = await documents.card(session, backend, filters, language)
    document = render.html("hotline-card.html", language, c=card, qr=render.qr_svg(card.online_url))
    body = await run_in_threadpool(render.pdf, document, "hotline-card.css")
    return _pdf(body, "hotline-card", filters.district, language)
