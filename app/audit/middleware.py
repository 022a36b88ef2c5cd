"""The audit log's record of each request that carried a valid token, whatever its outcome."""

from urllib.parse import parse_qsl, urlencode

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import Headers
from starlette.types import Scope

from app.audit.context import current_audit, start_audit
from app.audit.models import AuditEvent
from app.auth.actor import Actor
from app.auth.service import decode_token
from app.core.errors import AppError

# the log keeps a bounded prefix of what a client sent, never an unbounded copy
MAX_PATH_CHARS = 500
MAX_QUERY_CHARS = 500
# what signed-in users search for is theirs: the log notes that they searched, not for what
PRIVATE_PARAMETERS = frozenset({"search"})
OMITTED = "[omitted]"


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
        user_id=claims.user_id,
        email=claims.email,
        organization_id=claims.organization_id,
        role=claims.role,
    )


def _bounded(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def audited_query(raw: bytes) -> str | None:
    """The query string as the log keeps it: search text omitted, at most `MAX_QUERY_CHARS`."""
    if not raw:
        return None
    text = raw.decode("latin-1")
    pairs = parse_qsl(text, keep_blank_values=True)
    if any(name in PRIVATE_PARAMETERS for name, _ in pairs):
        text = urlencode(
            [(name, OMITTED if name in PRIVATE_PARAMETERS else value) for name, value in pairs],
            safe="[]",
        )
    return _bounded(text, MAX_QUERY_CHARS)


class AuditRecorder:
    """Adds the audit row of each authenticated request to the request's own transaction (see
    app/core/transaction.py): a write and its audit row commit together, and a refused or failed
    request is recorded before it is answered."""

    def begin(self, scope: Scope) -> None:
        start_audit()

    async def record(self, session: AsyncSession, scope: Scope, status: int) -> None:
        context = current_audit()
        # public endpoints do not look at tokens; a request that carried a valid one is
        # audited all the same, from the token's own claims
        actor = (context.actor if context else None) or _actor_from_token(scope)
        if actor is None:
            return
        client = scope.get("client")
        session.add(
            AuditEvent(
                user_id=actor.user_id,
                user_email=actor.email,
                organization_id=actor.organization_id,
                role=actor.role,
                method=scope["method"],
                path=_bounded(scope["path"], MAX_PATH_CHARS),
                query=audited_query(scope.get("query_string", b"")),
                status=status,
                record_ids=list(dict.fromkeys(context.record_ids)) if context else [],
                client=client[0] if client else None,
            )
        )
