"""Expected errors carrying their HTTP meaning and their text, rendered as RFC 9457
problem+json in English or Bangla.

How a domain declares an error: subclass the generic error of its meaning and give the class a
`code` (the last part of the problem `type`) and its `en` and `bn` message templates, whose
`str.format` placeholders are filled from the keyword arguments of the raise::

    class ServiceNotFound(NotFound):
        code = "service-not-found"
        en = "No service with id {service_id}."
        bn = "{service_id} আইডির কোনো সেবা নেই।"

    raise ServiceNotFound(service_id=service_id)

An error about one input (`InvalidField` and its kinds) names its place: `location` is `query`,
`path`, `header` or `body`, and `field` is the parameter's name or the body field's dotted path
(`hours.0.opens_at`); its templates say what is wrong with that input ("is not a known district")
and the problem's `detail` reads "field: message"::

    class UnknownDistrict(InvalidField):
        en = "{value!r} is not a known district"
        bn = "{value!r} কোনো পরিচিত জেলা নয়"

    raise UnknownDistrict(field="district", location="query", value=value)

The class may fix `field` and `location` too. The constructors of before the templates
(`NotFound(detail, detail_bn)`, `InvalidParameter(name, detail, detail_bn)`,
`InvalidField(field, detail, detail_bn)`) still work while raise sites are converted.
"""

import logging
import string
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from app.core.i18n import preferred_language, title_for

logger = logging.getLogger("app.errors")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://referral-directory.example/problems/"

Location = Literal["query", "path", "header", "body"]


@dataclass(frozen=True)
class FieldError:
    """One entry of a problem's `errors[]`: which input, where, and what is wrong with it."""

    location: Location
    parameter: str
    detail: str
    detail_bn: str | None = None

    def render(self, lang: str) -> dict[str, str]:
        detail = self.detail_bn if lang == "bn" and self.detail_bn else self.detail
        return {"location": self.location, "parameter": self.parameter, "detail": detail}


def placeholders(template: str) -> set[str]:
    """The names a message template takes from the raise's keyword arguments."""
    names = (name for _, name, _, _ in string.Formatter().parse(template) if name)
    return {name.split(".")[0].split("[")[0] for name in names}


