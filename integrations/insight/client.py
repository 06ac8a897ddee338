"""HTTP client of the council services' insight API: outcome events and answer feedback.

``POST /api/v1/insight/events`` takes one event per ended conversation session,
``POST /api/v1/insight/feedback`` a caller's answer to "Did that answer your question?".

One private method, :meth:`InsightClient._request`, does all the HTTP with explicit
timeouts; tests pass an ``httpx`` transport.
"""

from __future__ import annotations

import httpx

from integrations.endpoint import Endpoint
from integrations.insight.errors import InsightRejected, InsightUnavailable
from integrations.insight.models import AnswerFeedback, OutcomeEvent
from lib.pooled_http import PooledClient


class InsightClient:
    """Posts outcome events and answer feedback with the staff (service) token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        connect_timeout_s: float = 2.0,
        read_timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/api/v1/insight"
        self._http = PooledClient(
            httpx.Timeout(read_timeout_s, connect=connect_timeout_s),
            {"Authorization": f"Bearer {token}"},
            transport,
        )

    async def _request(
        self, body: OutcomeEvent | AnswerFeedback, path: str = "events"
    ) -> httpx.Response:
        """Send one body to ``/api/v1/insight/<path>``.

        Raises:
            InsightUnavailable: connection failure, timeout or 5xx.
            InsightRejected: any 4xx.
        """
        try:
            response = await self._http.get().post(f"{self._url}/{path}", json=body)
        except httpx.HTTPError as error:
            raise InsightUnavailable(f"POST insight/{path}: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise InsightUnavailable(f"POST insight/{path}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise InsightRejected(response.status_code, response.text[:300])
        return response

    async def post_event(self, event: OutcomeEvent) -> bool:
        """Post one outcome event.

        Args:
            event: the event (``workers.outcomes.derive_event``).

        Returns:
            True when the council services stored it now, False when they already had it.
        """
        response = await self._request(event)
        return response.status_code == 201

    async def post_feedback(self, conversation_hash: str, answered: bool, channel: str) -> None:
        """Post one answer to "Did that answer your question?".

        Args:
            conversation_hash: the conversation's one-way id (``lib/conversation_hash.py``),
                never the id itself.
            answered: True for yes, False for no.
            channel: where it was asked, as the ``channel`` slot (``ivr`` on the phone).
        """
        body: AnswerFeedback = {
            "conversation_hash": conversation_hash,
            "answered": answered,
            "channel": channel,
        }
        await self._request(body, "feedback")


def get_insight_client(endpoint: Endpoint) -> InsightClient:
    """A client of the insight API; the caller keeps it for the process.

    Args:
        endpoint: the service that takes outcome events, with the staff (service) token.
    """
    return InsightClient(
        endpoint.base_url,
        endpoint.token,
        connect_timeout_s=endpoint.connect_timeout_s,
        read_timeout_s=endpoint.read_timeout_s,
    )
