"""Reading place questions and formatting place facts (``actions/common/place_words.py``)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from actions.common.place_words import (
    Words,
    asks_open_now,
    clock,
    day_asked,
    day_word,
    features_asked,
    hours_text,
    load_place_phrases,
    load_words,
    miles,
    minutes_asked,
    ordinal_asked,
    place_mentioned,
    place_named,
    time_asked,
    walk_minutes,
)
from bot.settings import REPO_ROOT
from integrations.directory import Place

MONDAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def words() -> Words:
    return load_words(REPO_ROOT / "kb" / "directory" / "words.yml")


def make_place(place_id: str, name: str) -> Place:
    return Place.from_json({"id": place_id, "name": name, "type": "library"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("somewhere with a screen reader?", ["screen_reader"]),
        ("I'm blind and use a wheelchair", ["screen_reader", "step_free"]),
        ("need a big keyboard and a hearing loop", ["large_key_keyboard", "hearing_loop"]),
        ("can I print my CV", ["printing"]),
        ("where can I use a computer", []),
        ("help with my universal credit", ["universal_credit_support"]),
    ],
)
def test_features_asked(words: Words, text: str, expected: list[str]) -> None:
    assert [f for f in features_asked(text, words) if f != "wifi"] == expected


def test_open_now_and_ordinals(words: Words) -> None:
    assert asks_open_now("any computers open now near me", words)
    assert not asks_open_now("computers near me", words)
    assert ordinal_asked("is the second one open on Sunday?", words) == 2
    assert ordinal_asked("book a PC at the first one", words) == 1
    assert ordinal_asked("what about the 3rd", words) == 3
    assert ordinal_asked("book one for me", words) is None
    assert ordinal_asked("where can I use a computer", words) is None


def test_place_named_prefers_distinctive_words() -> None:
    places = [
        make_place("tunstall-library", "Tunstall Library"),
        make_place("tunstall-work-club", "Tunstall Work Club"),
        make_place("longton-library", "Longton Library"),
    ]
    assert place_named("is tunstall library open", places).id == "tunstall-library"  # type: ignore[union-attr]
    assert place_named("the longton one", places).id == "longton-library"  # type: ignore[union-attr]
    assert place_named("is the library open", places) is None  # two libraries
    assert place_named("is the library open", places[:2]).id == "tunstall-library"  # type: ignore[union-attr]
    assert place_named("hello", places) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is it open on Sunday?", date(2026, 12, 13)),
        ("open today", MONDAY),
        ("tomorrow at 10", date(2026, 12, 8)),
        ("on monday", MONDAY),
        ("at the weekend", date(2026, 12, 12)),
        ("on 24/12", date(2026, 12, 24)),
        ("on 3/1", date(2027, 1, 3)),
        ("on 31/2", None),
        ("whenever", None),
    ],
)
def test_day_asked(words: Words, text: str, expected: date | None) -> None:
    assert day_asked(text, words, MONDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow at 10am for an hour", "10:00"),
        ("2.30pm", "14:30"),
        ("14:00", "14:00"),
        ("at 3", "15:00"),
        ("at 9", "09:00"),
        ("noon", "12:00"),
        ("half past 1", "13:30"),
        ("12am", "00:00"),
        ("for 2 hours", None),
        ("book a pc", None),
        ("at 25pm", None),
    ],
)
def test_time_asked(text: str, expected: str | None) -> None:
    assert time_asked(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("for an hour", 60),
        ("half an hour", 30),
        ("90 minutes", 90),
        ("2 hours", 120),
        ("1.5 hrs", 90),
        ("an hour and a half", 90),
        ("a while", None),
    ],
)
def test_minutes_asked(text: str, expected: int | None) -> None:
    assert minutes_asked(text) == expected


def test_formatting(words: Words) -> None:
    assert clock("09:00", words) == "9am"
    assert clock("13:30", words) == "1.30pm"
    assert clock("12:00", words) == "12 noon"
    assert clock(datetime(2026, 12, 7, 0, 0), words) == "midnight"
    assert hours_text(["09:00-12:30", "13:30-17:00"], words) == "9am to 12.30pm and 1.30pm to 5pm"
    assert hours_text(["00:00-24:00"], words) == "midnight to midnight"
    assert day_word(MONDAY, MONDAY, words) == "today"
    assert day_word(date(2026, 12, 8), MONDAY, words) == "tomorrow"
    assert day_word(date(2026, 12, 10), MONDAY, words) == "Thursday"
    assert miles(2025) == "1.3" and miles(0) == "0.1" and miles(None) == "?"
    assert walk_minutes(2025) == 25 and walk_minutes(0) == 1


# --- a place mentioned in passing (issue #16) ------------------------------------------

PHRASES = load_place_phrases(REPO_ROOT / "kb" / "conversation" / "remember.yml")


@pytest.mark.parametrize(
    "text,place",
    [
        ("pothole on Leek Road near the co-op", "Leek Road, near the Co-op"),
        ("There's a pothole on leek road near the co-op.", "Leek Road, near the Co-op"),
        ("report a pothole on Leek Road and also ask about my council tax bill", "Leek Road"),
        ("outside the Co-op, Leek Road, ST2 7AA", "Leek Road, outside the Co-op, ST2 7AA"),
        ("fly tipping outside the co-op on leek road", "Leek Road, outside the Co-op"),
        ("streetlight out at 12 Stoke Road by the school", "12 Stoke Road, by the School"),
        ("pothole at st4 2dx", "ST4 2DX"),
    ],
)
def test_a_place_named_in_passing_is_found_street_first(text, place):
    assert place_mentioned(text, PHRASES) == place


@pytest.mark.parametrize(
    "text",
    [
        "I want to report a pothole",
        "pothole on my road",
        "pothole in Hanley",
        "graffiti near the school",
        "the stop sign is broken",
    ],
)
def test_no_named_street_or_postcode_is_no_place(text):
    assert place_mentioned(text, PHRASES) is None
