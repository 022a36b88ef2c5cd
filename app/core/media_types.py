"""415 for a body in a media type the operation does not read: a global dependency, which runs
before the body is validated, so the client hears "send JSON" rather than a 422 about fields
that could not be read."""

from fastapi import Request, params
from fastapi.routing import APIRoute

from app.core.errors import AppError

JSON_TYPES = ("application/json",)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class UnsupportedMediaType(AppError):
    status = 415
    code = "unsupported-media-type"
    en = "Send the body as {accepted} (this request said {sent})."
    bn = "বডি {accepted} হিসেবে পাঠান (এই অনুরোধে ছিল {sent})।"


def accepted_types(route: APIRoute) -> tuple[str, ...] | None:
    """The media types an operation's body may have; None when it takes no body."""
    if route.body_field is None:
        return None
    return FORM_TYPES if isinstance(route.body_field.field_info, params.Form) else JSON_TYPES


async def require_media_type(request: Request) -> None:
    """`UnsupportedMediaType` when a body comes in a type the matched operation does not read
    (any `+json` type counts as JSON)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or request.method not in ("POST", "PUT", "PATCH"):
        return
    has_body = request.headers.get("content-length", "0") != "0"
    has_body = has_body or "transfer-encoding" in request.headers
    accepted = accepted_types(route)
    sent = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if has_body and accepted and sent not in accepted and not sent.endswith("+json"):
        raise UnsupportedMediaType(accepted=" or ".join(accepted), sent=sent or "no type")
