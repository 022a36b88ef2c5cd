"""Open-data exports of the public directory (CSV, GeoJSON, HSDS data package, licences).

The files are built whole inside the request's transaction (a streamed body would outlive
it), a batch of services at a time; filters are the lists' `district`, `upazila`, `category`.
"""

import csv
import io
import json

from fastapi import APIRouter, Response

from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.middleware import CrossOrigin
from app.exports.geojson import collection_members, features
from app.exports.hsds_package import build_package
from app.exports.licences import LICENCES_PATH, licences_markdown
from app.exports.rows import HEADER, row
from app.exports.selection import ExportQuery, exported_services

router = APIRouter(prefix="/export", tags=["exports"])
# what other origins may call (SplitCORS): every export is a public read
cross_origin = CrossOrigin()

BOM = "\ufeff"
# the bodies as OpenAPI describes them (generated clients get text, a JSON object, bytes); the
# zip is also declared as octet-stream, the binary type client generators know
TEXT = {"schema": {"type": "string"}}
BINARY = {"schema": {"type": "string", "format": "binary"}}


def _licences_url() -> str:
    return f"{get_settings().base_url}{LICENCES_PATH}"


def _download(body: bytes | str, media_type: str, filename: str) -> Response:
    """A file download with its licence linked (RFC 8288)."""
    return Response(
        content=body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Link": f'<{_licences_url()}>; rel="license"',
        },
    )


@router.get(
    "/services.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": TEXT}, "description": "One row per service."}},
)
async def export_services_csv(session: SessionDep, query: ExportQuery) -> Response:
    """Every public service, one row each, names in English and Bangla (UTF-8 with a BOM so
    that spreadsheets read the Bangla)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    async for batch in exported_services(session, query):
        writer.writerows(row(item) for item in batch)
    return _download(out.getvalue(), "text/csv; charset=utf-8", "services.csv")


@router.get(
    "/services.geojson",
    response_class=Response,
    responses={
        200: {
            "content": {"application/geo+json": {"schema": {"type": "object"}}},
            "description": "An RFC 7946 FeatureCollection, one feature per service at a place.",
        }
    },
)
async def export_services_geojson(session: SessionDep, query: ExportQuery) -> Response:
    """Every public service at each public place with a point (WGS84), names in English and
    Bangla; the licence and attributions are the collection's `licence` member."""
    members = json.dumps(collection_members(_licences_url()), ensure_ascii=False)
    parts = [members[:-1], ', "features": [']
    first = True
    async for batch in exported_services(session, query):
        for item in batch:
            for feature in features(item):
                parts.append(("" if first else ",") + json.dumps(feature, ensure_ascii=False))
                first = False
    parts.append("]}")
    return _download("".join(parts), "application/geo+json", "services.geojson")


@router.get(
    "/hsds-datapackage.zip",
    response_class=Response,
    responses={
        200: {
            "content": {"application/zip": BINARY, "application/octet-stream": BINARY},
            "description": "An HSDS 3.0 tabular data package (CSV files, datapackage.json, "
            "LICENSES.md).",
        }
    },
)
async def export_hsds_datapackage(session: SessionDep, query: ExportQuery) -> Response:
    """The public directory as an HSDS 3.0 tabular data package: one CSV per HSDS table, the
    official descriptor with this directory's extension columns after the HSDS fields."""
    body = await build_package(session, query)
    return _download(body, "application/zip", "hsds-datapackage.zip")


@router.get(
    "/licences",
    response_class=Response,
    responses={200: {"content": {"text/markdown": TEXT}, "description": "LICENSES.md."}},
)
async def export_licences() -> Response:
    """The licences and attributions of every source of the exports, English and Bangla."""
    return _download(licences_markdown(), "text/markdown; charset=utf-8", "LICENSES.md")
