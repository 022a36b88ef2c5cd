"""Who reads what people ask for by SMS: the counts carry no sender, but say where a district's
directory falls short, which is the business of those who keep it."""

from app.auth.actor import EVERYTHING, Actor, Reach, Role
from app.core.errors import Forbidden


class NotSmsReader(Forbidden):
    en = "Only platform and district admins read the SMS report."
    bn = "শুধু প্ল্যাটফর্ম ও জেলা অ্যাডমিন এসএমএস প্রতিবেদন দেখতে পারেন।"


def sms_report_reach(actor: Actor) -> Reach | None:
    """Platform admins: every district; district admins: theirs; anyone else: none (None)."""
    if actor.role == Role.ADMIN:
        return EVERYTHING
    if actor.role == Role.DISTRICT_ADMIN:
        return Reach(districts=actor.districts)
    return None
