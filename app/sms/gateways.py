"""The SMS gateways a district can connect, each as its own documentation describes it (the
payloads, sources cited, are in tests/sms/payloads/ and docs/sms-gateways.md):

- Telerivet's Webhook API: a form post `event=incoming_message` with `from_number`, `content`,
  `id` and the webhook's `secret`; the answer's JSON `messages` are sent back (within 10 s).
- SMSSync: a form post with `from`, `message`, `message_id`, `sent_to`, `sent_timestamp`,
  `device_id` and `secret`; the answer's `payload.messages` are sent ("Get Reply from Server").
- android-sms-gateway (sms-gate.app): JSON `sms:received` events, signed with HMAC-SHA256 of the
  body and `X-Timestamp` in `X-Signature`; it ignores the answer, so replies go to its send API.
- RapidPro: a flow's webhook call carrying, as the External API channel names them, `from`,
  `text` and `id`, with `Authorization: Token <secret>`; the answer's `reply` is the text to
  send.

Each gateway's shared secret comes from SMS_GATEWAY_SECRETS; a wrong one is a 401 and nothing
is answered.
"""

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from fastapi import Request

from app.core.errors import InvalidField, NotFound, Unauthorized
from app.core.media_types import UnsupportedMediaType
from app.sms.replies import Reply
from app.sms.segments import count
from app.sms.store import Inbound

FORM = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON = ("application/json",)
MAX_TEXT = 1600  # ten SMS parts: longer is no text message
MAX_SENDER = 40
# android-sms-gateway's advice: refuse a signature whose timestamp is this far from now
SIGNATURE_SKEW_SECONDS = 300


class GatewayOff(NotFound):
    code = "sms-gateway-off"
    en = "No SMS gateway {gateway} is configured on this server (SMS_GATEWAY_SECRETS)."
    bn = "এই সার্ভারে {gateway} নামে কোনো এসএমএস গেটওয়ে চালু নেই (SMS_GATEWAY_SECRETS)।"


class WrongSecret(Unauthorized):
    code = "sms-wrong-secret"
    en = "The gateway's secret or signature is not the one configured; nothing was sent."
    bn = "গেটওয়ের গোপন কোড বা স্বাক্ষর মেলেনি; কিছু পাঠানো হয়নি।"

    def headers(self) -> dict[str, str]:
        return {}


class MissingField(InvalidField):
    code = "sms-missing-field"
    en = "is required (as the gateway's documentation names it)"
    bn = "দরকার (গেটওয়ের নথিতে যে নামে আছে)"


class FieldTooLong(InvalidField):
    code = "sms-field-too-long"
    en = "is longer than {limit} characters"
    bn = "{limit} অক্ষরের বেশি লম্বা"


class NotJsonObject(InvalidField):
    code = "invalid-json"
    en = "is not a JSON object in UTF-8"
    bn = "UTF-8 এ JSON অবজেক্ট নয়"


def _same(given: str | None, secret: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), secret.encode())


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _fields(request: Request, accepted: tuple[str, ...]) -> Mapping[str, Any]:
    """The body's fields, from a form or a JSON object, as the gateway may send them."""
    sent = _media_type(request)
    if sent not in accepted:
        raise UnsupportedMediaType(accepted=" or ".join(accepted), sent=sent or "no type")
    if sent in JSON:
        try:
            body = json.loads(await request.body())
        except (UnicodeDecodeError, ValueError):
            raise NotJsonObject(field="body") from None
        if not isinstance(body, dict):
            raise NotJsonObject(field="body")
        return body
    form = await request.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


def _text(fields: Mapping[str, Any], name: str, *, limit: int, required: bool = True) -> str:
    value = fields.get(name)
    if value is None or value == "":
        if required:
            raise MissingField(field=name)
        return ""
    if not isinstance(value, str | int):
        raise MissingField(field=name)
    value = str(value)
    if len(value) > limit:
        raise FieldTooLong(field=name, limit=limit)
    return value


def _identity(*parts: str) -> str:
    """A delivery's identity from its contents (a retry repeats them); kept only as the keyed
    hash of `store.delivery_key`."""
    return "\0".join(parts)


class Gateway:
    name: ClassVar[str]
    accepted: ClassVar[tuple[str, ...]] = FORM
    # whether the reply goes back in the webhook's answer (else through the gateway's own API)
    replies_in_answer: ClassVar[bool] = True

    async def receive(self, request: Request, secret: str) -> Inbound | None:
        raise NotImplementedError

    def answer(self, inbound: Inbound | None, reply: Reply | None) -> dict[str, Any]:
        raise NotImplementedError


