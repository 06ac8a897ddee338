"""Issue #18 item 5: the assisted panel's units, kept input, folding list and printed summary."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from tests.unit.web.test_places import SAMPLE
from web.assisted_booking_pages import Asked, Refused, booking_form
from web.assisted_pages import places_section
from web.assisted_panel import Search, SessionFields
from web.assisted_summary import (
    MOST_REFERENCES,
    SummaryBooking,
    summary_document,
    unique_references,
)
from web.crud_bookings import (
    BookingRefused,
    BookingRequest,
    check_request,
)
from web.directory import Found
from web.places import Directory, day_hours, load_directory, week_hours

NOW = datetime(2026, 12, 7, 11, 0)  # Monday
MONDAY = date(2026, 12, 14)
FIELDS = SessionFields("csrf-1", "abc123", "999.mac")


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory(SAMPLE)


def _text(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", str(markup)).split())


# --- units and times ----------------------------------------------------------------------


def test_the_list_shows_miles_twelve_hour_times_and_the_opening_hours(directory) -> None:
    found = [
        Found(directory.get("meir-library"), 1609, True, datetime(2026, 12, 7, 12, 30), None),
        Found(directory.get("city-central-library"), 350, False, None, datetime(2026, 12, 8, 9)),
    ]
    section = places_section(
        session=FIELDS, search=Search("ST3 6AB"), found=found, now=NOW, directory=directory
    )
    text = _text(section)
    assert "Library · 1.0 miles" in text and "Library · 0.2 miles" in text
    assert "Open now, until 12.30pm" in text and "Opens tomorrow at 9am" in text
    assert "Opening hours Monday 10am to 12.30pm and 1.30pm to 5pm, Tuesday" in text
    assert "Opening times are as of today at 11am" in text
    assert " km" not in text and not re.search(r"\b\d{2}:\d{2}\b", text)


def test_opening_hours_read_as_words(directory) -> None:
    meir = directory.get("meir-library")
    assert day_hours(meir, MONDAY) == "10am to 12.30pm and 1.30pm to 5pm"
    assert day_hours(meir, date(2026, 12, 17)) == ""  # a Thursday: closed
    week = week_hours(meir)
    assert week.startswith("Monday 10am to 12.30pm and 1.30pm to 5pm, Tuesday")
    assert "Thursday" not in week and week.endswith("Saturday 10am to 12.30pm")


# --- refusals say why ---------------------------------------------------------------------


def _refusal(
    directory: Directory, place_id: str, day: date, time: str, minutes: int, now: datetime = NOW
) -> BookingRefused:
    request = BookingRequest(directory.get(place_id), day, time, minutes)
    with pytest.raises(BookingRefused) as caught:
        check_request(request, directory, now)
    return caught.value


def test_a_time_outside_the_hours_gives_the_hours_of_that_day(directory) -> None:
    refused = _refusal(directory, "meir-library", MONDAY, "12:00", 60)
    assert refused.code == "outside_opening_hours"
    assert refused.message == (
        "12 noon to 1pm is outside the opening hours. Meir Library is open 10am to 12.30pm "
        "and 1.30pm to 5pm on Mondays. Choose a time that starts and ends inside them"
    )


def test_a_closed_day_gives_the_days_it_is_open(directory) -> None:
    refused = _refusal(directory, "meir-library", date(2026, 12, 17), "10:00", 60)
    assert refused.code == "closed_that_day"
    assert refused.message.startswith("Meir Library is closed on Thursdays. It is open Monday")
    week_before = datetime(2026, 12, 18, 9, 0)
    christmas = _refusal(directory, "meir-library", date(2026, 12, 25), "10:00", 60, week_before)
    assert "closed on Friday 25 December" in christmas.message


def test_past_and_far_dates_read_as_days_and_times(directory) -> None:
    past = _refusal(directory, "meir-library", date(2026, 12, 7), "10:00", 30)
    assert past.message == "10am on Monday 7 December has already passed"
    far = _refusal(directory, "meir-library", date(2027, 3, 1), "10:00", 30)
    assert far.message.endswith("until Monday 21 December")


# --- what staff typed is kept -------------------------------------------------------------


def test_a_refused_form_comes_back_open_with_what_was_typed(directory) -> None:
    meir = directory.get("meir-library")
    asked = Asked("meir-library", "2026-12-14", "12:00", "90")
    form = booking_form(meir, FIELDS, Search("ST3 6AB"), directory, NOW.date(), asked)
    assert form.startswith('<details class="book" open>')
    assert 'name="date" value="2026-12-14"' in form and 'name="time" value="12:00"' in form
    assert '<option value="90" selected>' in form and '<option value="60" selected>' not in form
    other = booking_form(
        directory.get("city-central-library"), FIELDS, Search(""), directory, NOW.date(), asked
    )
    assert other.startswith('<details class="book">') and 'value="12:00"' not in other
    assert 'name="date" value="2026-12-07"' in other


def test_the_list_after_a_refusal_keeps_the_input_and_folds_away(directory) -> None:
    found = [Found(directory.get("meir-library"), 900, True, datetime(2026, 12, 7, 12, 30), None)]
    asked = Asked("meir-library", "2026-12-14", "12:00", "60")
    section = places_section(
        session=FIELDS,
        search=Search("ST3 6AB"),
        found=found,
        now=NOW,
        directory=directory,
        outcome=Refused("12 noon to 1pm is outside the opening hours", asked),
    )
    assert '<details class="place-list-box" open><summary>Show or hide the list</summary>' in (
        section
    )
    assert '<details class="book" open>' in section and 'value="12:00"' in section
    assert "<p>12 noon to 1pm is outside the opening hours.</p>" in section


# --- the printed summary ------------------------------------------------------------------


def test_references_are_kept_once_well_formed_and_few() -> None:
    many = [f"SR-{n}{n}{n}{n}{n}{n}" for n in "23456789"] * 3 + [
        f"FD-ABCDE{c}" for c in "23456789ABCDEFGHJK"
    ]
    assert len(unique_references([many])) == MOST_REFERENCES
    assert unique_references([["PC-ABC234", "nonsense"], ["PC-ABC234", "FD-23456A"]]) == [
        "PC-ABC234",
        "FD-23456A",
    ]


def test_the_summary_lists_the_booking_references_and_next_steps(directory) -> None:
    meir = directory.get("meir-library")
    booking = SummaryBooking(
        "PC-ABC234", meir, 2, datetime(2026, 12, 14, 14, 0), datetime(2026, 12, 14, 15, 30)
    )
    page = summary_document(["PC-ABC234", "SR-7K3Q9X"], [booking], NOW)
    text = _text(page)
    assert page.startswith('<!doctype html><html lang="en-GB">')
    assert "Printed Monday 7 December 2026, 11am." in text
    assert "PC-ABC234 Computer booking" in text and "SR-7K3Q9X Street problem report" in text
    assert "When Monday 14 December 2026, 2pm to 3.30pm" in text
    assert f"Address {meir.address}, {meir.postcode}" in text
    assert "Open that day 10am to 12.30pm and 1.30pm to 5pm" in text
    assert "Computer 2" in text
    assert "PC-ABC234: Arrive a few minutes early" in text
    assert "SR-7K3Q9X: The council will look at the problem" in text
    assert 'class="summary-actions no-print"' in page and "data-print" in page


def test_an_empty_summary_says_so_and_escapes_nothing_unsafe(directory) -> None:
    page = summary_document([], [], NOW)
    assert "No references were given in this session." in page
    assert "Your computer booking" not in page
    assert "If you need more help" in page
