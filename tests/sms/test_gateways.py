"""Each gateway's webhook, with the payloads of its own documentation: the reply goes back as
the gateway expects it, a wrong secret is a 401 that answers nothing, a delivery is answered
once, and what a gateway may send wrong gets a clear 4xx."""

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, get_args
from urllib.parse import urlencode

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.sms.gateways import GATEWAYS, GatewayName
from app.sms.models import SmsMessage
from app.sms.segments import fits
from tests.sms.conftest import SECRETS, documented, signed

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def stored(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(SmsMessage)) or 0)


def telerivet(content: str, **fields: str) -> dict[str, str]:
    return {
        "event": "incoming_message",
        "id": f"SM{uuid.uuid4().hex[:16]}",
        "message_type": "sms",
        "from_number": "+8801711000001",
        "to_number": "+8801999000000",
        "content": content,
        "secret": SECRETS["telerivet"],
        **fields,
    }


# Telerivet ---------------------------------------------------------------------------------------


async def test_telerivet_documented_example_gets_how_to_ask(client: AsyncClient) -> None:
    raw = documented("telerivet")["documented_raw_example"]  # "Hello world..." asks nothing
    body = f"{raw}&secret={SECRETS['telerivet']}"

    response = await client.post("/sms/inbound/telerivet", content=body, headers=FORM)

    assert response.status_code == 200
    (message,) = response.json()["messages"]
    assert "LEGAL KALAROA" in message["content"] and "Helpline 109" in message["content"]


async def test_telerivet_legal_kalaroa(client: AsyncClient) -> None:
    response = await client.post("/sms/inbound/telerivet", data=telerivet("LEGAL KALAROA"))

    (message,) = response.json()["messages"]
    assert message["content"].startswith("Legal aid, Kalaroa:")
    assert "District Legal Aid Office, Satkhira" in message["content"]
    assert message["content"].endswith("Helpline 16430")


@pytest.mark.parametrize("secret", ["wrong", "", None])
async def test_telerivet_wrong_secret_is_401_and_answers_nothing(
    client: AsyncClient, session: AsyncSession, secret: str | None
) -> None:
    fields = telerivet("LEGAL KALAROA", secret=secret or "")
    if secret is None:
        del fields["secret"]
    before = await stored(session)

    response = await client.post("/sms/inbound/telerivet", data=fields)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/sms-wrong-secret")
    assert "messages" not in response.json()
    assert await stored(session) == before


async def test_telerivet_status_events_are_acknowledged_without_a_reply(
    client: AsyncClient, session: AsyncSession
) -> None:
    before = await stored(session)

    response = await client.post("/sms/inbound/telerivet", data=telerivet("", event="send_status"))

    assert response.status_code == 200 and response.json() == {"messages": []}
    assert await stored(session) == before


async def test_telerivet_retry_is_answered_once(client: AsyncClient) -> None:
    fields = telerivet("HEALTH JASHORE")

    first = await client.post("/sms/inbound/telerivet", data=fields)
    again = await client.post("/sms/inbound/telerivet", data=fields)

    assert len(first.json()["messages"]) == 1
    assert again.status_code == 200 and again.json() == {"messages": []}


# SMSSync -----------------------------------------------------------------------------------------


def smssync(message: str, **fields: str) -> dict[str, str]:
    body = dict(documented("smssync")["body"])
    body.update(
        {
            "from": "+8801711000002",
            "message": message,
            "message_id": str(uuid.uuid4()),
            "sent_to": "+8801999000000",
            "secret": SECRETS["smssync"],
            **fields,
        }
    )
    return body


async def test_smssync_documented_multipart_example(client: AsyncClient) -> None:
    # the documentation's curl sends multipart (-F); the app itself sends a urlencoded form
    fields = dict(documented("smssync")["body"], secret=SECRETS["smssync"])
    fields["message_id"] = str(uuid.uuid4())

    response = await client.post(
        "/sms/inbound/smssync", files={k: (None, v) for k, v in fields.items()}
    )

    assert response.status_code == 200
    payload = response.json()["payload"]
    assert payload["success"] is True and payload["error"] is None and payload["task"] == "send"
    (message,) = payload["messages"]
    assert message["to"] == "+000-000-0000" and "LEGAL KALAROA" in message["message"]
    assert uuid.UUID(message["uuid"])


async def test_smssync_urlencoded_and_json_bengali(client: AsyncClient) -> None:
    as_form = await client.post("/sms/inbound/smssync", data=smssync("আইন কলারোয়া"))
    as_json = await client.post("/sms/inbound/smssync", json=smssync("আইন কলারোয়া"))

    for response in (as_form, as_json):
        (message,) = response.json()["payload"]["messages"]
        assert message["message"].startswith("আইনগত সহায়তা, কলারোয়া:")
        assert message["message"].endswith("হেল্পলাইন 16430") and fits(message["message"])


