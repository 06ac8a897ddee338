"""An in-memory Open311 server double with the client's interface, for unit tests."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone

from integrations.open311.errors import Open311NotFound, Open311Unavailable
from integrations.open311.models import NewServiceRequest, Service, ServiceRequest
from lib.references import REFERENCE_ALPHABET


class FakeOpen311Client:
    """Keeps reports in a dict; set ``available = False`` to simulate an outage."""

    def __init__(
        self, services: list[Service] | None = None, notices: dict[str, str] | None = None
    ) -> None:
        self.services_list = services or []
        #: The ``service_notice`` each new request of a service code carries.
        self.notices = notices or {}
        self.requests: dict[str, ServiceRequest] = {}
        self.submitted: list[NewServiceRequest] = []
        self.available = True
        self._ids = itertools.count(1)
        self._by_key: dict[str, str] = {}

    def _check(self) -> None:
        if not self.available:
            raise Open311Unavailable("fake outage")

    async def services(self) -> list[Service]:
        """The configured services."""
        self._check()
        return list(self.services_list)

    async def submit(self, request: NewServiceRequest) -> str:
        """Store the report and return a new id (the first one again for a known key)."""
        self._check()
        if request.idempotency_key in self._by_key:
            return self._by_key[request.idempotency_key]
        number = next(self._ids)
        suffix = "".join(REFERENCE_ALPHABET[(number >> (5 * i)) % 32] for i in range(6))
        request_id = f"SR-{suffix}"
        now = datetime.now(timezone.utc).isoformat()
        self.submitted.append(request)
        if request.idempotency_key:
            self._by_key[request.idempotency_key] = request_id
        self.requests[request_id] = ServiceRequest(
            service_request_id=request_id,
            status="open",
            service_code=request.service_code,
            description=request.description,
            address=request.address_string or "",
            lat=request.lat,
            long=request.long,
            requested_datetime=now,
            updated_datetime=now,
            service_notice=self.notices.get(request.service_code, ""),
        )
        return request_id

    async def get_request(self, service_request_id: str) -> ServiceRequest:
        """One stored report."""
        self._check()
        try:
            return self.requests[service_request_id]
        except KeyError:
            raise Open311NotFound(service_request_id) from None

    async def find_requests(
        self, service_code: str | None = None, status: str | None = None
    ) -> list[ServiceRequest]:
        """Stored reports matching the filters."""
        self._check()
        return [
            r
            for r in self.requests.values()
            if (service_code is None or r.service_code == service_code)
            and (status is None or r.status == status)
        ]
