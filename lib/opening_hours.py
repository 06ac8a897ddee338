"""Weekly opening hours with closed days, in a named time zone (UK: ``Europe/London``).

The one reader of opening-hours text (``"08:30-17:00"``, :func:`parse_time_range`): the
council profile's contact centre hours here, and the location directory's places
(``web/places.py``), which also allow a range past midnight.

Pure: no I/O, no clock. The caller passes the current time, so tests fix it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: Day names as written in profile files, Monday first (``datetime.weekday()`` order).
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MINUTES_PER_DAY = 24 * 60
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
#: How far ahead to look for the next opening (covers Christmas and a long closure).
_SEARCH_DAYS = 31


class OpeningHoursError(ValueError):
    """Opening hours that cannot be read; the message says which value."""


@dataclass(frozen=True)
class Span:
    """One opening span of a day, ``start`` inclusive, ``end`` exclusive (local time)."""

    start: time
    end: time


@dataclass(frozen=True)
class OpeningHours:
    """When a service is open.

    Attributes:
        timezone: IANA time zone the hours are written in.
        weekly: day index (Monday 0) to the spans open on that day; absent days are closed.
        closed_on: dates closed whatever the weekday (bank holidays).
    """

    timezone: str
    weekly: Mapping[int, tuple[Span, ...]]
    closed_on: frozenset[date] = field(default_factory=frozenset)

    def _spans(self, day: date) -> tuple[Span, ...]:
        return () if day in self.closed_on else self.weekly.get(day.weekday(), ())

    def local(self, now: datetime) -> datetime:
        """``now`` (time-zone aware) in the hours' own time zone."""
        if now.tzinfo is None:
            raise OpeningHoursError("the current time must carry a time zone")
        return now.astimezone(ZoneInfo(self.timezone))

    def is_open(self, now: datetime) -> bool:
        """Whether the service is open at ``now``."""
        local = self.local(now)
        moment = local.time().replace(tzinfo=None)
        return any(span.start <= moment < span.end for span in self._spans(local.date()))

    def next_opening(self, now: datetime) -> datetime | None:
        """The next time it opens after ``now``, in local time; None if not within a month."""
        local = self.local(now)
        zone = ZoneInfo(self.timezone)
        for offset in range(_SEARCH_DAYS + 1):
            day = local.date() + timedelta(days=offset)
            for span in self._spans(day):
                opening = datetime.combine(day, span.start, tzinfo=zone)
                if opening > local:
                    return opening
        return None


def parse_time_range(text: object) -> tuple[int, int]:
    """Read ``"09:00-17:00"`` as minutes from midnight: ``(540, 1020)``.

    ``24:00`` is the end of the day (1440). The end may come before the start, or equal
    it: whether a range may run past midnight (``"18:00-01:00"``) is the caller's rule.

    Args:
        text: the range as written in a file.

    Returns:
        The start and end, in minutes from midnight.

    Raises:
        OpeningHoursError: text that is not two times of day joined by a hyphen.
    """
    match = _SPAN.match(text) if isinstance(text, str) else None
    if not match:
        raise OpeningHoursError(f"{text!r} is not a time range like '09:00-17:00'")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        raise OpeningHoursError(f"{text!r} has a time that does not exist")
    return h1 * 60 + m1, h2 * 60 + m2


def _span(text: str, where: str) -> Span:
    try:
        start, end = parse_time_range(text)
    except OpeningHoursError as error:
        raise OpeningHoursError(f"{where}: {error}") from None
    if end <= start:
        raise OpeningHoursError(f"{where}: {text!r} closes before it opens")
    return Span(
        time(*divmod(start, 60)), time.max if end == MINUTES_PER_DAY else time(*divmod(end, 60))
    )


def parse_opening_hours(
    weekly: Mapping[str, str | Iterable[str]],
    closed_on: Iterable[date | str] = (),
    timezone: str = "Europe/London",
) -> OpeningHours:
    """Read ``{monday: "08:30-17:00", saturday: ["09:00-12:00"]}`` and closed dates.

    Raises:
        OpeningHoursError: an unknown day, a malformed span, date or time zone.
    """
    try:
        ZoneInfo(timezone)
    except (KeyError, ValueError) as error:
        raise OpeningHoursError(f"unknown time zone {timezone!r}") from error
    days: dict[int, tuple[Span, ...]] = {}
    for name, spans in weekly.items():
        key = str(name).strip().lower()
        if key not in WEEKDAYS:
            raise OpeningHoursError(f"{name!r} is not a day of the week")
        listed = [spans] if isinstance(spans, str) else list(spans)
        days[WEEKDAYS.index(key)] = tuple(_span(str(span), key) for span in listed)
    closed: set[date] = set()
    for value in closed_on:
        try:
            closed.add(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError as error:
            raise OpeningHoursError(f"closed_on: {value!r} is not a date") from error
    return OpeningHours(timezone=timezone, weekly=days, closed_on=frozenset(closed))


def clock_time(moment: time | datetime) -> str:
    """A time as people in the UK say it: ``8.30am``, ``9am``, ``12pm``, ``5.15pm``."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    minutes = f".{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{suffix}"
