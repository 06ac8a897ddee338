"""The council's location directory: loads ``places.yml`` into typed, frozen objects.

This module owns the directory file's format, its validation and the opening-hours rules
(open now, next opening, whether a booking fits inside the hours). It is pure: no database,
no network, no clock of its own (every function takes the moment it reasons about).

A council swaps the file by its profile folder (``kb/councils/<slug>/places.yml``, chosen by
the ``COUNCIL`` setting); :func:`load_directory` refuses a bad file with
:class:`PlacesError`, whose message names the file, the place and the field.

Opening hours are minutes from midnight of the day they start: ``"18:00-01:00"`` is stored
as ``(1080, 1500)`` and runs past midnight into the next day (issue #5, overnight pay points).
The text of a range is read by :func:`lib.opening_hours.parse_time_range`, as the council
profile's hours are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from lib.opening_hours import MINUTES_PER_DAY, WEEKDAYS, OpeningHoursError, parse_time_range
from lib.units import hours_text
from lib.yaml_files import load_yaml

PLACE_TYPES = (
    "library",
    "community_hub",
    "jobcentre",
    "work_club",
    "wifi_hotspot",
    "pay_point",
)
FEATURES = (
    "wifi",
    "printing",
    "screen_reader",
    "large_key_keyboard",
    "hearing_loop",
    "step_free",
)
SERVICES = (
    "universal_credit_support",
    "digital_skills_class",
    "digital_skills_drop_in",
    "work_club",
    "job_search",
    "bill_payments",
)

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# How far ahead "next opening" looks: a place shut for longer has no next opening.
_LOOKAHEAD_DAYS = 21


class PlacesError(ValueError):
    """The directory file is missing or malformed; the message names file, place and field."""


@dataclass(frozen=True)
class Interval:
    """One opening period, in minutes from midnight of the day it starts."""

    start: int
    end: int

    def label(self) -> str:
        """``"09:00-17:00"``, as written in the file."""
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


@dataclass(frozen=True)
class Facilities:
    """What a place has for residents."""

    public_pcs: int
    bookable_pcs: int
    wifi: bool
    printing: bool
    screen_reader: bool
    large_key_keyboard: bool
    hearing_loop: bool
    step_free: bool

    def has(self, feature: str) -> bool:
        """Whether the place has a facility (``FEATURES``, ``public_pcs`` or ``bookable_pcs``)."""
        if feature in ("public_pcs", "bookable_pcs"):
            return getattr(self, feature) > 0
        return bool(getattr(self, feature))


@dataclass(frozen=True)
class Place:
    """One place in the directory."""

    id: str
    name: str
    type: str
    address: str
    postcode: str
    phone: str
    hours: tuple[tuple[Interval, ...], ...]  # seven entries, Monday first
    closures: dict[date, str] = field(hash=False)
    facilities: Facilities
    staff_help: bool
    services: frozenset[str]
    sessions: dict[str, str] = field(hash=False)
    how_to_book: str

    def is_closed_on(self, day: date) -> bool:
        """Whether the day is one of the place's closures."""
        return day in self.closures

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """The periods that start on a day (none on a closure)."""
        if self.is_closed_on(day):
            return ()
        return self.hours[day.weekday()]

    def open_periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """Naive local start and end of every period starting on ``day``."""
        midnight = datetime.combine(day, datetime.min.time())
        return [
            (midnight + timedelta(minutes=i.start), midnight + timedelta(minutes=i.end))
            for i in self.intervals_on(day)
        ]

    def open_until(self, at: datetime) -> datetime | None:
        """When the period the place is open in at ``at`` ends, or None if it is closed.

        Args:
            at: a naive local time (the council's timezone).
        """
        for day in (at.date() - timedelta(days=1), at.date()):
            for start, end in self.open_periods(day):
                if start <= at < end:
                    return end
        return None

    def is_open(self, at: datetime) -> bool:
        """Whether the place is open at a naive local time."""
        return self.open_until(at) is not None

    def next_opening(self, at: datetime) -> datetime | None:
        """The start of the next period after ``at`` (naive local), within three weeks."""
        for offset in range(_LOOKAHEAD_DAYS + 1):
            for start, _end in self.open_periods(at.date() + timedelta(days=offset)):
                if start > at:
                    return start
        return None

    def fits_opening(self, start: datetime, end: datetime) -> bool:
        """Whether ``[start, end)`` (naive local) lies inside one opening period."""
        for day in (start.date() - timedelta(days=1), start.date()):
            for period_start, period_end in self.open_periods(day):
                if period_start <= start and end <= period_end:
                    return True
        return False


