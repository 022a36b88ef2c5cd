"""Replies that go out through a gateway's own API (android-sms-gateway ignores a webhook's
answer). They are sent after the answer to the webhook, so after its transaction committed;
the number is held in memory only, and neither it nor the text is logged."""

import logging

import httpx

from app.core.config import get_settings

logger = logging.getLogger("app.sms")
SEND_TIMEOUT_SECONDS = 10.0


async def send_by_android_gateway(number: str, text: str) -> bool:
    """Posts the reply to the android-sms-gateway send API (SMS_ANDROID_SEND_URL, basic auth);
    whether it took it. Without a URL nothing can be sent, which the log says once per message."""
    settings = get_settings()
    if not settings.sms_android_send_url:
        logger.warning("sms: android-sms-gateway reply not sent: SMS_ANDROID_SEND_URL is not set")
        return False
    auth = (settings.sms_android_username or "", settings.sms_android_password or "")
    body = {"textMessage": {"text": text}, "phoneNumbers": [number]}
    try:
        async with httpx.AsyncClient(timeout=SEND_TIMEOUT_SECONDS) as client:
            response = await client.post(settings.sms_android_send_url, json=body, auth=auth)
    except httpx.HTTPError as error:
        logger.warning("sms: android-sms-gateway unreachable: %s", type(error).__name__)
        return False
    if response.is_error:
        logger.warning("sms: android-sms-gateway refused a reply: HTTP %s", response.status_code)
        return False
    return True
