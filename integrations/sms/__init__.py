"""Text messages (SMS) to residents, behind one small gateway interface (issue #6).

``get_sms_gateway(settings)`` returns the gateway chosen by ``SMS_GATEWAY``:

- ``outbox`` (the default): the council services' SMS outbox (``/api/v1/sms``), where
  staff see every message on the console (``/staff/sms``). A council that sends real
  texts puts its provider behind the same interface.
- ``fake``: kept in memory, for tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from integrations.sms.client import OutboxSmsGateway, SmsGateway
from integrations.sms.errors import SmsError, SmsRejected, SmsUnavailable
from integrations.sms.fake import FakeSmsGateway
from integrations.sms.models import SmsMessage, SmsReceipt

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = [
    "FakeSmsGateway",
    "OutboxSmsGateway",
    "SmsError",
    "SmsGateway",
    "SmsMessage",
    "SmsReceipt",
    "SmsRejected",
    "SmsUnavailable",
    "get_sms_gateway",
]


def get_sms_gateway(settings: Settings) -> SmsGateway:
    """The gateway ``SMS_GATEWAY`` names.

    Raises:
        ValueError: an unknown gateway name.
    """
    if settings.sms_gateway == "fake":
        return FakeSmsGateway()
    if settings.sms_gateway == "outbox":
        return OutboxSmsGateway(
            settings.council_services_url,
            settings.staff_api_token,
            connect_timeout_s=settings.http_connect_timeout_s,
            read_timeout_s=settings.http_read_timeout_s,
        )
    raise ValueError(f"SMS_GATEWAY must be outbox or fake, not {settings.sms_gateway!r}")
