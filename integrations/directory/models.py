"""Typed shapes of the directory API (``/api/v1/places`` and PC bookings).

The ``...Json`` and ``...Request`` TypedDicts are the bodies on the wire, as the council
services define them (``web/booking_models.py``), and ``PlaceSearchParams`` the query of a
search (``web/api/routes/places.py``); a test keeps each pair in step. The
dataclasses are what the actions use, read from those bodies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypedDict


class BookingRequest(TypedDict):
    """The body of ``POST /api/v1/places/{id}/bookings``."""

    date: str  # the day, local, YYYY-MM-DD
    time: str  # start, local, 24-hour HH:MM
    minutes: int
    conversation_id: str | None  # the only conversation that may cancel it


class CancelRequest(TypedDict):
    """The body of ``DELETE /api/v1/bookings/{reference}``."""

    conversation_id: str  # must be the one that booked


class BookingJson(TypedDict):
    """A booking as the API returns it."""

    reference: str  # PC-XXXXXX
    status: str  # booked or cancelled
    place_id: str
    place_name: str
    address: str
    pc_number: int
    date: str  # local, YYYY-MM-DD
    time: str  # local start, HH:MM
    end_time: str  # local end, HH:MM
    minutes: int
    starts_at: str  # ISO 8601 with the local UTC offset
    ends_at: str
    created_at: str
    cancelled_at: str | None
    assisted: bool  # booked by library staff in an assisted session


class FacilitiesJson(TypedDict):
    """What a place has."""

    public_pcs: int
    bookable_pcs: int
    wifi: bool
    printing: bool
    screen_reader: bool
    large_key_keyboard: bool
    hearing_loop: bool
    step_free: bool


class ClosureJson(TypedDict):
    """A day a place is shut."""

    date: str  # YYYY-MM-DD
    reason: str


class PlaceJson(TypedDict):
    """One place as the API returns it (times are the council's local time)."""

    id: str
    name: str
    type: str
    address: str
    postcode: str
    phone: str
    distance_m: int | None  # from the search's ``near``
    open_now: bool
    open_until: str | None  # local ISO time it closes, if open
    next_opening: str | None  # local ISO time it next opens
    hours: dict[str, list[str]]  # weekday to HH:MM-HH:MM ranges
    closures: list[ClosureJson]
    facilities: FacilitiesJson
    staff_help: bool
    services: list[str]
    sessions: dict[str, str]
    how_to_book: str


class NearJson(TypedDict):
    """Where a search measured from."""

    query: str
    postcode: str | None
    place_id: str | None


class PlaceSearchParams(TypedDict, total=False):
    """The query parameters of ``GET /api/v1/places`` the assistant sends (all filters hold).

    The service takes ``at`` too (judge opening at another moment); the assistant asks
    about now.
    """

    near: str  # a postcode, or a place's name or id
    type: list[str]
    feature: list[str]
    service: list[str]
    open_now: bool
    limit: int


class PlaceListJson(TypedDict):
    """The answer of ``GET /api/v1/places``."""

    near: NearJson | None
    at: str  # the local moment ``open_now`` refers to
    timezone: str
    sample_data: bool
    count: int
    places: list[PlaceJson]


def _datetime(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass(frozen=True)
class PlaceQuery:
    """What to search for: all filters must hold."""

    near: str | None = None
    types: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    open_now: bool | None = None
    limit: int = 3

    def search_params(self) -> PlaceSearchParams:
        """The parameters of ``GET /api/v1/places`` this query sends, before encoding."""
        params: PlaceSearchParams = {"limit": self.limit}
        if self.near:
            params["near"] = self.near
        if self.types:
            params["type"] = list(self.types)
        if self.features:
            params["feature"] = list(self.features)
        if self.services:
            params["service"] = list(self.services)
        if self.open_now is not None:
            params["open_now"] = self.open_now
        return params

    def params(self) -> list[tuple[str, str]]:
        """The query string of ``GET /api/v1/places``: a list repeats its name."""
        return encode_query(self.search_params())


def _query_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def encode_query(params: Mapping[str, object]) -> list[tuple[str, str]]:
    """Query-string pairs of typed parameters: lists repeat the name, booleans are lower case."""
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        values = value if isinstance(value, list) else [value]
        pairs += [(name, _query_text(item)) for item in values]
    return pairs


@dataclass(frozen=True)
class Place:
    """One place as the directory returns it (times are the council's local time)."""

    id: str
    name: str
    type: str
    address: str
    postcode: str
    phone: str
    distance_m: int | None
    open_now: bool
    open_until: datetime | None
    next_opening: datetime | None
    hours: dict[str, list[str]] = field(hash=False)
    closures: dict[date, str] = field(hash=False)
    facilities: dict[str, Any] = field(hash=False)
    staff_help: bool = False
    services: tuple[str, ...] = ()
    sessions: dict[str, str] = field(default_factory=dict, hash=False)
    how_to_book: str = ""

    @classmethod
    def from_json(cls, item: PlaceJson) -> Place:
        """Build from one entry of the API's ``places`` list."""
        return cls(
            id=str(item["id"]),
            name=str(item["name"]),
            type=str(item["type"]),
            address=str(item.get("address") or ""),
            postcode=str(item.get("postcode") or ""),
            phone=str(item.get("phone") or ""),
            distance_m=item.get("distance_m"),
            open_now=bool(item.get("open_now")),
            open_until=_datetime(item.get("open_until")),
            next_opening=_datetime(item.get("next_opening")),
            hours={str(k): list(v) for k, v in (item.get("hours") or {}).items()},
            closures={
                date.fromisoformat(c["date"]): str(c.get("reason") or "")
                for c in item.get("closures") or []
            },
            facilities=dict(item.get("facilities") or {}),
            staff_help=bool(item.get("staff_help")),
            services=tuple(item.get("services") or ()),
            sessions={str(k): str(v) for k, v in (item.get("sessions") or {}).items()},
            how_to_book=str(item.get("how_to_book") or ""),
        )

    @property
    def bookable_pcs(self) -> int:
        """How many PCs can be booked here."""
        return int(self.facilities.get("bookable_pcs") or 0)

    def has(self, feature: str) -> bool:
        """Whether the place has a facility, PCs of a kind, or staff help (``staff_help``)."""
        if feature == "staff_help":
            return self.staff_help
        value = self.facilities.get(feature)
        return bool(value) and value is not False


@dataclass(frozen=True)
class Booking:
    """A public PC booking."""

    reference: str
    status: str
    place_id: str
    place_name: str
    pc_number: int
    date: date
    time: str
    end_time: str
    minutes: int

    @classmethod
    def from_json(cls, item: BookingJson) -> Booking:
        """Build from the API's booking shape."""
        return cls(
            reference=str(item["reference"]),
            status=str(item["status"]),
            place_id=str(item["place_id"]),
            place_name=str(item.get("place_name") or item["place_id"]),
            pc_number=int(item["pc_number"]),
            date=date.fromisoformat(item["date"]),
            time=str(item["time"]),
            end_time=str(item.get("end_time") or ""),
            minutes=int(item["minutes"]),
        )
