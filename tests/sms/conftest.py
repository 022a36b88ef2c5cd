"""The SMS gateways of the tests, each with its secret, and their documented payloads."""

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import pytest

from app.core.config import get_settings

PAYLOADS = Path(__file__).parent / "payloads"
SECRETS = {
    "telerivet": "telerivet-webhook-secret",
    "smssync": "smssync-secret-123456",
    "android-sms-gateway": "android-signing-key",
    "rapidpro": "rapidpro-token-secret",
}


def documented(gateway: str) -> dict[str, Any]:
    """The gateway's documented example (tests/sms/payloads, each citing its source)."""
    loaded: dict[str, Any] = json.loads((PAYLOADS / f"{gateway}.json").read_text())
    return loaded


@pytest.fixture(autouse=True)
def gateways(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every gateway on, with its secret, and the limits at their defaults."""
    settings = get_settings()
    monkeypatch.setattr(settings, "sms_gateway_secrets", dict(SECRETS))
    monkeypatch.setattr(settings, "sms_limit_per_hour", 5)
    return SECRETS


def signed(
    body: bytes, *, key: str = SECRETS["android-sms-gateway"], at: float | None = None
) -> dict[str, str]:
    """android-sms-gateway's headers: HMAC-SHA256 of the raw body and the timestamp, in hex."""
    stamp = str(int(time.time() if at is None else at))
    signature = hmac.new(key.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Signature": signature, "X-Timestamp": stamp}