@dataclass(frozen=True)
class Directory:
    """The whole directory file."""

    path: Path
    sample_data: bool
    slot_minutes: int
    max_minutes: int
    places: tuple[Place, ...]
    #: How many days ahead a PC can be booked (today counts as day 0).
    horizon_days: int = 14
    #: Bookings one conversation may hold at once (booked and not yet ended).
    max_active_per_conversation: int = 3

    def get(self, place_id: str) -> Place | None:
        """The place with this id, if any."""
        return next((place for place in self.places if place.id == place_id), None)

    def find_by_name(self, text: str) -> Place | None:
        """A place whose id or name matches the text (case and spacing ignored)."""
        wanted = " ".join(text.lower().replace("-", " ").split())
        if not wanted:
            return None
        for place in self.places:
            if wanted in (place.name.lower(), place.id.replace("-", " ")):
                return place
        matches = [p for p in self.places if wanted in p.name.lower()]
        return matches[0] if len(matches) == 1 else None


def day_hours(place: Place, day: date) -> str:
    """When a place is open on a day, as words: ``9am to 1pm and 2pm to 5pm``."""
    return hours_text((i.start, i.end) for i in place.hours[day.weekday()])


def week_hours(place: Place) -> str:
    """The weekly opening hours: ``Monday 9am to 5pm, Tuesday ...``; "" when never open."""
    open_days = [
        f"{WEEKDAYS[index].capitalize()} {hours_text((i.start, i.end) for i in intervals)}"
        for index, intervals in enumerate(place.hours)
        if intervals
    ]
    return ", ".join(open_days)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class _Checker:
    """Reads one place's fields, raising errors that name the file, place and field."""

    def __init__(self, path: Path, place_id: str) -> None:
        self.path = path
        self.place_id = place_id

    def fail(self, field_name: str, problem: str) -> PlacesError:
        return PlacesError(f"{self.path}: place '{self.place_id}', field '{field_name}': {problem}")

    def text(self, data: dict[str, Any], key: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise self.fail(key, "is required")
            return ""
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise self.fail(key, "must be text")
        return str(value).strip()

    def interval(self, key: str, text: Any) -> Interval:
        try:
            start, end = parse_time_range(text)
        except OpeningHoursError as error:
            raise self.fail(key, str(error)) from None
        if end == start:
            raise self.fail(key, f"'{text}' opens and closes at the same time")
        if end < start:
            end += MINUTES_PER_DAY  # runs past midnight
        return Interval(start, end)

    def hours(self, data: Any) -> tuple[tuple[Interval, ...], ...]:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise self.fail("hours", "must map weekdays to lists of time ranges")
        unknown = sorted(set(map(str, data)) - set(WEEKDAYS))
        if unknown:
            raise self.fail("hours", f"unknown weekday {unknown[0]!r}")
        week = []
        for day in WEEKDAYS:
            ranges = data.get(day) or []
            if not isinstance(ranges, list):
                raise self.fail(f"hours.{day}", "must be a list of time ranges")
            intervals = sorted(
                (self.interval(f"hours.{day}", text) for text in ranges), key=lambda i: i.start
            )
            for before, after in zip(intervals, intervals[1:], strict=False):
                if after.start < before.end:
                    raise self.fail(f"hours.{day}", "time ranges overlap")
            week.append(tuple(intervals))
        return tuple(week)

    def closures(self, data: Any) -> dict[date, str]:
        if data is None:
            return {}
        if not isinstance(data, list):
            raise self.fail("closures", "must be a list of {date, reason}")
        found: dict[date, str] = {}
        for entry in data:
            if not isinstance(entry, dict) or not isinstance(entry.get("date"), date):
                raise self.fail("closures", f"{entry!r} needs a date like 2026-12-25")
            found[entry["date"]] = str(entry.get("reason") or "closed")
        return found

    def facilities(self, data: Any) -> Facilities:
        if not isinstance(data, dict):
            raise self.fail("facilities", "is required and must be a mapping")
        counts = {}
        for key in ("public_pcs", "bookable_pcs"):
            value = data.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise self.fail(f"facilities.{key}", "must be a whole number, 0 or more")
            counts[key] = value
        if counts["bookable_pcs"] > counts["public_pcs"]:
            raise self.fail("facilities.bookable_pcs", "cannot be more than public_pcs")
        flags = {}
        for key in FEATURES:
            value = data.get(key)
            if not isinstance(value, bool):
                raise self.fail(f"facilities.{key}", "must be true or false")
            flags[key] = value
        unknown = sorted(set(map(str, data)) - set(FEATURES) - set(counts))
        if unknown:
            raise self.fail(f"facilities.{unknown[0]}", "is not a known facility")
        return Facilities(**counts, **flags)

    def services(self, data: Any) -> frozenset[str]:
        if data is None:
            return frozenset()
        if not isinstance(data, list):
            raise self.fail("services", "must be a list")
        for service in data:
            if service not in SERVICES:
                raise self.fail("services", f"unknown service {service!r}")
        return frozenset(data)


def _place(path: Path, data: Any, index: int) -> Place:
    if not isinstance(data, dict):
        raise PlacesError(f"{path}: place number {index + 1}: must be a mapping")
    place_id = data.get("id")
    if not isinstance(place_id, str) or not _ID.match(place_id):
        raise PlacesError(
            f"{path}: place number {index + 1}, field 'id': must be lower-case letters, digits "
            "and hyphens"
        )
    check = _Checker(path, place_id)
    from lib.postcodes.normalise import normalise_postcode

    raw_postcode = check.text(data, "postcode")
    postcode = normalise_postcode(raw_postcode)
    if postcode is None:
        raise check.fail("postcode", f"'{raw_postcode}' is not a well-formed UK postcode")
    place_type = check.text(data, "type")
    if place_type not in PLACE_TYPES:
        raise check.fail("type", f"'{place_type}' is not one of {', '.join(PLACE_TYPES)}")
    services = check.services(data.get("services"))
    sessions = data.get("sessions") or {}
    if not isinstance(sessions, dict) or any(key not in services for key in sessions):
        raise check.fail("sessions", "must map services the place offers to when they run")
    return Place(
        id=place_id,
        name=check.text(data, "name"),
        type=place_type,
        address=check.text(data, "address"),
        postcode=postcode,
        phone=check.text(data, "phone", required=False),
        hours=check.hours(data.get("hours")),
        closures=check.closures(data.get("closures")),
        facilities=check.facilities(data.get("facilities")),
        staff_help=_flag(check, data, "staff_help"),
        services=services,
        sessions={str(k): str(v) for k, v in sessions.items()},
        how_to_book=check.text(data, "how_to_book"),
    )


def _flag(check: _Checker, data: dict[str, Any], key: str) -> bool:
    value = data.get(key)
    if not isinstance(value, bool):
        raise check.fail(key, "must be true or false")
    return value


def load_directory(path: Path) -> Directory:
    """Load and validate a council's directory file.

    Args:
        path: the ``places.yml`` file.

    Returns:
        The directory, every place checked.

    Raises:
        PlacesError: naming the file, place and field when anything is missing or malformed.
    """
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise PlacesError(f"{path}: file not found") from error
    except yaml.YAMLError as error:
        raise PlacesError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(data, dict) or not isinstance(data.get("places"), list):
        raise PlacesError(f"{path}: expected a mapping with a 'places' list")
    if not data["places"]:
        raise PlacesError(f"{path}: 'places' is empty")
    booking = data.get("booking") or {}
    slot = booking.get("slot_minutes", 30)
    longest = booking.get("max_minutes", 120)
    if not isinstance(slot, int) or not 5 <= slot <= 240 or MINUTES_PER_DAY % slot:
        raise PlacesError(f"{path}: 'booking.slot_minutes' must divide a day (5 to 240)")
    if not isinstance(longest, int) or longest < slot or longest % slot:
        raise PlacesError(f"{path}: 'booking.max_minutes' must be a multiple of slot_minutes")
    horizon = booking.get("horizon_days", 14)
    most = booking.get("max_active_per_conversation", 3)
    if not isinstance(horizon, int) or not 0 <= horizon <= 366:
        raise PlacesError(f"{path}: 'booking.horizon_days' must be a whole number, 0 to 366")
    if not isinstance(most, int) or not 1 <= most <= 100:
        raise PlacesError(
            f"{path}: 'booking.max_active_per_conversation' must be a whole number, 1 to 100"
        )
    places = tuple(_place(path, entry, index) for index, entry in enumerate(data["places"]))
    seen: set[str] = set()
    for place in places:
        if place.id in seen:
            raise PlacesError(f"{path}: place '{place.id}', field 'id': used twice")
        seen.add(place.id)
    return Directory(
        path=path,
        sample_data=bool(data.get("sample_data", False)),
        slot_minutes=slot,
        max_minutes=longest,
        places=places,
        horizon_days=horizon,
        max_active_per_conversation=most,
    )
