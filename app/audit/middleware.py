"""Writes one `audit_event` for every request that carried a valid token, whatever its outcome."""

import logging

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.audit.context import Actor, start_audit
from app.audit.models import AuditEvent
from app.auth.service import decode_token
from app.core.db import get_sessionmaker
from app.core.errors import AppError

logger = logging.getLogger("app.audit")


def _actor_from_token(scope: Scope) -> Actor | None:
    authorization = Headers(scope=scope).get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        claims = decode_token(token)
    except AppError:
        return None
    if claims.organization_id is None:
        return None
    return Actor(
        user_id=claims.user_id, email=claims.email, organization_id=claims.organization_id,
        role=claims.role,
    )  # fmt: skip


class AuditMiddleware:
    """Records authenticated requests after they are answered, in a transaction of their own,
    so that a failed or refused request is still on the record."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = start_audit()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            # public endpoints do not look at tokens; a request that carried a valid one is
            # audited all the same, from the token's own claims
            actor = context.actor or _actor_from_token(scope)
            if actor is not None:
                client = scope.get("client")
                event = AuditEvent(
                    user_id=actor.user_id,
                    user_email=actor.email,
                    organization_id=actor.organization_id,
                    role=actor.role,
                    method=scope["method"],
                    path=scope["path"],
                    query=scope.get("query_string", b"").decode("latin-1") or None,
                    status=status,
                    record_ids=list(dict.fromkeys(context.record_ids)),
                    client=client[0] if client else None,
                )
                try:
                    async with get_sessionmaker()() as session:
                        session.add(event)
                        await session.commit()
                except Exception:
                    logger.exception(
                        "could not write the audit event of %s %s", event.method, event.path
                    )
