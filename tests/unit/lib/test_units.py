from datetime import datetime, time

import pytest

from lib.units import clock, distance_label, hours_text, miles_number


@pytest.mark.parametrize(
    ("metres", "shown"),
    [(None, ""), (0, "0.1 miles"), (644, "0.4 miles"), (1609, "1.0 miles"), (3500, "2.2 miles")],
)
def test_distances_are_in_miles_never_kilometres(metres, shown):
    assert distance_label(metres) == shown
    assert "km" not in distance_label(metres)


def test_the_number_of_miles_has_one_decimal_place_and_a_floor():
    assert miles_number(20) == "0.1"
    assert miles_number(16093.44) == "10.0"


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (time(9, 0), "9am"),
        (time(17, 30), "5.30pm"),
        (time(8, 5), "8.05am"),
        (time(12, 0), "12 noon"),
        (time(12, 30), "12.30pm"),
        (time(0, 0), "midnight"),
        (time(0, 30), "12.30am"),
        (datetime(2026, 12, 7, 14, 0), "2pm"),
        ("13:45", "1.45pm"),
        ("24:00", "midnight"),
        (540, "9am"),
        (1500, "1am"),
    ],
)
def test_times_use_the_12_hour_clock_with_am_and_pm(moment, shown):
    assert clock(moment) == shown


def test_noon_and_midnight_words_can_be_given():
    assert clock(time(12, 0), noon="midday") == "midday"
    assert clock(time(0, 0), midnight="hanner nos") == "hanner nos"


def test_opening_hours_read_as_words():
    assert hours_text([(540, 750), (810, 1020)]) == "9am to 12.30pm and 1.30pm to 5pm"
    assert hours_text([(1080, 1500)]) == "6pm to 1am"
    assert hours_text([]) == ""
    assert hours_text([(540, 1020)], to_word="i") == "9am i 5pm"
