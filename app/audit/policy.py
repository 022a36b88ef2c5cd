"""Who reads the audit log, and the error for anyone else."""

from app.auth.actor import Actor, Role
from app.core.errors import Forbidden


class NotAuditReader(Forbidden):
    en = "Only admins read the audit log."
    bn = "শুধু অ্যাডমিন অডিট লগ দেখতে পারেন।"


def may_read_audit_log(actor: Actor) -> bool:
    """The log names every user's requests: platform admins only."""
    return actor.role == Role.ADMIN