async def test_smssync_wrong_secret_and_duplicate(client: AsyncClient) -> None:
    wrong = await client.post("/sms/inbound/smssync", data=smssync("HELP", secret="123456"))
    fields = smssync("HELP")
    first = await client.post("/sms/inbound/smssync", data=fields)
    again = await client.post("/sms/inbound/smssync", data=fields)

    assert wrong.status_code == 401
    assert first.json()["payload"]["messages"]
    assert again.json() == {"payload": {"success": True, "error": None}}


# android-sms-gateway -----------------------------------------------------------------------------


class Receiver(BaseHTTPRequestHandler):
    """The send API of android-sms-gateway, as far as a test needs it: it keeps what it gets."""

    received: ClassVar[list[tuple[str | None, dict[str, Any]]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Receiver.received.append(
            (self.headers["Authorization"], json.loads(self.rfile.read(length)))
        )
        self.send_response(202)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "sent", "state": "Pending"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def send_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str | None, dict[str, Any]]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings = get_settings()
    url = f"http://127.0.0.1:{server.server_address[1]}/message"
    monkeypatch.setattr(settings, "sms_android_send_url", url)
    monkeypatch.setattr(settings, "sms_android_username", "sms")
    monkeypatch.setattr(settings, "sms_android_password", "gateway-password")
    Receiver.received = []
    yield Receiver.received
    server.shutdown()
    server.server_close()


def android(message: str, **payload: Any) -> bytes:
    body = json.loads(json.dumps(documented("android-sms-gateway")["body"]))
    body["id"] = uuid.uuid4().hex
    body["payload"] |= {"message": message, "sender": "+8801711000003", **payload}
    return json.dumps(body).encode()


async def test_android_documented_event_replies_through_the_send_api(
    client: AsyncClient, send_api: list[tuple[str | None, dict[str, Any]]]
) -> None:
    body = android("shelter kalaroa")

    response = await client.post(
        "/sms/inbound/android-sms-gateway", content=body, headers=signed(body)
    )

    assert response.status_code == 200
    assert response.json() == {"received": True, "reply_sent_by_api": True}
    ((authorization, sent),) = send_api
    assert authorization == "Basic c21zOmdhdGV3YXktcGFzc3dvcmQ="  # sms:gateway-password
    assert sent["phoneNumbers"] == ["+8801711000003"]
    assert sent["textMessage"]["text"].startswith("Shelter, Kalaroa:")


async def test_android_legacy_phone_number_field(
    client: AsyncClient, send_api: list[tuple[str | None, dict[str, Any]]]
) -> None:
    legacy = documented("android-sms-gateway")["legacy_body_example_readme"]
    legacy["payload"]["message"] = "police jashore"
    body = json.dumps(legacy).encode()

    response = await client.post(
        "/sms/inbound/android-sms-gateway", content=body, headers=signed(body)
    )

    assert response.status_code == 200
    ((_, sent),) = send_api
    assert sent["phoneNumbers"] == ["+19162255887"]
    assert sent["textMessage"]["text"].startswith("Police and law enforcement, Jashore:")


async def test_android_same_message_id_is_not_the_same_message(
    client: AsyncClient, send_api: list[tuple[str | None, dict[str, Any]]]
) -> None:
    # its messageId is not unique: two texts with one id are two messages, a redelivery is one
    first = android("HELP", messageId="1")
    second = android("LEGAL JASHORE", messageId="1")
    for body in (first, second, first):
        response = await client.post(
            "/sms/inbound/android-sms-gateway", content=body, headers=signed(body)
        )
        assert response.status_code == 200

    assert len(send_api) == 2
    assert response.json() == {"received": True, "reply_sent_by_api": False}


@pytest.mark.parametrize(
    "headers",
    [
        lambda body: signed(body, key="another-key"),
        lambda body: signed(body, at=0),  # a replay of long ago
        lambda body: {"Content-Type": "application/json"},
        lambda body: signed(body + b" "),
    ],
)
async def test_android_bad_signature_is_401_and_sends_nothing(
    client: AsyncClient, send_api: list[tuple[str | None, dict[str, Any]]], headers: Any
) -> None:
    body = android("LEGAL KALAROA")

    response = await client.post(
        "/sms/inbound/android-sms-gateway", content=body, headers=headers(body)
    )

    assert response.status_code == 401 and response.json()["type"].endswith("/sms-wrong-secret")
    assert send_api == []


async def test_android_other_events_are_acknowledged(
    client: AsyncClient, send_api: list[tuple[str | None, dict[str, Any]]]
) -> None:
    body = json.dumps({"event": "system:ping", "deviceId": "d", "id": "p", "payload": {}}).encode()

    response = await client.post(
        "/sms/inbound/android-sms-gateway", content=body, headers=signed(body)
    )

    assert response.json() == {"received": False, "reply_sent_by_api": False}
    assert send_api == []


async def test_android_without_a_send_url_still_acknowledges(client: AsyncClient) -> None:
    body = android("LEGAL KALAROA")

    response = await client.post(
        "/sms/inbound/android-sms-gateway", content=body, headers=signed(body)
    )

    assert response.status_code == 200  # the gateway must not retry what cannot be answered


# RapidPro ----------------------------------------------------------------------------------------

RAPIDPRO = {"Authorization": f"Token {SECRETS['rapidpro']}"}


async def test_rapidpro_form_and_json(client: AsyncClient) -> None:
    fields = {"from": "+8801711000004", "text": "counselling satkhira", "id": str(uuid.uuid4())}
    as_form = await client.post("/sms/inbound/rapidpro", data=fields, headers=RAPIDPRO)
    as_json = await client.post(
        "/sms/inbound/rapidpro", json={**fields, "id": str(uuid.uuid4())}, headers=RAPIDPRO
    )

    for response in (as_form, as_json):
        assert response.status_code == 200
        reply = response.json()
        assert reply["reply"].startswith("Psychosocial counselling, Satkhira:")
        assert reply["segments"] in (1, 2)


async def test_rapidpro_token_is_required(client: AsyncClient) -> None:
    fields = {"from": "+8801711000004", "text": "HELP", "id": "1"}
    for headers in (
        {},
        {"Authorization": "Token wrong"},
        {"Authorization": f"Bearer {SECRETS['rapidpro']}"},
    ):
        response = await client.post("/sms/inbound/rapidpro", data=fields, headers=headers)
        assert response.status_code == 401


# what any gateway may get wrong ------------------------------------------------------------------


def test_the_path_names_every_adapter() -> None:
    assert set(GATEWAYS) == set(get_args(GatewayName))


@pytest.mark.parametrize("gateway", ["twilio", "TELERIVET", "x" * 41])
async def test_unknown_gateway_is_422(client: AsyncClient, gateway: str) -> None:
    response = await client.post(f"/sms/inbound/{gateway}", data=telerivet("HELP"))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_gateway_without_a_secret_is_off(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "sms_gateway_secrets", {"smssync": "s"})

    response = await client.post("/sms/inbound/telerivet", data=telerivet("HELP"))

    assert response.status_code == 404 and response.json()["type"].endswith("/sms-gateway-off")


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"from_number": ""}, "sms-missing-field"),
        ({"content": "x" * 1601}, "sms-field-too-long"),
        ({"from_number": "1" * 41}, "sms-field-too-long"),
    ],
)
async def test_bad_fields_are_422_and_change_nothing(
    client: AsyncClient, session: AsyncSession, fields: dict[str, str], code: str
) -> None:
    before = await stored(session)

    response = await client.post("/sms/inbound/telerivet", data=telerivet("HELP") | fields)

    assert response.status_code == 422 and response.json()["type"].endswith("/" + code)
    assert await stored(session) == before


async def test_wrong_media_type_and_bad_json(client: AsyncClient) -> None:
    as_json = await client.post("/sms/inbound/telerivet", json=telerivet("HELP"))
    not_json = await client.post(
        "/sms/inbound/rapidpro",
        content=b"\xff{",
        headers={**RAPIDPRO, "Content-Type": "application/json"},
    )
    a_list = await client.post("/sms/inbound/rapidpro", json=["HELP"], headers=RAPIDPRO)
    body = b"[1]"
    android_list = await client.post(
        "/sms/inbound/android-sms-gateway", content=body, headers=signed(body)
    )

    assert as_json.status_code == 415
    assert (not_json.status_code, a_list.status_code, android_list.status_code) == (422, 422, 422)


async def test_form_fields_sent_twice_or_as_urlencoded_nonsense(client: AsyncClient) -> None:
    body = urlencode(
        [("secret", SECRETS["telerivet"]), ("from_number", "+8801711000009"), ("content", "%%%")]
    )

    response = await client.post("/sms/inbound/telerivet", content=body, headers=FORM)

    assert response.status_code == 200 and len(response.json()["messages"]) == 1
