"""An in-memory directory with the client's interface, for action tests and local work."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from integrations.directory.errors import DirectoryRejected, DirectoryUnavailable
from integrations.directory.models import Booking, Place, PlaceQuery


class FakeDirectory:
    """Holds places (already in distance order) and bookings; records every query.

    Args:
        places: what searches return, nearest first.
        available: False makes every call fail as if the service were down.
    """

    def __init__(self, places: list[Place] | None = None, available: bool = True) -> None:
        self.places = list(places or [])
        self.available = available
        self.queries: list[PlaceQuery] = []
        self.bookings: dict[str, Booking] = {}
        #: The conversation that made each booking, the only one that may cancel it.
        self.owners: dict[str, str] = {}
        self.refuse_with: DirectoryRejected | None = None

    def _check(self) -> None:
        if not self.available:
            raise DirectoryUnavailable("fake directory is down")

    async def search(self, query: PlaceQuery) -> list[Place]:
        """Places passing the type and feature filters, in the order given."""
        self._check()
        self.queries.append(query)
        if self.refuse_with is not None:
            raise self.refuse_with
        found = [
            place
            for place in self.places
            if (not query.types or place.type in query.types)
            and all(place.has(feature) for feature in query.features)
            and all(service in place.services for service in query.services)
            and (query.open_now is None or place.open_now == query.open_now)
        ]
        return found[: query.limit]

    async def place(self, place_id: str) -> Place:
        """One place by id."""
        self._check()
        for place in self.places:
            if place.id == place_id:
                return place
        raise DirectoryRejected(404, "place_not_found", place_id)

    async def book(
        self, place_id: str, day: date, time: str, minutes: int, conversation_id: str
    ) -> Booking:
        """Book PC 1 (or refuse with ``refuse_with``)."""
        self._check()
        if self.refuse_with is not None:
            raise self.refuse_with
        place = await self.place(place_id)
        reference = f"PC-{len(self.bookings) + 2:06d}".replace("0", "A").replace("1", "B")
        booking = Booking(reference, "booked", place.id, place.name, 1, day, time, "", minutes)
        self.bookings[reference] = booking
        self.owners[reference] = conversation_id
        return booking

    async def booking(self, reference: str) -> Booking:
        """A booking by reference."""
        self._check()
        if reference not in self.bookings:
            raise DirectoryRejected(404, "not_found", reference)
        return self.bookings[reference]

    async def cancel(self, reference: str, conversation_id: str) -> Booking:
        """Cancel a booking this conversation made."""
        booking = await self.booking(reference)
        if self.owners.get(reference) != conversation_id:
            raise DirectoryRejected(403, "not_yours", reference)
        if booking.status == "cancelled":
            raise DirectoryRejected(409, "already_cancelled", reference)
        self.bookings[reference] = replace(booking, status="cancelled")
        return self.bookings[reference]
