"""Text messages (SMS) to residents, behind one small gateway interface (issue #6).

``get_sms_gateway(name, endpoint)`` returns the gateway ``SMS_GATEWAY`` names:

- ``outbox`` (the default): the council services' SMS outbox (``/api/v1/sms``), where
  staff see every message on the console (``/staff/sms``). A council that sends real
  texts puts its provider behind the same interface.
- ``fake``: kept in memory, for tests.
"""

from __future__ import annotations

from integrations.endpoint import Endpoint
from integrations.sms.client import OutboxSmsGateway, SmsGateway
from integrations.sms.errors import SmsError, SmsRejected, SmsUnavailable
from integrations.sms.fake import FakeSmsGateway
from integrations.sms.models import SmsMessage, SmsReceipt

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


def get_sms_gateway(name: str, endpoint: Endpoint) -> SmsGateway:
    """The gateway ``SMS_GATEWAY`` names.

    Args:
        name: ``outbox`` or ``fake``.
        endpoint: the council services and the staff API token (for ``outbox``).

    Raises:
        ValueError: an unknown gateway name.
    """
    if name == "fake":
        return FakeSmsGateway()
    if name == "outbox":
        return OutboxSmsGateway(
            endpoint.base_url,
            endpoint.token,
            connect_timeout_s=endpoint.connect_timeout_s,
            read_timeout_s=endpoint.read_timeout_s,
        )
    raise ValueError(f"SMS_GATEWAY must be outbox or fake, not {name!r}")
