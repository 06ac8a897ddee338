"""HTTP client of the council's location directory (``/api/v1/places``) and PC bookings.

One private method, :meth:`DirectoryClient._request`, does all the HTTP with explicit
timeouts and turns every outcome into a decoded body or an
:mod:`integrations.directory.errors` exception. Tests pass an ``httpx`` transport.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx

from integrations.directory.errors import DirectoryRejected, DirectoryUnavailable
from integrations.directory.models import (
    Booking,
    BookingJson,
    BookingRequest,
    CancelRequest,
    Place,
    PlaceJson,
    PlaceListJson,
    PlaceQuery,
)
from integrations.endpoint import Endpoint
from lib.pooled_http import PooledClient

logger = logging.getLogger(__name__)


class DirectoryClient:
    """Finds places and books public PCs through the council services API."""

    def __init__(
        self,
        base_url: str,
        connect_timeout_s: float = 2.0,
        read_timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._root = base_url.rstrip("/") + "/api/v1"
        self._http = PooledClient(
            httpx.Timeout(read_timeout_s, connect=connect_timeout_s), transport=transport
        )

    async def _request(
        self,
        method: str,
        path: str,
        params: list[tuple[str, str]] | None = None,
        body: BookingRequest | CancelRequest | None = None,
    ) -> Any:
        """Send one request and return the decoded JSON body.

        Raises:
            DirectoryUnavailable: connection failure, timeout, 5xx or a body that is not JSON.
            DirectoryRejected: any 4xx, with the API's code and message.
        """
        try:
            response = await self._http.get().request(
                method, f"{self._root}/{path}", params=params, json=body
            )
        except httpx.HTTPError as error:
            raise DirectoryUnavailable(f"{method} {path}: {type(error).__name__}") from error
        if response.status_code >= 500:
            raise DirectoryUnavailable(f"{method} {path}: HTTP {response.status_code}")
        try:
            decoded = response.json()
        except ValueError as error:
            raise DirectoryUnavailable(f"{method} {path}: response is not JSON") from error
        if response.status_code >= 400:
            detail = decoded.get("detail") if isinstance(decoded, dict) else None
            limit = None
            if isinstance(detail, dict):
                code, message = str(detail.get("code", "")), str(detail.get("message", ""))
                found = detail.get("limit")
                limit = found if isinstance(found, int) and not isinstance(found, bool) else None
            else:
                code, message = "invalid", str(detail)[:200]
            raise DirectoryRejected(response.status_code, code, message, limit)
        return decoded

    async def search(self, query: PlaceQuery) -> list[Place]:
        """Places nearest first that pass the query's filters."""
        body: PlaceListJson = await self._request("GET", "places", params=query.params())
        return [Place.from_json(item) for item in body.get("places", [])]

    async def place(self, place_id: str) -> Place:
        """One place by id.

        Raises:
            DirectoryRejected: 404 when there is no such place.
        """
        body: PlaceJson = await self._request("GET", f"places/{quote(place_id, safe='')}")
        return Place.from_json(body)

    async def book(
        self, place_id: str, day: date, time: str, minutes: int, conversation_id: str
    ) -> Booking:
        """Book a public PC for this conversation; the reference is in the result.

        Raises:
            DirectoryRejected: with the reason (``in_the_past``, ``fully_booked``, ...).
        """
        request: BookingRequest = {
            "date": day.isoformat(),
            "time": time,
            "minutes": minutes,
            "conversation_id": conversation_id,
        }
        body: BookingJson = await self._request(
            "POST", f"places/{quote(place_id, safe='')}/bookings", body=request
        )
        booking = Booking.from_json(body)
        logger.info("PC booked", extra={"reference": booking.reference})
        return booking

    async def booking(self, reference: str) -> Booking:
        """A booking by reference."""
        body: BookingJson = await self._request("GET", f"bookings/{quote(reference)}")
        return Booking.from_json(body)

    async def cancel(self, reference: str, conversation_id: str) -> Booking:
        """Cancel a booking this conversation made, by reference.

        Raises:
            DirectoryRejected: 404 unknown, 403 ``not_yours`` (another conversation made
                it), 409 already cancelled.
        """
        request: CancelRequest = {"conversation_id": conversation_id}
        body: BookingJson = await self._request(
            "DELETE", f"bookings/{quote(reference)}", body=request
        )
        return Booking.from_json(body)


def get_directory_client(endpoint: Endpoint) -> DirectoryClient:
    """A client of the location directory at ``endpoint`` (no token); the caller keeps it."""
    return DirectoryClient(
        endpoint.base_url,
        connect_timeout_s=endpoint.connect_timeout_s,
        read_timeout_s=endpoint.read_timeout_s,
    )
