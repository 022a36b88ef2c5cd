"""Domain errors carrying their HTTP meaning, rendered as RFC 9457 problem+json in en or bn."""

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.core.i18n import preferred_language, title_for

logger = logging.getLogger("app.errors")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://referral-directory.example/problems/"


class AppError(Exception):
    """Base of expected errors; subclasses set `status` and `code`."""

    status = 400
    code = "bad-request"

    def __init__(self, detail: str, detail_bn: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.detail_bn = detail_bn
        self.extra = extra


class NotFound(AppError):
    status = 404
    code = "not-found"


class Conflict(AppError):
    """The request is valid but clashes with the records' current state."""

    status = 409
    code = "conflict"


class InvalidParameter(AppError):
    """A query parameter has a value the API cannot use; names the parameter."""

    status = 422
    code = "invalid-parameter"

    def __init__(self, parameter: str, detail: str, detail_bn: str | None = None) -> None:
        super().__init__(
            f"{parameter}: {detail}",
            f"{parameter}: {detail_bn}" if detail_bn else None,
            errors=[{"location": "query", "parameter": parameter, "detail": detail}],
        )


class InvalidField(AppError):
    """A body field has a value the API cannot use (it names a missing record, breaks a rule)."""

    status = 422
    code = "invalid-field"

    def __init__(self, field: str, detail: str, detail_bn: str) -> None:
        super().__init__(
            f"{field}: {detail}",
            f"{field}: {detail_bn}",
            errors=[{"location": "body", "parameter": field, "detail": detail}],
        )


def problem(request: Request, status: int, *, code: str, detail: str, **extra: Any) -> JSONResponse:
    """A problem+json response; `instance` is the request path."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": title_for(status, preferred_language(request)),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        where = loc[0] if loc else "request"
        name = ".".join(loc[1:]) or where
        out.append({"location": where, "parameter": name, "detail": err.get("msg", "invalid")})
    return out


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves the API as problem+json."""

    @app.exception_handler(AppError)
    async def on_app_error(request: Request, exc: AppError) -> JSONResponse:
        lang = preferred_language(request)
        detail = exc.detail_bn if lang == "bn" and exc.detail_bn else exc.detail
        response = problem(request, exc.status, code=exc.code, detail=detail, **exc.extra)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        names = ", ".join(dict.fromkeys(e["parameter"] for e in errors))
        lang = preferred_language(request)
        detail = f"অবৈধ মান: {names}" if lang == "bn" else f"Invalid value for: {names}"
        return problem(request, 422, code="invalid-parameter", detail=detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        lang = preferred_language(request)
        detail = str(exc.detail) if exc.detail else title_for(exc.status_code, lang)
        response = problem(request, exc.status_code, code=f"http-{exc.status_code}", detail=detail)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(
            request, 500, code="internal", detail=title_for(500, preferred_language(request))
        )