class AppError(Exception):
    """Base of expected errors; subclasses set `status`, `code` and their `en`/`bn` templates."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad-request"
    en: ClassVar[str] = "The request cannot be used."
    bn: ClassVar[str] = "অনুরোধটি ব্যবহার করা যায় না।"

    def __init__(
        self,
        detail: str | None = None,
        detail_bn: str | None = None,
        /,
        *,
        errors: list[FieldError] | list[dict[str, str]] | None = None,
        **params: Any,
    ) -> None:
        if detail is None:
            detail, detail_bn = self.en.format(**params), self.bn.format(**params)
        super().__init__(detail)
        self.detail = detail
        self.detail_bn = detail_bn
        self.params = params
        self.errors = [
            e if isinstance(e, FieldError) else FieldError(**e)  # type: ignore[arg-type]
            for e in errors or []
        ]

    def headers(self) -> dict[str, str]:
        """Response headers the error adds."""
        return {}

    def body(self, lang: str) -> dict[str, Any]:
        """The problem members this error adds to `type`, `title`, `status` and `instance`."""
        detail = self.detail_bn if lang == "bn" and self.detail_bn else self.detail
        out: dict[str, Any] = {"detail": detail}
        if self.errors:
            out["errors"] = [e.render(lang) for e in self.errors]
        return out


class BadRequest(AppError):
    """The request cannot be understood as sent."""


class Unauthorized(AppError):
    """The caller is not signed in, or the credentials or token are not valid (adds
    `WWW-Authenticate: Bearer`)."""

    status = 401
    code = "not-authenticated"
    en = "Sign in first: send a valid bearer token."
    bn = "আগে সাইন ইন করুন: বৈধ বেয়ারার টোকেন পাঠান।"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(AppError):
    """The caller is known but may not do this."""

    status = 403
    code = "forbidden"
    en = "You may not do this."
    bn = "আপনার এটি করার অনুমতি নেই।"


class NotFound(AppError):
    """The record the request names does not exist (or is not the caller's to see)."""

    status = 404
    code = "not-found"
    en = "Not found."
    bn = "পাওয়া যায়নি।"


class Conflict(AppError):
    """The request is valid but clashes with the records' current state."""

    status = 409
    code = "conflict"
    en = "The request clashes with the current state of the records."
    bn = "অনুরোধটি তথ্যের বর্তমান অবস্থার সঙ্গে মেলে না।"


class PreconditionFailed(AppError):
    """`If-Match` names a version that is not the current one."""

    status = 412
    code = "precondition-failed"
    en = "The record changed since you read it; read it again."
    bn = "আপনি পড়ার পর তথ্যটি বদলেছে; আবার পড়ুন।"


class PreconditionRequired(AppError):
    """The change needs `If-Match` with the version the caller read."""

    status = 428
    code = "precondition-required"
    en = "Send If-Match with the ETag you read."
    bn = "যে ETag পড়েছেন তা If-Match-এ পাঠান।"


class TooManyRequests(AppError):
    """The caller sent too many requests of this kind; they may try again later."""

    status = 429
    code = "too-many-requests"
    en = "Too many requests; try again later."
    bn = "অনেক বেশি অনুরোধ; পরে আবার চেষ্টা করুন।"

    def __init__(self, *args: Any, retry_after: int | None = None, **params: Any) -> None:
        super().__init__(*args, **params)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        """`Retry-After`, in seconds, when the limit knows when it frees."""
        return {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}


class InvalidField(AppError):
    """One input has a value the API cannot use (it names a missing record, breaks a rule).

    `location` says where the input is (`body` unless the class or the raise says otherwise)
    and `field` names it; the templates say what is wrong with it."""

    status = 422
    code = "invalid-field"
    location: ClassVar[Location] = "body"
    field: ClassVar[str | None] = None
    en = "is not a value the API can use"
    bn = "এই মানটি ব্যবহার করা যায় না"

    def __init__(
        self,
        field: str | None = None,
        detail: str | None = None,
        detail_bn: str | None = None,
        *,
        location: Location | None = None,
        **params: Any,
    ) -> None:
        name = field or type(self).field or location or type(self).location
        where: Location = location or type(self).location
        if detail is None:
            detail, detail_bn = self.en.format(**params), self.bn.format(**params)
        entry = FieldError(where, name, detail, detail_bn)
        super().__init__(
            f"{name}: {detail}",
            f"{name}: {detail_bn}" if detail_bn else None,
            errors=[entry],
            **params,
        )
        self.instance_field = name
        self.instance_location = where


class InvalidParameter(InvalidField):
    """A query parameter has a value the API cannot use; names the parameter."""

    code = "invalid-parameter"
    location = "query"


class InvalidPathParameter(InvalidField):
    """A path segment names something that does not exist or cannot be used."""

    code = "invalid-parameter"
    location = "path"


class InvalidHeader(InvalidField):
    """A request header has a value the API cannot use."""

    code = "invalid-header"
    location = "header"


class Rule(ValueError):
    """A rule a body validator enforces, broken, in English and Bangla; `field` names the field
    a whole-model rule is about (else the validation error names the model's place)::

        raise Rule("give latitude and longitude together", "অক্ষাংশ ও দ্রাঘিমা একসাথে দিন",
                   field="longitude")
    """

    def __init__(self, en: str, bn: str, *, field: str | None = None) -> None:
        super().__init__(en)
        self.en, self.bn, self.field = en, bn, field


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


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves the API as problem+json."""
    from app.core.validation import validation_problem

    @app.exception_handler(AppError)
    async def on_app_error(request: Request, exc: AppError) -> JSONResponse:
        fields = exc.body(preferred_language(request))
        response = problem(request, exc.status, code=exc.code, **fields)
        response.headers.update(exc.headers())
        return response

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        lang = preferred_language(request)
        detail, errors = validation_problem(exc, lang)
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
