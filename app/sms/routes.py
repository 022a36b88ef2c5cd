"""The SMS lookup's webhook, one per gateway, and what district admins see of it."""

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Request
from fastapi.responses import JSONResponse

from app.auth.deps import CurrentActor
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.middleware import CrossOrigin
from app.core.openapi import problems
from app.directory.routes import SearchBackendDep
from app.sms import reports
from app.sms.gateways import FORM, JSON, GatewayName, gateway_of
from app.sms.outbound import send_by_android_gateway
from app.sms.store import receive

router = APIRouter(tags=["sms"])
# what other origins may call (SplitCORS): gateways post from servers, the report is private
cross_origin = CrossOrigin(private_read_prefixes=("/reports/sms",))

_FIELDS = {"type": "object", "additionalProperties": True}
INBOUND_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The gateway's own payload (see docs/sms-gateways.md).",
        "content": {media: {"schema": _FIELDS} for media in (*FORM, *JSON)},
    }
}


@router.post(
    "/sms/inbound/{gateway}",
    openapi_extra=INBOUND_BODY,
    responses={
        200: {"description": "The gateway's acknowledgement, with the reply to send."},
        **problems(401, 413, 415),
    },
)
async def sms_inbound(
    request: Request,
    session: SessionDep,
    backend: SearchBackendDep,
    background: BackgroundTasks,
    gateway: Annotated[GatewayName, Path(description="The gateway that posts.")],
) -> JSONResponse:
    """An SMS a gateway received: answered once (a retried delivery gets nothing more), within
    SMS_LIMIT_PER_HOUR per sender, in the question's language, in at most two SMS."""
    adapter, secret = gateway_of(gateway, get_settings().sms_gateway_secrets)
    inbound = await adapter.receive(request, secret)  # None: an event, not a message
    reply = (await receive(session, backend, inbound)).reply if inbound else None
    if reply and inbound and not adapter.replies_in_answer:
        background.add_task(send_by_android_gateway, inbound.sender, reply.text)
    return JSONResponse(adapter.answer(inbound, reply))


@router.get("/reports/sms", response_model=reports.SmsReport)
async def report_sms(
    session: SessionDep, actor: CurrentActor, period: reports.PeriodDep
) -> reports.SmsReport:
    """What people ask for by SMS, and where: counts by need and upazila, no numbers. District
    admins see their districts, platform admins all."""
    return await reports.sms_report(session, actor, since=period.since, until=period.until)
