"""The SMS gateway interface and its development implementation: the staff outbox.

``OutboxSmsGateway`` posts each message to the council services (``POST /api/v1/sms``,
staff token), which keep it in an outbox that staff read on the console. One private
method, :meth:`OutboxSmsGateway._request`, does all the HTTP with explicit timeouts.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import httpx

from integrations.sms.errors import SmsRejected, SmsUnavailable
from integrations.sms.models import SmsMessage, SmsReceipt

logger = logging.getLogger(__name__)


class SmsGateway(Protocol):
    """Anything that can send a text message."""

    def send(self, message: SmsMessage) -> SmsReceipt:
        """Send one message.

        Raises:
            SmsError: the message was not accepted.
        """
        ...


class OutboxSmsGateway:
    """Sends texts into the council services' SMS outbox."""

    def __init__(
        self,
        base_url: str,
        token: str,
        connect_timeout_s: float = 2.0,
        read_timeout_s: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/api/v1/sms"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = httpx.Timeout(read_timeout_s, connect=connect_timeout_s)
        self._transport = transport

    def _request(self, body: dict[str, Any]) -> dict[str, Any]:
        """Post one message and return the decoded answer.

        Raises:
            SmsUnavailable: connection failure, timeout, 5xx or a body that is not JSON.
            SmsRejected: any 4xx.
        """
        try:
            with httpx.Client(
                timeout=self._timeout, headers=self._headers, transport=self._transport
            ) as client:
                response = client.post(self._url, json=body)
        except httpx.HTTPError as error:
            raise SmsUnavailable(f"POST sms: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise SmsUnavailable(f"POST sms: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise SmsRejected(response.status_code, response.text[:300])
        try:
            return response.json()
        except ValueError as error:
            raise SmsUnavailable("SMS outbox answer is not JSON") from error

    def send(self, message: SmsMessage) -> SmsReceipt:
        """Put the message in the outbox; returns its receipt."""
        answer = self._request(message.dict())
        receipt = SmsReceipt(id=str(answer.get("id", "")), status=str(answer.get("status", "")))
        logger.info("text message queued in the outbox", extra={"sms_id": receipt.id})
        return receipt
