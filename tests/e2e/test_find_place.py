"""A resident finds a public PC, Wi-Fi or a library, asks follow-ups and books a PC.

Every answer is checked against the running council services' own directory, so the
conversation must show what ``/api/v1/places`` says, nearest first.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.helpers import Resident, assert_listed_in_order, nearest_places

pytestmark = pytest.mark.e2e

BOOKING_REFERENCE = re.compile(r"\b(PC-[2-9A-HJ-NP-Z]{6})\b")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def test_finding_a_pc_asks_for_a_postcode_then_lists_the_nearest_three(
    resident: Resident, council: httpx.Client
) -> None:
    reply = resident.say_text("where can I use a computer?")
    assert "postcode" in reply, reply
    reply = resident.say_text("st6 3jj")
    assert "nearest places to ST6 3JJ" in reply, reply
    expected = nearest_places(council, [("near", "ST6 3JJ"), ("feature", "public_pcs")])
    assert len(expected) == 3
    assert_listed_in_order(reply, expected)
    assert reply.count("miles away") == 3
    assert ("Open now until" in reply) or ("Opens " in reply), reply

    # Opening-hours follow-up about a listed place.
    first = expected[0]
    reply = resident.say_text("is the first one open on Sunday?")
    assert first["name"] in reply, reply
    if first["hours"]["sunday"]:
        assert "is open" in reply, reply
    else:
        assert "closed on Sundays" in reply, reply


def test_an_accessibility_request_finds_places_with_a_screen_reader(
    resident: Resident, council: httpx.Client
) -> None:
    reply = resident.say_text("somewhere with a screen reader near ST4 2DX?")
    expected = nearest_places(
        council, [("near", "ST4 2DX"), ("feature", "public_pcs"), ("feature", "screen_reader")]
    )
    assert expected and all(p["facilities"]["screen_reader"] for p in expected)
    assert_listed_in_order(reply, expected)
    # Follow-up about one of them: it does have a screen reader.
    reply = resident.say_text("does the second one have a screen reader?")
    assert f"Yes, {expected[1]['name']} has a screen reader" in reply, reply


def _booking_day() -> datetime:
    """A day two to six days ahead that is not a Sunday nor in the Christmas closures."""
    day = datetime.now(ZoneInfo("Europe/London")) + timedelta(days=2)
    while (
        day.weekday() == 6 or (day.month == 12 and day.day >= 24) or day.month == 1 and day.day == 1
    ):
        day += timedelta(days=1)
    return day


def test_booking_a_pc_gives_a_reference_the_council_can_see_and_cancel(
    resident: Resident, council: httpx.Client
) -> None:
    reply = resident.say_text("nearest library to ST6 3JJ")
    libraries = nearest_places(council, [("near", "ST6 3JJ"), ("type", "library")])
    assert_listed_in_order(reply, libraries)
    first = libraries[0]
    assert first["facilities"]["bookable_pcs"] > 0

    day = _booking_day()
    weekday = WEEKDAYS[day.weekday()]
    reply = resident.say_text(f"book a computer at the first one on {weekday} at 10am for an hour")
    # Read back first; nothing is booked before the yes.
    assert f"Book a computer at {first['name']}" in reply and "10am" in reply, reply
    assert not BOOKING_REFERENCE.search(reply), reply
    reply = resident.say_text("yes")
    match = BOOKING_REFERENCE.search(reply)
    assert match, reply
    reference = match.group(1)
    assert first["name"] in reply, reply

    booking = council.get(f"/api/v1/bookings/{reference}")
    assert booking.status_code == 200, booking.text
    body = booking.json()
    assert body["status"] == "booked" and body["place_id"] == first["id"]
    assert (body["date"], body["time"], body["minutes"]) == (day.date().isoformat(), "10:00", 60)

    reply = resident.say_text(f"cancel booking {reference}")
    assert f"Cancel booking {reference}" in reply, reply
    assert council.get(f"/api/v1/bookings/{reference}").json()["status"] == "booked"
    reply = resident.say_text("yes")
    assert "is cancelled" in reply, reply
    assert council.get(f"/api/v1/bookings/{reference}").json()["status"] == "cancelled"


def test_a_booking_outside_opening_hours_is_refused_with_the_reason(
    resident: Resident, council: httpx.Client
) -> None:
    resident.say_text("find me a library near ST6 3JJ")
    day = _booking_day()
    weekday = WEEKDAYS[day.weekday()]
    reply = resident.say_text(f"book a pc at the first one on {weekday} at 7pm for an hour")
    if "isn't open for all of" not in reply and "closed" not in reply:
        reply = resident.say_text("yes")  # the read-back first, then the directory's answer
    assert "isn't open for all of" in reply or "closed" in reply, reply
    assert not BOOKING_REFERENCE.search(reply), reply


def test_a_postcode_outside_the_area_is_explained(resident: Resident) -> None:
    resident.say_text("free wifi near me")
    reply = resident.say_text("ST5 2SX")
    assert "outside the" in reply, reply
