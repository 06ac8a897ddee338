"""Finding places, follow-ups and PC bookings (``actions/find_place.py``, ``actions/book_pc.py``).

The directory is the in-memory fake; each test checks the response names collected and
the slots the action sets.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import book_pc, find_place
from actions.book_pc import ActionPrepareBooking
from actions.common import deps, responses
from actions.find_place import (
    ActionFindPlace,
    ActionPlaceDetails,
    ActionPlaceHours,
    ValidateFindPlaceForm,
)
from integrations.directory import DirectoryRejected, Place
from integrations.directory.fake import FakeDirectory
from tests.unit.actions.trackers import load_tracker, response_names, slot_values

pytestmark = pytest.mark.usefixtures("council")

NOW = datetime(2026, 12, 7, 11, 0)  # Monday 11am


def place(place_id: str, name: str, **extra: Any) -> Place:
    facilities = {"public_pcs": 8, "bookable_pcs": 4, "wifi": True, "printing": True,
                  "screen_reader": False, "large_key_keyboard": False, "hearing_loop": False,
                  "step_free": True}  # fmt: skip
    facilities.update(extra.pop("facilities", {}))
    data = {
        "id": place_id, "name": name, "type": "library", "address": f"{name} Road",
        "postcode": "ST6 6BD", "distance_m": 800, "open_now": True,
        "open_until": "2026-12-07T17:00", "next_opening": "2026-12-08T09:00",
        "hours": {"monday": ["09:00-17:00"], "sunday": []},
        "closures": [{"date": "2026-12-25", "reason": "Christmas Day"}],
        "facilities": facilities, "staff_help": True, "services": [],
        "how_to_book": "Ask at the desk.",
    }  # fmt: skip
    data.update(extra)
    return Place.from_json(data)


def fake_directory(monkeypatch: pytest.MonkeyPatch) -> FakeDirectory:
    """Three places (the work club has no computers to book), at :data:`NOW`."""
    fake = FakeDirectory(
        [
            place(
                "tunstall-library", "Tunstall Library", facilities={"screen_reader": True}
            ),  # fmt: skip
            place(
                "burslem-work-club",
                "Burslem Work Club",
                type="work_club",
                open_now=False,
                open_until=None,
                facilities={"bookable_pcs": 0},
            ),  # fmt: skip
            place("stoke-library", "Stoke Library", distance_m=3000),
        ]
    )
    monkeypatch.setattr(deps, "directory", lambda: fake)
    monkeypatch.setattr(find_place, "local_now", lambda: NOW)
    monkeypatch.setattr(book_pc, "local_now", lambda: NOW)
    return fake


@pytest.fixture
def directory(monkeypatch: pytest.MonkeyPatch) -> FakeDirectory:
    return fake_directory(monkeypatch)


def run(action: Action, **tracker: Any) -> tuple[list, list[str | None]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, load_tracker("status_check", **tracker), {}))
    return events, response_names(dispatcher)


def test_lists_the_nearest_three_with_open_state(directory: FakeDirectory) -> None:
    events, names = run(
        ActionFindPlace(),
        text="where can I use a computer",
        intent="find_pc",
        slots={"place_postcode": "ST6 3JJ"},
    )
    assert names == [
        responses.PLACES_FOUND,
        responses.PLACE_LINE_OPEN,
        responses.PLACE_LINE_CLOSED,
        responses.PLACE_LINE_OPEN,
        responses.PLACES_FOLLOW_UP,
    ]
    assert slot_values(events)["places_listed"] == [
        "tunstall-library", "burslem-work-club", "stoke-library"
    ]  # fmt: skip
    query = directory.queries[-1]
    assert query.near == "ST6 3JJ" and query.features == ("public_pcs",) and query.limit == 3
    # The booking button names the first place whose computers can be booked.
    assert slot_values(events)["book_offer"] == "tunstall-library"


def test_the_booking_button_is_offered_only_where_it_will_work(directory: FakeDirectory) -> None:
    """The first place has no computers to book: the button offers the next one that has."""
    tunstall, work_club, stoke = directory.places
    directory.places = [work_club, stoke, tunstall]
    dispatcher = CollectingDispatcher()
    tracker = load_tracker(
        "status_check", text="where can I use a computer", intent="find_pc",
        slots={"place_postcode": "ST6 3JJ"},
    )  # fmt: skip
    events = asyncio.run(ActionFindPlace().run(dispatcher, tracker, {}))
    assert slot_values(events)["book_offer"] == "stoke-library"
    follow_up = dispatcher.messages[-1]
    assert follow_up["response"] == responses.PLACES_FOLLOW_UP
    assert follow_up["place_name"] == "Stoke Library"
    # None of the places listed takes bookings: no button at all.
    directory.places = [work_club]
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionFindPlace().run(dispatcher, tracker, {}))
    assert slot_values(events)["book_offer"] is None
    assert response_names(dispatcher)[-1] == responses.PLACES_FOLLOW_UP_NO_BOOKING


def test_the_booking_button_books_the_place_it_named(directory: FakeDirectory) -> None:
    events, _ = run(
        ActionPrepareBooking(), text="/book_pc", slots={**LISTED, "book_offer": "stoke-library"}
    )
    assert slot_values(events)["book_place"] == "stoke-library"


def test_an_accessibility_request_filters_the_search(directory: FakeDirectory) -> None:
    events, names = run(
        ActionFindPlace(),
        text="somewhere with a screen reader?",
        intent="find_pc",
        slots={"place_postcode": "ST6 3JJ"},
    )
    assert directory.queries[-1].features == ("public_pcs", "screen_reader")
    assert slot_values(events)["places_listed"] == ["tunstall-library"]
    assert names.count(responses.PLACE_LINE_OPEN) == 1


def test_nothing_found_and_service_down(directory: FakeDirectory) -> None:
    events, names = run(
        ActionFindPlace(), text="pc with a hearing loop", intent="find_pc",
        slots={"place_postcode": "ST6 3JJ"},
    )  # fmt: skip
    assert names == [responses.PLACES_NONE]
    directory.available = False
    _, names = run(
        ActionFindPlace(), text="free wifi", intent="find_wifi", slots={"place_postcode": "ST6 3JJ"}
    )
    assert names == [responses.PLACES_UNAVAILABLE]


def test_postcode_validation(directory: FakeDirectory) -> None:
    def validate(value: str) -> tuple[dict, list]:
        dispatcher = CollectingDispatcher()
        result = asyncio.run(
            ValidateFindPlaceForm().validate_place_postcode(
                value, dispatcher, load_tracker("status_check"), {}
            )
        )
        return result, response_names(dispatcher)

    assert validate("st6 3jj") == ({"place_postcode": "ST6 3JJ"}, [])
    assert validate("ST5 2SX") == (
        {"place_postcode": None}, [responses.PLACE_POSTCODE_OTHER_COUNCIL]
    )  # fmt: skip
    assert validate("ST1 9XX") == ({"place_postcode": None}, [responses.PLACE_POSTCODE_NOT_FOUND])
    assert validate("ST6") == ({"place_postcode": None}, [responses.PLACE_POSTCODE_PARTIAL])
    # A place name: the directory resolves it to the place's postcode.
    assert validate("Tunstall Library") == ({"place_postcode": "ST6 6BD"}, [])
    directory.refuse_with = DirectoryRejected(400, "near_not_understood", "no")
    assert validate("the moon") == ({"place_postcode": None}, [responses.PLACE_POSTCODE_NOT_VALID])


LISTED = {"places_listed": ["tunstall-library", "burslem-work-club", "stoke-library"]}


def test_opening_hours_follow_ups(directory: FakeDirectory) -> None:
    _, names = run(ActionPlaceHours(), text="is the first one open on Sunday?", slots=LISTED)
    assert names == [responses.PLACE_CLOSED_ON_DAY]
    _, names = run(ActionPlaceHours(), text="is Stoke library open on monday", slots=LISTED)
    assert names == [responses.PLACE_HOURS_ON_DAY]
    _, names = run(ActionPlaceHours(), text="is the second one open now", slots=LISTED)
    assert names == [responses.PLACE_CLOSED_NOW]
    _, names = run(ActionPlaceHours(), text="is it open on 25/12", slots={
        "places_listed": ["tunstall-library"]})  # fmt: skip
    assert names == [responses.PLACE_CLOSURE]
    _, names = run(ActionPlaceHours(), text="is it open on sunday", slots=LISTED)
    assert names == [responses.PLACE_WHICH]


def test_details_follow_ups(directory: FakeDirectory) -> None:
    _, names = run(
        ActionPlaceDetails(), text="does the second one have a screen reader?", slots=LISTED
    )
    assert names == [responses.PLACE_HAS_NOT]
    _, names = run(
        ActionPlaceDetails(), text="does the first one have a screen reader?", slots=LISTED
    )
    assert names == [responses.PLACE_HAS]
    _, names = run(ActionPlaceDetails(), text="tell me about the third one", slots=LISTED)
    assert names == [responses.PLACE_DETAILS]


def test_prepare_booking_reads_the_whole_request(directory: FakeDirectory) -> None:
    events, _ = run(
        ActionPrepareBooking(),
        text="book a PC at the first one tomorrow at 10am for an hour",
        slots=LISTED,
    )
    values = slot_values(events)
    assert values["book_place"] == "tunstall-library"
    assert values["book_date"] == (NOW.date() + timedelta(days=1)).isoformat()
    assert (values["book_time"], values["book_minutes"]) == ("10:00", 60.0)
    # The work club has no computers to book: the form will ask where instead.
    events, _ = run(ActionPrepareBooking(), text="book a pc at the second one", slots=LISTED)
    assert slot_values(events)["book_place"] is None


def test_no_device_for_universal_credit_looks_for_free_computers_with_support(
    directory: FakeDirectory,
) -> None:
    directory.places = [
        replace(p, services=("universal_credit_support",)) if p.id == "stoke-library" else p
        for p in directory.places
    ]
    events, names = run(
        ActionFindPlace(),
        text="i haven't got a computer, how do i claim universal credit",
        intent="universal_credit_no_device",
        slots={"place_postcode": "ST6 3JJ"},
    )
    query = directory.queries[-1]
    assert query.features == ("public_pcs", "staff_help")
    assert query.services == ("universal_credit_support",)
    assert slot_values(events)["places_listed"] == ["stoke-library"]
    assert names == [responses.PLACES_FOUND, responses.PLACE_LINE_OPEN, responses.PLACES_FOLLOW_UP]


PENDING = {"intent": "council_tax_account", "label": "your council tax bill"}
OFFER = FollowupAction("action_offer_pending_request")


def test_a_request_made_alongside_the_search_is_offered_after_the_answer(
    directory: FakeDirectory,
) -> None:
    asked = {"text": "where can I use a computer", "intent": "find_pc"}
    waiting = {"place_postcode": "ST6 3JJ", "pending_request": PENDING}
    events, _ = run(ActionFindPlace(), **asked, slots=waiting)
    assert OFFER in events
    events, _ = run(ActionFindPlace(), **asked, slots={"place_postcode": "ST6 3JJ"})
    assert OFFER not in events
    directory.available = False
    events, names = run(ActionFindPlace(), **asked, slots=waiting)
    assert names == [responses.PLACES_UNAVAILABLE] and OFFER in events
