"""Unknown and repeated query parameters are 422s, not silently ignored or last-wins: a global
dependency over every operation of the OpenAPI (the portal's pages are not strict)."""

import difflib
from typing import Any, get_origin

from fastapi import Request
from fastapi.routing import APIRoute
from pydantic import BaseModel

from app.core.errors import InvalidParameter
from app.core.openapi import sub_dependants


class UnknownParameter(InvalidParameter):
    code = "unknown-parameter"
    en = "is not a parameter of this operation{hint}"
    bn = "এই অনুরোধের কোনো প্যারামিটার নয়{hint_bn}"


class RepeatedParameter(InvalidParameter):
    code = "repeated-parameter"
    en = "is given {times} times; give it once (several values: separated by commas)"
    bn = "{times} বার দেওয়া হয়েছে; একবার দিন (একাধিক মান কমা দিয়ে আলাদা করুন)"


def query_parameters(route: APIRoute) -> dict[str, bool]:
    """The query parameters an operation reads, each with whether it takes a list; worked out
    once per operation and kept on the route (routes are not hashable)."""
    known: dict[str, bool] | None = getattr(route, "_query_parameters", None)
    if known is None:
        known = _read_parameters(route)
        route._query_parameters = known  # type: ignore[attr-defined]
    return known


def _read_parameters(route: APIRoute) -> dict[str, bool]:
    found: dict[str, bool] = {}
    for dependant in [route.dependant, *sub_dependants(route.dependant)]:
        for field in dependant.query_params:
            annotation: Any = field.field_info.annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                for name, info in annotation.model_fields.items():
                    found[info.alias or name] = get_origin(info.annotation) is list
            else:
                found[field.alias] = get_origin(annotation) is list
    return found


def _hints(name: str, known: dict[str, bool]) -> tuple[str, str]:
    """What to say after "is not a parameter", in English and Bangla: the closest known one,
    or all of them."""
    if not known:
        return "; it takes no query parameters", "; এতে কোনো প্যারামিটার নেই"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    close = close or [k for k in known if k.lower() == name.lower()]
    if close:
        return f"; did you mean {close[0]}?", f"; আপনি কি {close[0]} বোঝাতে চেয়েছেন?"
    listed = ", ".join(known)
    return f"; it takes: {listed}", f"; প্যারামিটারগুলো: {listed}"


async def reject_unknown_parameters(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not route.include_in_schema:
        return
    known = query_parameters(route)
    for name in dict.fromkeys(request.query_params.keys()):
        if name not in known:
            hint, hint_bn = _hints(name, known)
            raise UnknownParameter(field=name, hint=hint, hint_bn=hint_bn)
        times = len(request.query_params.getlist(name))
        if times > 1 and not known[name]:
            raise RepeatedParameter(field=name, times=times)
