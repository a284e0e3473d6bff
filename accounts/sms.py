"""Outgoing SMS/WhatsApp messages through a pluggable gateway.

`MPP_SMS_BACKEND` names the class (dotted path); default `accounts.sms.ConsoleSmsGateway`.
- `ConsoleSmsGateway`: logs the message with the number partly masked (development);
- `LocmemSmsGateway`: keeps messages in `accounts.sms.outbox` (tests);
- `HttpSmsGateway`: POSTs JSON `{"to", "message", "channel"}` to `MPP_SMS_HTTP_URL` with
  `Authorization: Bearer <MPP_SMS_HTTP_TOKEN>`; any non-2xx answer raises `SmsSendError`
  (the Celery task retries).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "accounts.sms.ConsoleSmsGateway"


class SmsSendError(Exception):
    pass


@dataclass(frozen=True, slots=True)
class SmsMessage:
    to: str  # E.164 digits without "+", e.g. 6281234567890
    message: str
    channel: str = "sms"  # "sms" or "whatsapp"


class SmsGateway(Protocol):
    def send(self, message: SmsMessage) -> None: ...


def mask_phone(phone: str) -> str:
    return phone[:5] + "*" * max(len(phone) - 8, 0) + phone[-3:] if len(phone) > 8 else "***"


class ConsoleSmsGateway:
    def send(self, message: SmsMessage) -> None:
        logger.info("SMS (%s) to %s: %s", message.channel, mask_phone(message.to), message.message)


outbox: list[SmsMessage] = []


class LocmemSmsGateway:
    def send(self, message: SmsMessage) -> None:
        outbox.append(message)


class HttpSmsGateway:
    def __init__(self) -> None:
        self.url = getattr(settings, "MPP_SMS_HTTP_URL", "")
        self.token = getattr(settings, "MPP_SMS_HTTP_TOKEN", "")
        self.timeout = float(getattr(settings, "MPP_SMS_HTTP_TIMEOUT", 10))

    def send(self, message: SmsMessage) -> None:
        if not self.url.startswith(("https://", "http://")):
            raise SmsSendError("MPP_SMS_HTTP_URL is not configured")
        body = json.dumps(
            {"to": message.to, "message": message.message, "channel": message.channel}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            self.url, data=body, method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SmsSendError(f"gateway answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsSendError(f"gateway unreachable: {exc}") from exc
        if not 200 <= status < 300:
            raise SmsSendError(f"gateway answered {status}")


def get_gateway() -> SmsGateway:
    return import_string(getattr(settings, "MPP_SMS_BACKEND", DEFAULT_BACKEND))()


def send_sms(to: str, message: str) -> None:
    channel = getattr(settings, "MPP_SMS_CHANNEL", "sms")
    get_gateway().send(SmsMessage(to=to, message=message, channel=channel))
