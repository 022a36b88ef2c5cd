"""Every status the suite sees from an operation must be one its OpenAPI lists.

The suite's clients (tests/api.py, tests/committed.py) record, through `recording`, each
(method, route path template, status) their requests get; at the end of the run
`undocumented` compares them with the app's /openapi.json and the run fails with the list of
statuses an operation returned without declaring them (see tests/conftest.py)."""

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SEEN: set[tuple[str, str, int]] = set()


def recording(app: ASGIApp) -> ASGIApp:
    """`app`, noting the route template and status of every HTTP response it sends."""

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        statuses: list[int] = []

        async def noting(message: Message) -> None:
            if message["type"] == "http.response.start":
                statuses.append(int(message["status"]))
            await send(message)

        try:
            await app(scope, receive, noting)
        finally:
            route = scope.get("route")
            if scope["type"] == "http" and isinstance(route, APIRoute) and statuses:
                SEEN.add((scope["method"], route.path_format, statuses[0]))

    return asgi


def undocumented(app: FastAPI, seen: set[tuple[str, str, int]]) -> list[str]:
    """The (method path: status) the suite saw that the operation's OpenAPI does not list;
    requests to methods or paths that are not operations (405s, the portal) are not checked."""
    paths: dict[str, Any] = app.openapi()["paths"]
    missing = []
    for method, path, status in sorted(seen):
        operation = paths.get(path, {}).get(method.lower())
        if operation is None:
            continue
        if str(status) not in operation.get("responses", {}):
            missing.append(f"{method} {path}: {status}")
    return missing
