"""The API's server: uvicorn with a bounded, timed request head, a timed body, and forwarded
headers believed only from the named proxies. `directory serve` and the container run it."""

import asyncio
import json
import logging
import os
from asyncio import TimerHandle
from typing import Any

import uvicorn
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from app.core.config import Settings, get_settings
from app.core.errors import PROBLEM_BASE, PROBLEM_JSON

logger = logging.getLogger("app.server")

# After refusing a request the server reads on for a moment, throwing the bytes away, so that
# the client sees the answer instead of a reset from unread data; then it closes regardless.
LINGER_SECONDS = 2.0
LINGER_BYTES = 1024 * 1024


def problem_bytes(status: int, *, code: str, title: str, detail: str, detail_bn: str) -> bytes:
    """An RFC 9457 body for answers given before the application sees the request (its
    `Accept-Language` is not known yet, so both languages are in it)."""
    body = {
        "type": PROBLEM_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "detail_bn": detail_bn,
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol that counts the bytes of each request head before parsing
    them and refuses a head over `MAX_HEADER_BYTES` (431), and times the head and the body.

    httptools collects a header in memory until it ends, so the parser is fed at most the bytes
    the head may still have: a 64 MiB header costs no more than the limit. Body bytes are not
    counted. After a request the next head is counted from the next byte fed; with pipelined
    requests the rest of the chunk in which a request ended is not counted, which bounds the
    memory all the same."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        settings = get_settings()
        self.max_head_bytes = settings.max_header_bytes
        self.head_timeout = settings.request_header_timeout_seconds
        self.body_timeout = settings.request_body_timeout_seconds
        self.reading_head = True
        self.head_bytes = 0
        self.head_timer: TimerHandle | None = None
        self.body_timer: TimerHandle | None = None
        self.lingering = False
        self.lingered_bytes = 0

    # connection

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # a connection that never sends a request is held for the head timeout, not forever
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.lingering:
            self.lingered_bytes += len(data)
            if self.lingered_bytes > LINGER_BYTES:
                self.transport.close()
            return
        view = memoryview(data)
        while view and not self.transport.is_closing():
            if not self.reading_head:
                super().data_received(bytes(view))
                return
            if self.head_timer is None:
                self._arm_head_timer()
            room = self.max_head_bytes - self.head_bytes
            if room <= 0:
                self._refuse_head_too_large()
                return
            piece, view = view[:room], view[room:]
            self.head_bytes += len(piece)
            super().data_received(bytes(piece))

    # parser callbacks

    def on_headers_complete(self) -> None:
        self.reading_head = False
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None
        self.body_timer = self.loop.call_later(self.body_timeout, self._body_timed_out)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        if self.body_timer is not None:
            self.body_timer.cancel()
            self.body_timer = None
        self.reading_head = True
        self.head_bytes = 0

    # limits

    def _arm_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
        self.head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _cancel_timers(self) -> None:
        for timer in (self.head_timer, self.body_timer):
            if timer is not None:
                timer.cancel()
        self.head_timer = self.body_timer = None

    def _peer(self) -> str:
        return f"{self.client[0]}:{self.client[1]}" if self.client else "unknown client"

    def _answering(self) -> bool:
        """Whether a response to an earlier request on this connection is still under way."""
        return self.cycle is not None and not self.cycle.response_complete

    def _refuse_head_too_large(self) -> None:
        limit = self.max_head_bytes
        logger.warning("%s: request head over %d bytes refused", self._peer(), limit)
        self._refuse(
            431,
            problem_bytes(
                431,
                code="request-header-fields-too-large",
                title="Request header fields too large",
                detail=f"The request line and headers are larger than {limit} bytes.",
                detail_bn=f"অনুরোধের লাইন ও হেডার মিলিয়ে {limit} বাইটের বেশি।",
            ),
        )

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if self.transport.is_closing() or not self.reading_head:
            return
        if self._answering():
            # a pipelined head waits while the request before it is answered: that is the
            # server's time, not the client's
            self._arm_head_timer()
            return
        seconds = f"{self.head_timeout:g}"
        logger.info("%s: no complete request head within %s s", self._peer(), seconds)
        self._refuse(
            408,
            problem_bytes(
                408,
                code="request-timeout",
                title="Request timeout",
                detail=f"The request line and headers did not arrive within {seconds} seconds.",
                detail_bn=f"অনুরোধের লাইন ও হেডার {seconds} সেকেন্ডের মধ্যে আসেনি।",
            ),
        )

    def _body_timed_out(self) -> None:
        self.body_timer = None
        if self.transport.is_closing() or self.reading_head:
            return
        cycle = self.cycle
        if cycle is None or cycle.response_started:
            self.transport.close()
            return
        # the application waiting for the body is told the client left, and its answer dropped
        cycle.disconnected = True
        cycle.message_event.set()
        seconds = f"{self.body_timeout:g}"
        logger.info("%s: no complete request body within %s s", self._peer(), seconds)
        self._write_refusal(
            408,
            problem_bytes(
                408,
                code="request-timeout",
                title="Request timeout",
                detail=f"The request body did not arrive within {seconds} seconds.",
                detail_bn=f"অনুরোধের বডি {seconds} সেকেন্ডের মধ্যে আসেনি।",
            ),
        )

    def _refuse(self, status: int, body: bytes) -> None:
        """Answer `status` and close, unless another response is under way: then just close."""
        if self._answering():
            self._cancel_timers()
            self.transport.close()
            return
        self._write_refusal(status, body)

    def _write_refusal(self, status: int, body: bytes) -> None:
        self._cancel_timers()
        self._unset_keepalive_if_required()
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: ",
            PROBLEM_JSON.encode("ascii"),
            b"\r\n",
            b"content-length: ",
            str(len(body)).encode("ascii"),
            b"\r\n",
            b"cache-control: no-store\r\n",
            b"x-content-type-options: nosniff\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.lingering = True
        self.flow.resume_reading()
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def serve(*, host: str, port: int, workers: int, settings: Settings | None = None) -> None:
    """Run the API (`app.main:app`) until stopped."""
    settings = settings or get_settings()
    trusted = settings.trusted_proxies
    # the worker processes read the settings afresh: they learn the address the server listens
    # on, which the public base URL follows when PUBLIC_BASE_URL is not set
    os.environ["SERVER_HOST"], os.environ["SERVER_PORT"] = host, str(port)
    get_settings.cache_clear()
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        workers=workers,
        http=GuardedHttpToolsProtocol,
        lifespan="on",
        timeout_keep_alive=settings.keep_alive_timeout_seconds,
        # uvicorn believes X-Forwarded-For from 127.0.0.1 unless told otherwise: a client on
        # the same host could then pick its own address past the sign-in throttle
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted,
    )
