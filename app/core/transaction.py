"""The request owns its transaction, and commits it before the first byte of the answer.

FastAPI runs the exit code of `yield` dependencies after the response is sent, so a session
dependency that commits there can answer 201 for a write that then fails to commit. Here the
session is the request's (`get_session` hands it out), and this middleware commits it when the
application starts its response, before passing the response on: a commit that fails replaces
the response with a problem, and nothing the client was told is untrue. The request's record
(the audit row) is written by a hook in the same transaction as the data it describes; a failed
request is rolled back and its record committed on its own, still before the response leaves.
"""

import logging
from collections.abc import Callable
from contextvars import ContextVar
from typing import Protocol

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import InterfaceError as SAInterfaceError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, AsyncSessionTransaction, async_sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import problem
from app.core.i18n import preferred_language

logger = logging.getLogger("app.transaction")

# how long a client should wait before retrying when the database is out of reach
RETRY_AFTER_SECONDS = 5
# SQLSTATE classes of failures a retry may cure: serialization failure and deadlock
RETRYABLE_SQLSTATES = ("40001", "40P01")


class RequestTransaction:
    """The session of one request, opened on first use."""

    def __init__(self, factory: Callable[[], AsyncSession]) -> None:
        self._factory = factory
        self._session: AsyncSession | None = None
        # a borrowed session runs each request in a savepoint of its own
        self._savepoint: AsyncSessionTransaction | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self._factory()
        return self._session

    async def use(self, session: AsyncSession) -> None:
        """Run the request in a savepoint of a session that someone else opened and will close
        (the tests' rolled-back transaction): a rollback then leaves their objects as they were."""
        self._session = session
        self._savepoint = await session.begin_nested()

    async def commit(self) -> None:
        if self._savepoint is None:
            await self.session.commit()
        else:
            await self._savepoint.commit()

    async def rollback(self) -> None:
        """Undo the request's work; the session stays usable for a new transaction."""
        if self._savepoint is None:
            await self.session.rollback()
        else:
            if self._savepoint.is_active:
                await self._savepoint.rollback()
            self._savepoint = await self.session.begin_nested()

    async def close(self) -> None:
        if self._session is not None and self._savepoint is None:
            await self._session.close()


_current: ContextVar[RequestTransaction | None] = ContextVar("request_transaction", default=None)


def current_transaction() -> RequestTransaction:
    """The transaction of the request being served."""
    transaction = _current.get()
    if transaction is None:
        raise RuntimeError("no request transaction: is RequestTransactions installed?")
    return transaction


class RequestRecorder(Protocol):
    """What is recorded about each request (the audit log)."""

    def begin(self, scope: Scope) -> None:
        """Called when a request arrives, in the request's context."""

    async def record(self, session: AsyncSession, scope: Scope, status: int) -> None:
        """Add the request's record to `session`, which is committed next."""


def failure_status(exc: BaseException) -> int:
    """The HTTP status of a database failure: 409 for a conflict, 503 when the database is
    unreachable or the transaction may succeed if retried, 500 otherwise."""
    if isinstance(exc, IntegrityError):
        return 409
    if isinstance(exc, (OperationalError, SAInterfaceError, PoolTimeout, OSError)):
        return 503
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return 503
        if getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
            return 503
    return 500


_DETAILS = {
    409: (
        "The change conflicts with the directory's current state; read it again and retry.",
        "পরিবর্তনটি বর্তমান তথ্যের সঙ্গে সাংঘর্ষিক; আবার পড়ে চেষ্টা করুন।",
    ),
    503: (
        "The database is not reachable just now; nothing was changed. Try again shortly.",
        "ডেটাবেস এই মুহূর্তে পাওয়া যাচ্ছে না; কিছুই বদলায়নি। একটু পরে আবার চেষ্টা করুন।",
    ),
    500: (
        "The server failed to complete the request; nothing was changed.",
        "সার্ভার অনুরোধটি সম্পন্ন করতে পারেনি; কিছুই বদলায়নি।",
    ),
}
_CODES = {409: "conflict", 503: "database-unavailable", 500: "internal"}


async def _send_failure(scope: Scope, send: Send, status: int) -> None:
    request = Request(scope)
    en, bn = _DETAILS[status]
    lang = preferred_language(request)
    response = problem(request, status, code=_CODES[status], detail=bn if lang == "bn" else en)
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    await response(scope, _unused_receive, send)


async def _unused_receive() -> Message:
    return {"type": "http.disconnect"}


class RequestTransactions:
    """Pure ASGI middleware: one transaction per request, committed before the response starts."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        sessions: Callable[[], async_sessionmaker[AsyncSession]],
        recorder: RequestRecorder | None = None,
    ) -> None:
        self.app = app
        self.sessions = sessions
        self.recorder = recorder

    async def _record(self, transaction: RequestTransaction, scope: Scope, status: int) -> None:
        if self.recorder is not None:
            await self.recorder.record(transaction.session, scope, status)

    async def _finish(self, transaction: RequestTransaction, scope: Scope, status: int) -> int:
        """Commit (a success) or roll back (a failure) with the request's record; the status to
        answer with instead when that fails, else `status`."""
        if status < 400:
            try:
                await self._record(transaction, scope, status)
                await transaction.commit()
                return status
            except Exception as exc:
                failed = failure_status(exc)
                logger.exception("commit failed on %s %s", scope["method"], scope["path"])
                return await self._finish_failed(transaction, scope, failed)
        return await self._finish_failed(transaction, scope, status)

    async def _finish_failed(
        self, transaction: RequestTransaction, scope: Scope, status: int
    ) -> int:
        """Roll the request back and commit its record alone; 503 when that cannot be done."""
        try:
            await transaction.rollback()
            await self._record(transaction, scope, status)
            await transaction.commit()
            return status
        except Exception:
            logger.exception("could not record %s %s", scope["method"], scope["path"])
            try:
                await transaction.rollback()
            except Exception:
                logger.debug("rollback after a failed record failed too", exc_info=True)
            # an answer whose record cannot be kept is not given: the client may retry
            return status if status >= 500 else 503

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        factory = self.sessions()
        transaction = RequestTransaction(factory)
        token = _current.set(transaction)
        if self.recorder is not None:
            self.recorder.begin(scope)
        started = False
        replaced = False

        async def send_after_commit(message: Message) -> None:
            nonlocal started, replaced
            if message["type"] == "http.response.start":
                started = True
                status = await self._finish(transaction, scope, message["status"])
                if status != message["status"]:
                    replaced = True
                    await _send_failure(scope, send, status)
                    return
            elif replaced:
                return
            await send(message)

        try:
            await self.app(scope, receive, send_after_commit)
        except Exception as exc:
            if started:
                raise
            status = failure_status(exc)
            if status == 500:
                logger.exception("unhandled error on %s %s", scope["method"], scope["path"])
            else:
                logger.warning("%s %s: database failure (%s)", scope["method"], scope["path"], exc)
            status = await self._finish_failed(transaction, scope, status)
            await _send_failure(scope, send, status)
        finally:
            await transaction.close()
            _current.reset(token)
