"""Opening hours (``lib/opening_hours.py``): open or not, next opening, UK clock times."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lib.opening_hours import (
    OpeningHoursError,
    clock_time,
    parse_opening_hours,
    parse_time_range,
)

LONDON = ZoneInfo("Europe/London")
WEEKDAYS = {day: "08:30-17:00" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")}
HOURS = parse_opening_hours(
    {**WEEKDAYS, "saturday": ["09:00-12:00", "13:00-15:30"]},
    closed_on=["2026-12-25", date(2026, 12, 28)],
)


@pytest.mark.parametrize(
    "moment, expected",
    [
        (datetime(2026, 12, 1, 8, 29, tzinfo=LONDON), False),
        (datetime(2026, 12, 1, 8, 30, tzinfo=LONDON), True),
        (datetime(2026, 12, 1, 16, 59, tzinfo=LONDON), True),
        (datetime(2026, 12, 1, 17, 0, tzinfo=LONDON), False),  # closing time is closed
        (datetime(2026, 12, 5, 12, 30, tzinfo=LONDON), False),  # Saturday lunch
        (datetime(2026, 12, 5, 14, 0, tzinfo=LONDON), True),
        (datetime(2026, 12, 6, 11, 0, tzinfo=LONDON), False),  # Sunday
        (datetime(2026, 12, 25, 11, 0, tzinfo=LONDON), False),  # Christmas Day, a Friday
        (datetime(2026, 12, 28, 11, 0, tzinfo=LONDON), False),  # Boxing Day moved to Monday
    ],
)
def test_is_open(moment: datetime, expected: bool) -> None:
    assert HOURS.is_open(moment) is expected


def test_the_time_zone_follows_british_summer_time() -> None:
    # 8am UTC is 9am in London in July (BST) and 8am in January (GMT).
    assert HOURS.is_open(datetime(2026, 7, 1, 8, 0, tzinfo=timezone.utc))
    assert not HOURS.is_open(datetime(2026, 1, 7, 8, 0, tzinfo=timezone.utc))


def test_next_opening() -> None:
    friday_evening = datetime(2026, 12, 4, 18, 0, tzinfo=LONDON)
    assert HOURS.next_opening(friday_evening) == datetime(2026, 12, 5, 9, 0, tzinfo=LONDON)
    saturday_lunch = datetime(2026, 12, 5, 12, 15, tzinfo=LONDON)
    assert HOURS.next_opening(saturday_lunch) == datetime(2026, 12, 5, 13, 0, tzinfo=LONDON)
    christmas_eve = datetime(2026, 12, 24, 19, 0, tzinfo=LONDON)
    assert HOURS.next_opening(christmas_eve) == datetime(2026, 12, 26, 9, 0, tzinfo=LONDON)
    weekdays_only = parse_opening_hours(WEEKDAYS, ["2026-12-25", "2026-12-28"])
    opens = weekdays_only.next_opening(christmas_eve)
    assert opens == datetime(2026, 12, 29, 8, 30, tzinfo=LONDON)
    assert opens.utcoffset().total_seconds() == 0  # GMT in winter


def test_never_open_has_no_next_opening() -> None:
    never = parse_opening_hours({})
    assert not never.is_open(datetime(2026, 12, 1, 12, tzinfo=LONDON))
    assert never.next_opening(datetime(2026, 12, 1, 12, tzinfo=LONDON)) is None


def test_all_day() -> None:
    always = parse_opening_hours({"sunday": "00:00-24:00"})
    assert always.is_open(datetime(2026, 12, 6, 23, 59, tzinfo=LONDON))


@pytest.mark.parametrize(
    "weekly, closed, zone",
    [
        ({"funday": "09:00-17:00"}, [], "Europe/London"),
        ({"monday": "9-5"}, [], "Europe/London"),
        ({"monday": "17:00-09:00"}, [], "Europe/London"),
        ({"monday": "25:00-26:00"}, [], "Europe/London"),
        ({"monday": "09:00-17:00"}, ["Christmas"], "Europe/London"),
        ({"monday": "09:00-17:00"}, [], "Europe/Stoke"),
    ],
)
def test_bad_hours_are_refused(weekly: dict, closed: list, zone: str) -> None:
    with pytest.raises(OpeningHoursError):
        parse_opening_hours(weekly, closed, zone)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(OpeningHoursError):
        HOURS.is_open(datetime(2026, 12, 1, 12))


@pytest.mark.parametrize(
    "moment, spoken",
    [(time(8, 30), "8.30am"), (time(9, 0), "9am"), (time(12, 0), "12pm"), (time(0, 0), "12am"),
     (time(17, 15), "5.15pm")],
)  # fmt: skip
def test_clock_time(moment: time, spoken: str) -> None:
    assert clock_time(moment) == spoken


@pytest.mark.parametrize(
    "text, minutes",
    [
        ("09:00-17:00", (540, 1020)),
        (" 8:30 - 12:15 ", (510, 735)),
        ("00:00-24:00", (0, 1440)),
        ("18:00-01:00", (1080, 60)),  # past midnight: the caller's rule decides
    ],
)
def test_a_time_range_reads_as_minutes_from_midnight(text: str, minutes: tuple[int, int]) -> None:
    assert parse_time_range(text) == minutes


@pytest.mark.parametrize(
    "text", ["9-5", "9am-5pm", "25:00-26:00", "09:60-10:00", "09:00-24:30", 900]
)
def test_the_directory_and_the_profile_refuse_the_same_bad_ranges(text: object) -> None:
    from web.places import PlacesError, _Checker

    with pytest.raises(OpeningHoursError):
        parse_time_range(text)
    with pytest.raises(PlacesError, match=r"time range like|does not exist"):
        _Checker(Path("places.yml"), "a-library").interval("hours.monday", text)
    with pytest.raises(OpeningHoursError):
        parse_opening_hours({"monday": str(text)})


def test_only_the_directory_runs_past_midnight() -> None:
    from web.places import _Checker

    overnight = _Checker(Path("places.yml"), "pay-point").interval("hours.friday", "18:00-01:00")
    assert (overnight.start, overnight.end) == (1080, 1500)
    with pytest.raises(OpeningHoursError, match="closes before it opens"):
        parse_opening_hours({"friday": "18:00-01:00"})
