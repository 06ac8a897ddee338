"""HTTP client of the council's CRM: council tax accounts and cases, broadband applications.

One private method, :meth:`CrmClient._request`, does all the HTTP with explicit timeouts;
tests replace it or pass an ``httpx`` transport. Every call carries the service token.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from integrations.crm.errors import CrmNotFound, CrmRejected, CrmUnavailable, NotVerified
from integrations.crm.models import (
    AccountSummary,
    Application,
    ApplicationRequest,
    Case,
    CaseRequest,
    Identity,
    VerifyRequest,
)
from lib.pooled_http import PooledClient

logger = logging.getLogger(__name__)


class CrmClient:
    """Talks to ``/api/v1/council-tax`` and ``/api/v1/broadband`` of the council services."""

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
        body: VerifyRequest | CaseRequest | ApplicationRequest | None = None,
    ) -> Any:
        """Send one JSON request and return the decoded body.

        Raises:
            CrmUnavailable: connection failure, timeout, 5xx or a body that is not JSON.
            NotVerified: 403 (details that do not verify an account).
            CrmNotFound: 404.
            CrmRejected: any other 4xx.
        """
        try:
            response = await self._http.get().request(method, f"{self._root}{path}", json=body)
        except httpx.HTTPError as error:
            raise CrmUnavailable(f"{method} {path}: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise CrmUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if response.status_code == 403:
            raise NotVerified
        if response.status_code == 404:
            raise CrmNotFound(path)
        if response.status_code >= 400:
            raise CrmRejected(response.status_code, response.text[:300])
        try:
            return response.json()
        except ValueError as error:
            raise CrmUnavailable("CRM response is not JSON") from error

    async def verify(self, identity: Identity, conversation_id: str = "") -> AccountSummary:
        """The account summary, if the details prove the account is the resident's.

        ``conversation_id`` names the caller: repeated failures lock out that caller only.
        """
        request = identity.verify_request(conversation_id or None)
        return AccountSummary.from_json(await self._request("POST", "/council-tax/verify", request))

    async def create_case(
        self, identity: Identity, kind: str, details: dict[str, Any], conversation_id: str
    ) -> Case:
        """Record a change to an account; the CRM verifies the details again."""
        request = identity.case_request(kind, details, conversation_id)
        case = Case.from_json(await self._request("POST", "/council-tax/cases", request))
        logger.info("council tax case recorded", extra={"reference": case.reference})
        return case

    async def get_case(self, reference: str) -> Case:
        """Read a case back."""
        return Case.from_json(await self._request("GET", f"/council-tax/cases/{reference}"))

    async def create_application(self, application: ApplicationRequest) -> Application:
        """Record a broadband voucher application."""
        body = await self._request("POST", "/broadband/applications", application)
        return Application.from_json(body)

    async def get_application(self, reference: str) -> Application:
        """Read a broadband voucher application back."""
        body = await self._request("GET", f"/broadband/applications/{reference}")
        return Application.from_json(body)
