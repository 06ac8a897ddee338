"""The assisted session's "Nearby places" markup: wording, formatting and escaping."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from integrations.council_services.assisted_pages import places_section, search_form
from integrations.council_services.assisted_panel import (
    Search,
    SessionFields,
    distance_label,
    when_label,
)
from integrations.council_services.directory import Found
from integrations.council_services.places import Directory, load_directory
from tests.unit.council_services.test_places import SAMPLE

NOW = datetime(2026, 12, 7, 11, 0)  # Monday
FIELDS = SessionFields("csrf-1", "abc123", "999.mac")


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory(SAMPLE)


def test_distances_times_and_lengths_read_naturally() -> None:
    assert distance_label(None) == ""
    assert distance_label(350) == "350 m"
    assert distance_label(1609) == "1.6 km (1.0 miles)"
    assert when_label(datetime(2026, 12, 7, 17, 0), NOW) == "today at 17:00"
    assert when_label(datetime(2026, 12, 8, 9, 0), NOW) == "tomorrow at 09:00"
    assert when_label(datetime(2026, 12, 8, 0, 0), NOW) == "midnight tonight"
    assert when_label(datetime(2026, 12, 10, 9, 30), NOW) == "Thursday 10 December at 09:30"


def test_every_value_is_escaped(directory: Directory) -> None:
    place = dataclasses.replace(directory.get("meir-library"), name='<b onclick="x">Meir</b>')
    found = Found(place, 1200, False, None, datetime(2026, 12, 8, 9, 0))
    search = Search('"><script>', "library")
    section = places_section(found=[found], now=NOW, near_label="ST3 6AB")
    assert "<script>" not in section and "<b onclick" not in section
    assert "&lt;b onclick=&quot;x&quot;&gt;Meir&lt;/b&gt;" in section
    assert "Closed now. Opens tomorrow at 09:00" in section
    assert "<script>" not in search_form(FIELDS, search)
