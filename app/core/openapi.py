"""Every operation's problem responses in the OpenAPI: one RFC 9457 `Problem` schema, served
as application/problem+json.

Most of an operation's problem statuses follow from its parts and are added here (see
`derived_statuses`): 422, 500 and 503 for every operation (a NUL byte in the path or query is
refused before routing and parameters are validated; an unexpected failure; the database out
of reach), 413 and 415 for one with a body (too large; not in the media type it reads), 409
for a write (a commit that breaks a constraint), 404 for one with a path parameter, 412 and 428
for one taking `If-Match`, and what its dependencies declare with `raises` (the bearer-token
dependency: 401; the signed-in actor: 403). The rest are declared next to the route,
`responses=problems(404, 429)` on the decorator or the router.
FastAPI's own 422 (`HTTPValidationError`, application/json) is replaced: the API never sends
it."""

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Literal, TypeVar

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, Field

from app.core.errors import PROBLEM_JSON
from app.core.i18n import title_for

PROBLEM_REF = "#/components/schemas/Problem"
# every request: a NUL byte refused or a parameter invalid; an unexpected failure; the database
# unreachable (RequestTransactions answers 503 when it cannot commit or record the request)
ALWAYS = (422, 500, 503)
WITH_BODY = (413, 415)  # LimitBody, core.media_types
WRITES = {"POST", "PUT", "PATCH", "DELETE"}  # a commit that breaks a constraint is a 409
WITH_PATH = (404,)  # the record a path names may not exist
WITH_IF_MATCH = (412, 428)  # a stale or a missing If-Match

F = TypeVar("F", bound=Callable[..., Any])
_RAISED_BY: dict[Callable[..., Any], frozenset[int]] = {}


class ProblemError(BaseModel):
    """One bad input: where it is, its name, and what is wrong with it."""

    location: Literal["query", "path", "header", "body"]
    parameter: str = Field(
        description="a parameter's or header's name, or a body field's dotted path"
    )
    detail: str = Field(description="what is wrong, in the language of Accept-Language")


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    type: str = Field(description="a URI naming the kind of problem")
    title: str = Field(description="the HTTP status in words")
    status: int
    detail: str = Field(description="what went wrong, in English or Bangla (Accept-Language)")
    instance: str = Field(description="the request's path")
    errors: list[ProblemError] | None = Field(
        default=None, description="the bad inputs, for a 422 (and other errors about one input)"
    )


def problem_response(status: int) -> dict[str, Any]:
    """The OpenAPI response object of a problem with this status."""
    return {
        "description": title_for(status, "en"),
        "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
    }


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` of a route or router: the problem statuses it can answer with."""
    return {status: problem_response(status) for status in statuses}


def raises(*statuses: int) -> Callable[[F], F]:
    """Declare the problem statuses a dependency can raise; every operation using it lists them."""

    def mark(call: F) -> F:
        _RAISED_BY[call] = _RAISED_BY.get(call, frozenset()) | frozenset(statuses)
        return call

    return mark


def operation_id(route: APIRoute) -> str:
    """An operation's id is its route function's name (`search_services`), without FastAPI's
    path and method suffix, so that generated clients read well and keep their names when a
    path changes."""
    return route.name


def sub_dependants(dependant: Dependant) -> Iterator[Dependant]:
    """Every dependency of an operation or dependency, and theirs, depth first."""
    for sub in dependant.dependencies:
        yield sub
        yield from sub_dependants(sub)


def derived_statuses(route: Any, method: str) -> set[int]:
    """The problem statuses that follow from the operation's method, parameters, body and
    dependencies."""
    statuses = set(ALWAYS)
    if route.body_field is not None:
        statuses.update(WITH_BODY)
    if method in WRITES:
        statuses.add(409)
    dependants = [route.dependant, *sub_dependants(route.dependant)]
    if any(d.path_params for d in dependants):
        statuses.update(WITH_PATH)
    if any(p.alias.lower() == "if-match" for d in dependants for p in d.header_params):
        statuses.update(WITH_IF_MATCH)
    for sub in dependants:
        if sub.call is not None:
            statuses.update(_RAISED_BY.get(sub.call, ()))
    return statuses


def _routes(app: FastAPI) -> Iterable[Any]:
    """The app's operations as routed (an included router's prefix and dependencies applied)."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute) and context.include_in_schema:
            yield context


def _problem_content(status: int, response: dict[str, Any]) -> dict[str, Any]:
    """A problem response's content: application/problem+json only, of the route's own problem
    schema (`responses={503: {"model": NotReady, ...}}`) or else `Problem`; FastAPI's own 422
    (`HTTPValidationError` as application/json) is never sent."""
    content = response.get("content", {})
    own = content.get(PROBLEM_JSON, {}).get("schema")
    if own is None and PROBLEM_JSON in content:
        own = content.get("application/json", {}).get("schema")
    if own is None:
        fallback: dict[str, Any] = problem_response(status)["content"]
        return fallback
    return {PROBLEM_JSON: {"schema": own}}


def install_openapi(app: FastAPI) -> None:
    """Generate the app's OpenAPI with every operation's problem responses."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(problem_schema.pop("$defs", {}))
        components["Problem"] = problem_schema
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        for route in _routes(app):
            path = schema["paths"][route.path_format]
            for method in route.methods:
                operation = path.get(method.lower())
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                for status in sorted(derived_statuses(route, method)):
                    responses.setdefault(str(status), problem_response(status))
                for status, response in responses.items():
                    if status[0] in "45":
                        response["content"] = _problem_content(int(status), response)
                    if response.get("description") == "Validation Error":  # FastAPI's 422
                        response["description"] = title_for(int(status), "en")
                operation["responses"] = dict(sorted(responses.items()))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
