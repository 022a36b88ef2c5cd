"""Pure ASGI middleware: cheap guards that run before routing."""

import json
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import PROBLEM_BASE, PROBLEM_JSON


async def send_problem(
    scope: Scope, send: Send, *, status: int, code: str, title: str, detail: str
) -> None:
    """Answer with a problem+json from middleware, before the app's error handlers exist."""
    body = json.dumps(
        {
            "type": PROBLEM_BASE + code,
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path", ""),
        }
    ).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RejectNulBytes:
    """A NUL byte in the path or query string is a 422: PostgreSQL text cannot store one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("query_string", b"") + scope.get("raw_path", b"")
            if b"\x00" in raw or b"\x00" in unquote_to_bytes(raw):
                await send_problem(
                    scope,
                    send,
                    status=422,
                    code="invalid-parameter",
                    title="Invalid input",
                    detail="NUL characters are not allowed in the path or query.",
                )
                return
        await self.app(scope, receive, send)


# JSON, files and problems; the pages (the portal, the docs) send a policy of their own
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
]


class SecurityHeaders:
    """Security headers on every response; authenticated answers are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        has_token = any(name == b"authorization" for name, _ in scope["headers"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # a page with a policy of its own (the portal) says who may frame it
                own_policy = "content-security-policy" in headers
                for name, value in SECURITY_HEADERS:
                    if own_policy and name == b"x-frame-options":
                        continue
                    headers.setdefault(name.decode(), value.decode())
                headers.setdefault("content-security-policy", API_CSP)
                if has_token:
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


PUBLIC_METHODS = ("GET", "HEAD")


@dataclass(frozen=True)
class CrossOrigin:
    """What a router declares for other origins: its reads that are not public (path prefixes
    or suffixes) and its writes anyone may make from any page. Everything else a router serves
    is a public read (GET/HEAD) or a private write."""

    private_read_prefixes: tuple[str, ...] = ()
    private_read_suffixes: tuple[str, ...] = ()
    public_writes: frozenset[tuple[str, str]] = frozenset()

    def __or__(self, other: "CrossOrigin") -> "CrossOrigin":
        return CrossOrigin(
            self.private_read_prefixes + other.private_read_prefixes,
            self.private_read_suffixes + other.private_read_suffixes,
            self.public_writes | other.public_writes,
        )

    def is_public(self, method: str, path: str) -> bool:
        private_read = path.startswith(self.private_read_prefixes) or path.endswith(
            self.private_read_suffixes
        )
        return (method in PUBLIC_METHODS and not private_read) or (
            method,
            path,
        ) in self.public_writes


class SplitCORS:
    """CORS in two policies: public reads (and the public writes routers declare) from any
    origin, every other endpoint only from the configured origins."""

    def __init__(
        self, app: ASGIApp, *, private_origins: list[str], cross_origin: CrossOrigin
    ) -> None:
        self.cross_origin = cross_origin
        self.public = CORSMiddleware(
            app,
            allow_origins=["*"],
            allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
            allow_headers=["Accept-Language", "Content-Type"],
            max_age=3600,
        )
        self.private = CORSMiddleware(
            app,
            allow_origins=private_origins,
            allow_methods=["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Accept-Language",
                "If-Match",
                "Idempotency-Key",
            ],
            expose_headers=["ETag", "Location"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.public(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS":
            requested = Headers(scope=scope).get("access-control-request-method", "")
            method = requested.upper() or method
        public = self.cross_origin.is_public(method, scope["path"])
        await (self.public if public else self.private)(scope, receive, send)


class LimitBody:
    """Request bodies above `max_bytes` get a 413 problem: at once when Content-Length says so,
    otherwise as soon as the streamed body passes the limit (the app then sees a disconnect,
    and whatever it answers is dropped)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, scope: Scope, send: Send) -> None:
        await send_problem(
            scope,
            send,
            status=413,
            code="request-too-large",
            title="Request body too large",
            detail=f"The request body is larger than {self.max_bytes} bytes.",
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0
        too_large = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not too_large:
                raise
        if too_large and not started:
            await self._refuse(scope, send)


class HeadAsGet:
    """`HEAD` on any GET route (RFC 9110 §9.3.2): answered as the GET would be, without its body;
    the headers (Content-Length, ETag, Content-Type) are the GET's."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)