class Telerivet(Gateway):
    name = "telerivet"

    async def receive(self, request: Request, secret: str) -> Inbound | None:
        fields = await _fields(request, self.accepted)
        if not _same(fields.get("secret"), secret):
            raise WrongSecret()
        if fields.get("event", "incoming_message") != "incoming_message":
            return None  # a status event: nothing to answer
        sender = _text(fields, "from_number", limit=MAX_SENDER)
        content = _text(fields, "content", limit=MAX_TEXT, required=False)
        delivery = fields.get("id") or _identity(sender, content, str(fields.get("time_created")))
        return Inbound(self.name, sender, content, str(delivery))

    def answer(self, inbound: Inbound | None, reply: Reply | None) -> dict[str, Any]:
        return {"messages": [{"content": reply.text}] if reply else []}


class SmsSync(Gateway):
    name = "smssync"
    accepted = (*FORM, *JSON)  # the app can be set to post JSON

    async def receive(self, request: Request, secret: str) -> Inbound | None:
        fields = await _fields(request, self.accepted)
        if not _same(fields.get("secret"), secret):
            raise WrongSecret()
        sender = _text(fields, "from", limit=MAX_SENDER)
        message = _text(fields, "message", limit=MAX_TEXT, required=False)
        device = str(fields.get("device_id") or fields.get("sent_to") or "")
        if fields.get("message_id"):
            delivery = f"{device}\0{fields['message_id']}"
        else:
            delivery = _identity(sender, message, str(fields.get("sent_timestamp")))
        return Inbound(self.name, sender, message, delivery)

    def answer(self, inbound: Inbound | None, reply: Reply | None) -> dict[str, Any]:
        payload: dict[str, Any] = {"success": True, "error": None}
        if reply and inbound:
            payload |= {
                "task": "send",
                "messages": [
                    {
                        "to": inbound.sender,
                        "message": reply.text,
                        "uuid": str(uuid.uuid4()),
                    }
                ],
            }
        return {"payload": payload}


class AndroidSmsGateway(Gateway):
    name = "android-sms-gateway"
    accepted = JSON
    replies_in_answer = False

    async def receive(self, request: Request, secret: str) -> Inbound | None:
        body = await request.body()
        stamp = request.headers.get("x-timestamp", "")
        signature = request.headers.get("x-signature", "")
        expected = hmac.new(secret.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(signature.lower().encode(), expected.encode()):
            raise WrongSecret()
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > SIGNATURE_SKEW_SECONDS:
            raise WrongSecret()
        fields = await _fields(request, self.accepted)
        if fields.get("event") != "sms:received":
            return None  # sms:sent, sms:delivered, system:ping…
        payload = fields.get("payload")
        if not isinstance(payload, dict):
            raise MissingField(field="payload")
        # `sender` in current versions, `phoneNumber` (deprecated) in older ones
        sender_field = "sender" if payload.get("sender") else "phoneNumber"
        sender = _text(payload, sender_field, limit=MAX_SENDER)
        message = _text(payload, "message", limit=MAX_TEXT, required=False)
        # its messageId is not unique: a delivery is its device, sender, text and time together
        delivery = _identity(
            str(fields.get("deviceId")),
            sender,
            message,
            str(payload.get("receivedAt")),
            str(payload.get("simNumber")),
        )
        return Inbound(self.name, sender, message, delivery)

    def answer(self, inbound: Inbound | None, reply: Reply | None) -> dict[str, Any]:
        return {"received": inbound is not None, "reply_sent_by_api": reply is not None}


class RapidPro(Gateway):
    name = "rapidpro"
    accepted = (*FORM, *JSON)

    async def receive(self, request: Request, secret: str) -> Inbound | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "token" or not _same(token.strip(), secret):
            raise WrongSecret()
        fields = await _fields(request, self.accepted)
        sender = _text(fields, "from", limit=MAX_SENDER)
        text = _text(fields, "text", limit=MAX_TEXT, required=False)
        delivery = fields.get("id") or _identity(sender, text, str(fields.get("date")))
        return Inbound(self.name, sender, text, str(delivery))

    def answer(self, inbound: Inbound | None, reply: Reply | None) -> dict[str, Any]:
        if reply is None:
            return {"reply": None, "segments": 0}
        return {"reply": reply.text, "segments": count(reply.text).segments}


GatewayName = Literal["telerivet", "smssync", "android-sms-gateway", "rapidpro"]
GATEWAYS: dict[str, Gateway] = {
    gateway.name: gateway for gateway in (Telerivet(), SmsSync(), AndroidSmsGateway(), RapidPro())
}


def gateway_of(name: str, secrets: Mapping[str, str]) -> tuple[Gateway, str]:
    """The gateway and its secret; `GatewayOff` for one without a secret."""
    gateway, secret = GATEWAYS.get(name), secrets.get(name)
    if gateway is None or not secret:
        raise GatewayOff(gateway=name[:40])
    return gateway, secret
