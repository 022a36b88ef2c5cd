"""What the audit log needs to know about the current request, gathered while it runs."""

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field

from app.auth.actor import Actor


@dataclass
class AuditContext:
    actor: Actor | None = None
    record_ids: list[str] = field(default_factory=list)


_current: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


def start_audit() -> AuditContext:
    """A fresh context for one request (called by the audit middleware)."""
    context = AuditContext()
    _current.set(context)
    return context


def current_audit() -> AuditContext | None:
    """The audit context of the request being served, if any."""
    return _current.get()


def set_actor(actor: Actor) -> None:
    """Record who the request acts for; the request is then audited."""
    context = _current.get()
    if context is not None:
        context.actor = actor


def touch(*record_ids: uuid.UUID | str) -> None:
    """Record the ids of the records this request read or changed."""
    context = _current.get()
    if context is not None:
        context.record_ids.extend(str(record_id) for record_id in record_ids)
