"""HTTP client of the council's Open311 GeoReport v2 endpoint.

One private method, :meth:`Open311Client._request`, does all the HTTP with explicit
timeouts and turns every outcome into a result or an :mod:`integrations.open311.errors`
exception. Tests replace that method (or pass an ``httpx`` transport).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from integrations.endpoint import Endpoint
from integrations.open311.errors import (
    Open311NotFound,
    Open311Rejected,
    Open311Unavailable,
)
from integrations.open311.models import (
    NewServiceRequest,
    Service,
    ServiceJson,
    ServiceRequest,
    ServiceRequestCreatedJson,
    ServiceRequestJson,
)
from lib.idempotency import IDEMPOTENCY_HEADER
from lib.pooled_http import PooledClient

logger = logging.getLogger(__name__)


class Open311Client:
    """Talks GeoReport v2 to one endpoint (``<base_url>/open311/v2``)."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        jurisdiction_id: str = "",
        connect_timeout_s: float = 2.0,
        read_timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._root = base_url.rstrip("/") + "/open311/v2"
        self._api_key = api_key
        self._jurisdiction_id = jurisdiction_id
        self._http = PooledClient(
            httpx.Timeout(read_timeout_s, connect=connect_timeout_s), transport=transport
        )

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._http.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Send one request and return the decoded JSON body.

        Raises:
            Open311Unavailable: connection failure, timeout, 5xx or a body that is not JSON.
            Open311NotFound: HTTP 404.
            Open311Rejected: HTTP 400/403 (or another 4xx) with the server's error array.
        """
        query = dict(params or {})
        if self._jurisdiction_id and form is None:
            query["jurisdiction_id"] = self._jurisdiction_id
        try:
            response = await self._http.get().request(
                method, f"{self._root}/{path}", params=query or None, data=form, headers=headers
            )
        except httpx.HTTPError as error:
            raise Open311Unavailable(f"{method} {path}: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise Open311Unavailable(f"{method} {path}: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as error:
            raise Open311Unavailable(f"{method} {path}: response is not JSON") from error
        if response.status_code == 404:
            raise Open311NotFound(_error_text(body))
        if response.status_code >= 400:
            code, description = _first_error(body, response.status_code)
            raise Open311Rejected(response.status_code, code, description)
        return body

    async def services(self) -> list[Service]:
        """The services the council accepts reports for."""
        body: list[ServiceJson] = await self._request("GET", "services.json")
        return [Service.from_json(item) for item in body]

    async def submit(self, request: NewServiceRequest) -> str:
        """Create a report and return its ``service_request_id``.

        The request's idempotency key, when it has one, goes in the ``Idempotency-Key``
        header: a server that knows it answers with the first report instead of a new one,
        and a GeoReport v2 server that does not simply ignores it.
        """
        form = request.to_form(self._api_key, self._jurisdiction_id)
        headers = {IDEMPOTENCY_HEADER: request.idempotency_key} if request.idempotency_key else None
        body: list[ServiceRequestCreatedJson] = await self._request(
            "POST", "requests.json", form=form, headers=headers
        )
        if not isinstance(body, list) or not body or "service_request_id" not in body[0]:
            raise Open311Unavailable("POST requests.json: no service_request_id in response")
        request_id = str(body[0]["service_request_id"])
        logger.info("open311 request created", extra={"service_request_id": request_id})
        return request_id

    async def get_request(self, service_request_id: str) -> ServiceRequest:
        """One report by id.

        Raises:
            Open311NotFound: when the council has no report with that id.
        """
        body: list[ServiceRequestJson] = await self._request(
            "GET", f"requests/{service_request_id}.json"
        )
        if not isinstance(body, list) or not body:
            raise Open311NotFound(service_request_id)
        return ServiceRequest.from_json(body[0])

    async def find_requests(
        self, service_code: str | None = None, status: str | None = None
    ) -> list[ServiceRequest]:
        """Reports filtered by service code and status (GeoReport's default window)."""
        params = {}
        if service_code:
            params["service_code"] = service_code
        if status:
            params["status"] = status
        body: list[ServiceRequestJson] = await self._request("GET", "requests.json", params=params)
        return [ServiceRequest.from_json(item) for item in body]


def _first_error(body: Any, status: int) -> tuple[int | str, str]:
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return body[0].get("code", status), str(body[0].get("description", ""))
    return status, str(body)[:200]


def _error_text(body: Any) -> str:
    return _first_error(body, 404)[1]


def get_open311_client(endpoint: Endpoint, jurisdiction_id: str = "") -> Open311Client:
    """A client of the Open311 endpoint; the caller keeps it for the process.

    Args:
        endpoint: the GeoReport server and its API key.
        jurisdiction_id: sent with every call (the setting, else the council profile's).
    """
    return Open311Client(
        endpoint.base_url,
        endpoint.token,
        jurisdiction_id=jurisdiction_id,
        connect_timeout_s=endpoint.connect_timeout_s,
        read_timeout_s=endpoint.read_timeout_s,
    )
