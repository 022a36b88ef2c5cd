"""Pure ASGI middleware: cheap guards that run before routing."""

import json
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.errors import PROBLEM_BASE, PROBLEM_JSON


class RejectNulBytes:
    """A NUL byte in the path or query string is a 422: PostgreSQL text cannot store one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("query_string", b"") + scope.get("raw_path", b"")
            if b"\x00" in raw or b"\x00" in unquote_to_bytes(raw):
                body = json.dumps(
                    {
                        "type": PROBLEM_BASE + "invalid-parameter",
                        "title": "Invalid input",
                        "status": 422,
                        "detail": "NUL characters are not allowed in the path or query.",
                        "instance": scope.get("path", ""),
                    }
                ).encode()
                await send(
                    {
                        "type": "http.response.start",
                        "status": 422,
                        "headers": [
                            (b"content-type", PROBLEM_JSON.encode()),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
