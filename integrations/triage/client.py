"""HTTP client of the triage queue of the council services.

One private method, :meth:`TriageClient._request`, does all the HTTP with explicit
timeouts; tests replace it or pass an ``httpx`` transport.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx

from integrations.endpoint import Endpoint
from integrations.triage.errors import TriageRejected, TriageUnavailable
from integrations.triage.models import (
    Contact,
    ContactUpdate,
    TriageAddition,
    TriageRecord,
    TriageRecordJson,
    UndeliveredNotice,
)
from lib.idempotency import IDEMPOTENCY_HEADER
from lib.pooled_http import PooledClient

logger = logging.getLogger(__name__)


class TriageClient:
    """Creates and updates triage records."""

    def __init__(
        self,
        base_url: str,
        token: str,
        connect_timeout_s: float = 2.0,
        read_timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._root = base_url.rstrip("/") + "/api/v1"
        self._http = PooledClient(
            httpx.Timeout(read_timeout_s, connect=connect_timeout_s),
            {"Authorization": f"Bearer {token}"},
            transport,
        )

    async def _request(
        self,
        method: str,
        path: str,
        body: Mapping[str, object],
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Send one JSON request and return the decoded body (``{}`` for 204 No Content).

        Raises:
            TriageUnavailable: connection failure, timeout, 5xx or a body that is not JSON.
            TriageRejected: any 4xx.
        """
        url = f"{self._root}{path}"
        try:
            response = await self._http.get().request(method, url, json=body, headers=headers)
        except httpx.HTTPError as error:
            raise TriageUnavailable(f"{method} {path}: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise TriageUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code >= 400:
            raise TriageRejected(response.status_code, response.text[:300])
        if response.status_code == 204:
            return {}
        try:
            return response.json()
        except ValueError as error:
            raise TriageUnavailable("triage response is not JSON") from error

    async def create(self, record: TriageRecord, idempotency_key: str | None = None) -> str:
        """Create (or, for a reference it already has, confirm) a record; returns its reference.

        Every attempt carries an ``Idempotency-Key`` header (by default the record's own
        reference), so a retry after a timeout returns the first record.
        """
        key = idempotency_key or record.get("reference")
        headers = {IDEMPOTENCY_HEADER: str(key)} if key else None
        body: TriageRecordJson = await self._request("POST", "/triage", dict(record), headers)
        reference = str(body.get("reference") or record.get("reference"))
        logger.info("triage record created", extra={"reference": reference})
        return reference

    async def add_contact(
        self, reference: str, contact: Contact, conversation_id: str | None
    ) -> None:
        """Attach consented contact details to a record this conversation created.

        The council services refuse (403, :class:`TriageRejected`) a conversation id that
        is not the record's.
        """
        body: ContactUpdate = {"contact": contact, "conversation_id": conversation_id}
        await self._request("PATCH", f"/triage/{reference}", body)

    async def report_undelivered(self, notice: UndeliveredNotice) -> None:
        """Put an item the council services refused on the staff console's list.

        Args:
            notice: the item's references, the reason and times (no personal data).
        """
        await self._request("PUT", f"/undelivered/{notice['reference']}", notice)

    async def clear_undelivered(self, reference: str) -> None:
        """Take an item off the staff console's list: it was delivered after all."""
        await self._request("DELETE", f"/undelivered/{reference}", {})

    async def get(self, reference: str) -> TriageRecordJson:
        """Read a record back (its ``status`` is ``new``, ``claimed`` or ``resolved``).

        Raises:
            TriageRejected: 404 when there is no such record.
        """
        record: TriageRecordJson = await self._request("GET", f"/triage/{reference}", {})
        return record

    async def add(self, reference: str, addition: TriageAddition) -> str:
        """Add a later part of the same conversation to its open record; returns the reference.

        The council services refuse (:class:`TriageRejected`) with 403 a conversation that
        is not the record's, and with 409 a record staff have resolved.
        """
        await self._request("POST", f"/triage/{reference}/additions", addition)
        logger.info("triage record added to", extra={"reference": reference})
        return reference


def get_triage_client(endpoint: Endpoint) -> TriageClient:
    """A client of the triage queue at ``endpoint`` (staff API token); the caller keeps it."""
    return TriageClient(
        endpoint.base_url,
        endpoint.token,
        connect_timeout_s=endpoint.connect_timeout_s,
        read_timeout_s=endpoint.read_timeout_s,
    )
