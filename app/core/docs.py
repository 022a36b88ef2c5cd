"""The interactive API documentation, Swagger UI at /docs and ReDoc at /redoc, from the assets
that ship with the app (docs_static/vendor, see scripts/vendor-docs.sh): the pages load nothing
from another host and run no inline script, so they work offline and under a strict
Content-Security-Policy (DOCS_CSP)."""

import hashlib
from functools import cache
from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "docs_static"
STATIC_PATH = "/static/docs"

DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; worker-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)
# ReDoc lays itself out with styled-components, which writes <style> elements and reads the nonce
# only from inside its own bundle, and runs its search in a worker made from a blob: its page
# allows inline styles and blob workers, never inline scripts or another host.
REDOC_CSP = DOCS_CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'").replace(
    "worker-src 'self'", "worker-src 'self' blob:"
)
# a page with a policy of its own says who may frame it (core.middleware.SecurityHeaders)
SWAGGER_UI_HEADERS = {"Content-Security-Policy": DOCS_CSP, "X-Frame-Options": "DENY"}
REDOC_HEADERS = {"Content-Security-Policy": REDOC_CSP, "X-Frame-Options": "DENY"}

# FastAPI's own pages hold an inline script (Swagger UI) or style (ReDoc) and name CDN hosts;
# these hold neither: docs.js starts Swagger UI, ReDoc starts itself from <redoc spec-url>.
SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Swagger UI</title>
<link rel="icon" type="image/png" href="{favicon}">
<link rel="stylesheet" href="{css}">
</head>
<body>
{noscript}
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{bundle}"></script>
<script src="{init}"></script>
</body>
</html>
"""
REDOC_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – ReDoc</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{css}">
</head>
<body>
{noscript}
<redoc spec-url="{openapi_url}"></redoc>
<script src="{bundle}"></script>
</body>
</html>
"""
NOSCRIPT = """<noscript>
<p>This documentation needs JavaScript. The API's description is at
<a href="{openapi_url}">{openapi_url}</a>.</p>
<p lang="bn">এই ডকুমেন্টেশনের জন্য জাভাস্ক্রিপ্ট লাগে। API-এর বিবরণ আছে
<a href="{openapi_url}">{openapi_url}</a>-এ।</p>
</noscript>"""


@cache
def asset_url(name: str) -> str:
    """A docs asset's URL, versioned by a short hash of its content."""
    version = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]
    return f"{STATIC_PATH}/{name}?v={version}"


def swagger_ui_page(*, title: str, openapi_url: str) -> str:
    """The HTML of /docs."""
    url = escape(openapi_url)
    return SWAGGER_PAGE.format(
        title=escape(title),
        favicon=asset_url("vendor/swagger-ui/favicon-32x32.png"),
        css=asset_url("vendor/swagger-ui/swagger-ui.css"),
        noscript=NOSCRIPT.format(openapi_url=url),
        openapi_url=url,
        bundle=asset_url("vendor/swagger-ui/swagger-ui-bundle.js"),
        init=asset_url("docs.js"),
    )


def redoc_page(*, title: str, openapi_url: str) -> str:
    """The HTML of /redoc."""
    url = escape(openapi_url)
    return REDOC_PAGE.format(
        title=escape(title),
        css=asset_url("docs.css"),
        noscript=NOSCRIPT.format(openapi_url=url),
        openapi_url=url,
        bundle=asset_url("vendor/redoc/redoc.standalone.js"),
    )


def install_docs(app: FastAPI) -> None:
    """/docs and /redoc and their assets; the app is made with docs_url=None, redoc_url=None."""
    assert app.openapi_url, "the docs pages need the app's OpenAPI"
    swagger_ui = swagger_ui_page(title=app.title, openapi_url=app.openapi_url)
    redoc = redoc_page(title=app.title, openapi_url=app.openapi_url)

    @app.get("/docs", include_in_schema=False)
    async def read_swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger_ui, headers=SWAGGER_UI_HEADERS)

    @app.get("/redoc", include_in_schema=False)
    async def read_redoc() -> HTMLResponse:
        return HTMLResponse(redoc, headers=REDOC_HEADERS)

    app.mount(STATIC_PATH, StaticFiles(directory=STATIC), name="docs-static")
