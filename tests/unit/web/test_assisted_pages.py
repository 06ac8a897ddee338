"""The assisted session's "Nearby places" markup: wording, formatting and escaping."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from tests.unit.web.test_places import SAMPLE
from web.assisted_booking_pages import (
    Booked,
    Refused,
    booking_form,
    booking_outcome,
)
from web.assisted_pages import places_section, search_form
from web.assisted_panel import (
    Search,
    SessionFields,
    minutes_label,
    when_label,
)
from web.directory import Found
from web.places import Directory, load_directory

NOW = datetime(2026, 12, 7, 11, 0)  # Monday
FIELDS = SessionFields("csrf-1", "abc123", "999.mac")


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory(SAMPLE)


def test_distances_times_and_lengths_read_naturally() -> None:
    assert when_label(datetime(2026, 12, 7, 17, 0), NOW) == "today at 5pm"
    assert when_label(datetime(2026, 12, 8, 9, 0), NOW) == "tomorrow at 9am"
    assert when_label(datetime(2026, 12, 8, 0, 0), NOW) == "midnight tonight"
    assert when_label(datetime(2026, 12, 10, 9, 30), NOW) == "Thursday 10 December at 9.30am"
    assert [minutes_label(m) for m in (30, 60, 90, 120)] == [
        "30 minutes", "1 hour", "1 hour 30 minutes", "2 hours"
    ]  # fmt: skip


def test_every_value_is_escaped(directory: Directory) -> None:
    place = dataclasses.replace(directory.get("meir-library"), name='<b onclick="x">Meir</b>')
    found = Found(place, 1200, False, None, datetime(2026, 12, 8, 9, 0))
    search = Search('"><script>', "library")
    section = places_section(
        session=FIELDS, search=search, found=[found], now=NOW, directory=directory
    )
    assert "<script>" not in section and "<b onclick" not in section
    assert "&lt;b onclick=&#34;x&#34;&gt;Meir&lt;/b&gt;" in section
    assert "Closed now. Opens tomorrow at 9am" in section
    assert "<script>" not in search_form(FIELDS, search)


def test_the_booking_form_offers_the_directory_lengths(directory: Directory) -> None:
    form = booking_form(
        directory.get("meir-library"), FIELDS, Search("ST3 6AB"), directory, date(2026, 12, 7)
    )
    assert '<option value="60" selected>1 hour</option>' in form
    assert '<option value="120">2 hours</option>' in form and 'value="150"' not in form
    assert 'min="2026-12-07"' in form and 'step="1800"' in form
    for name, value in [("csrf_token", "csrf-1"), ("conversation_id", "abc123"),
                        ("assist_token", "999.mac"), ("place_id", "meir-library")]:  # fmt: skip
        assert f'name="{name}" value="{value}"' in form


def test_outcomes(directory: Directory) -> None:
    booked = booking_outcome(
        Booked("PC-ABC234", directory.get("meir-library"), 2,
               datetime(2026, 12, 7, 14, 0), datetime(2026, 12, 7, 15, 0))
    )  # fmt: skip
    assert '<strong class="ref">PC-ABC234</strong>' in booked
    assert "Meir Library, computer 2, Monday 7 December 2026, 2pm to 3pm." in booked
    refused = booking_outcome(Refused("that time has already passed"))
    assert "<p>That time has already passed.</p>" in refused and 'role="alert"' in refused
    assert booking_outcome(None) == ""
