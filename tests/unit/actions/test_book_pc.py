"""Booking and cancelling a public PC, with a confirmation first (``actions/book_pc.py``).

The directory is the in-memory fake from ``test_find_place``; a booking is cancelled only
by the conversation that made it (the directory records the conversation and nothing else).
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.book_pc import (
    ActionAskBookConfirm,
    ActionAskCancelConfirm,
    ActionBookPc,
    ActionCancelBooking,
    ActionPrepareCancel,
    ValidateBookPcForm,
    end_time,
    parse_start_time,
)
from actions.common import responses, slots
from integrations.directory import DirectoryRejected
from integrations.directory.fake import FakeDirectory
from tests.unit.actions.test_find_place import fake_directory
from tests.unit.actions.test_form_skip import form_tracker
from tests.unit.actions.trackers import load_tracker, response_names, slot_values

pytestmark = pytest.mark.usefixtures("council")

TUESDAY_10AM = {
    "book_place": "tunstall-library", "book_place_name": "Tunstall Library",
    "book_date": "2026-12-08", "book_time": "10:00", "book_minutes": 60.0,
}  # fmt: skip


@pytest.fixture
def directory(monkeypatch: pytest.MonkeyPatch) -> FakeDirectory:
    return fake_directory(monkeypatch)


def run(action: Action, tracker: Tracker) -> tuple[list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    return asyncio.run(action.run(dispatcher, tracker, {})), dispatcher


def tracker(text: str = "x", sender: str = "fixture-status-check", **slot_values_: Any) -> Tracker:
    made = load_tracker("status_check", text=text, slots=slot_values_)
    made.sender_id = sender
    return made


def book(sender: str = "fixture-status-check") -> str:
    """Book Tuesday 10am in this conversation; the reference it was given."""
    events, _ = run(ActionBookPc(), tracker(sender=sender, **TUESDAY_10AM, book_confirm=True))
    return slot_values(events)["booking_reference"]


def booked_in(made: Tracker, reference: str) -> Tracker:
    """The conversation as it is after being given ``reference``."""
    made.events.append(SlotSet(slots.BOOKING_REFERENCE, reference))
    return made


@pytest.mark.parametrize(
    ("text", "start"),
    [("10am", "10:00"), ("about 10", "10:00"), ("around 2.30pm", "14:30"),
     ("ten thirty", "10:30"), ("half past two", "14:30"), ("ten", "10:00"), ("banana", None)],
)  # fmt: skip
def test_start_times_as_residents_say_them(text: str, start: str | None) -> None:
    assert parse_start_time(text) == start


def test_end_time() -> None:
    assert end_time("10:00", 60) == "11:00" and end_time("15:30", 90) == "17:00"


def test_the_booking_is_read_back_before_it_is_made(directory: FakeDirectory) -> None:
    _, dispatcher = run(ActionAskBookConfirm(), tracker(**TUESDAY_10AM))
    [asked] = dispatcher.messages
    assert asked["response"] == responses.BOOKING_ASK_CONFIRM
    assert (asked["place_name"], asked["booking_day"], asked["booking_date"]) == (
        "Tunstall Library", "tomorrow", "8 December"
    )  # fmt: skip
    assert (asked["booking_time"], asked["booking_end"]) == ("10am", "11am")


def test_no_booking_without_a_yes(directory: FakeDirectory) -> None:
    events, dispatcher = run(ActionBookPc(), tracker(**TUESDAY_10AM, book_confirm=False))
    assert response_names(dispatcher) == [responses.BOOKING_NOT_MADE]
    assert directory.bookings == {} and "booking_reference" not in slot_values(events)
    events, dispatcher = run(ActionBookPc(), tracker(**TUESDAY_10AM, book_confirm=True))
    assert response_names(dispatcher) == [responses.BOOKING_MADE]
    assert directory.bookings[slot_values(events)["booking_reference"]].date == date(2026, 12, 8)
    assert slot_values(events)["book_confirm"] is None  # cleared for the next booking


def test_the_form_asks_for_the_yes_and_takes_rough_times(domain: dict) -> None:
    assert domain["forms"]["book_pc_form"]["required_slots"][-1] == "book_confirm"
    filled = {k: v for k, v in TUESDAY_10AM.items() if k != "book_time"}
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        ValidateBookPcForm().run(
            dispatcher, form_tracker("book_pc_form", "book_time", "about 10", filled=filled),
            domain,
        )
    )  # fmt: skip
    assert slot_values(events)["book_time"] == "10:00"


def test_not_sure_how_long_books_the_usual_hour(domain: dict) -> None:
    filled = {k: v for k, v in TUESDAY_10AM.items() if k != "book_minutes"}
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        ValidateBookPcForm().run(
            dispatcher, form_tracker("book_pc_form", "book_minutes", "not sure", filled=filled),
            domain,
        )
    )  # fmt: skip
    assert slot_values(events)["book_minutes"] == 60.0
    assert response_names(dispatcher) == [responses.BOOKING_LENGTH_DEFAULT]


def test_cancelling_reads_the_booking_back_and_waits_for_a_yes(directory: FakeDirectory) -> None:
    reference = book()
    asked = booked_in(tracker(f"cancel booking {reference}"), reference)
    events, dispatcher = run(ActionPrepareCancel(), asked)
    assert response_names(dispatcher) == []
    details = slot_values(events)[slots.CANCEL_BOOKING]
    assert details["reference"] == reference and slot_values(events)[slots.CANCEL_CONFIRM] is None
    _, dispatcher = run(ActionAskCancelConfirm(), tracker(cancel_booking=details))
    [question] = dispatcher.messages
    assert question["response"] == responses.BOOKING_ASK_CANCEL_CONFIRM
    assert (question["place_name"], question["booking_time"]) == ("Tunstall Library", "10am")
    # "No": still booked.
    _, dispatcher = run(
        ActionCancelBooking(), tracker(cancel_booking=details, cancel_confirm=False)
    )
    assert response_names(dispatcher) == [responses.BOOKING_KEPT]
    assert directory.bookings[reference].status == "booked"
    # "Yes": cancelled.
    _, dispatcher = run(ActionCancelBooking(), tracker(cancel_booking=details, cancel_confirm=True))
    assert response_names(dispatcher) == [responses.BOOKING_CANCELLED]
    assert directory.bookings[reference].status == "cancelled"
    # Asking again: already cancelled, nothing to confirm.
    events, dispatcher = run(ActionPrepareCancel(), booked_in(tracker(f"cancel {reference}"),
                                                               reference))  # fmt: skip
    assert response_names(dispatcher) == [responses.BOOKING_ALREADY_CANCELLED]
    assert slot_values(events)[slots.CANCEL_CONFIRM] is False  # the form ends at once


def test_someone_elses_booking_gets_the_places_number(directory: FakeDirectory) -> None:
    directory.places = [replace(p, phone="01782 238455") for p in directory.places]
    reference = book(sender="the-booker")
    events, dispatcher = run(ActionPrepareCancel(), tracker(f"cancel booking {reference}"))
    [said] = dispatcher.messages
    assert said["response"] == responses.BOOKING_CANCEL_NOT_YOURS_PLACE
    assert said["place_name"] == "Tunstall Library" and said["place_phone"] == "01782 238455"
    assert slot_values(events)[slots.CANCEL_BOOKING] is None
    assert directory.bookings[reference].status == "booked"
    # A place with no number of its own: the council's.
    directory.places = [replace(p, phone="") for p in directory.places]
    _, dispatcher = run(ActionPrepareCancel(), tracker(f"cancel booking {reference}"))
    assert response_names(dispatcher) == [responses.BOOKING_CANCEL_NOT_YOURS]


def test_the_directory_still_refuses_another_conversation(directory: FakeDirectory) -> None:
    """Even past the check here, the directory cancels only for the booker."""
    reference = book(sender="the-booker")
    details = {"reference": reference, "place_name": "Tunstall Library", "date": "2026-12-08",
               "time": "10:00", "pc": 1}  # fmt: skip
    _, dispatcher = run(
        ActionCancelBooking(),
        tracker(sender="someone-else", cancel_booking=details, cancel_confirm=True),
    )
    assert response_names(dispatcher) == [responses.BOOKING_CANCEL_NOT_YOURS]
    assert directory.bookings[reference].status == "booked"


@pytest.mark.parametrize(
    ("text", "response"),
    [("cancel PC-ZZZZZZ", responses.BOOKING_NOT_FOUND),
     ("cancel my booking", responses.BOOKING_CANCEL_NEED_REFERENCE)],
)  # fmt: skip
def test_nothing_to_cancel(directory: FakeDirectory, text: str, response: str) -> None:
    events, dispatcher = run(ActionPrepareCancel(), tracker(text))
    assert response_names(dispatcher) == [response]
    assert slot_values(events)[slots.CANCEL_CONFIRM] is False


@pytest.mark.parametrize(
    ("code", "response"),
    [
        ("in_the_past", responses.BOOKING_IN_THE_PAST),
        ("outside_opening_hours", responses.BOOKING_OUTSIDE_HOURS),
        ("closed_that_day", responses.BOOKING_CLOSED_THAT_DAY),
        ("fully_booked", responses.BOOKING_FULLY_BOOKED),
        ("something_new", responses.BOOKING_REFUSED),
    ],
)
def test_refused_bookings_say_why(directory: FakeDirectory, code: str, response: str) -> None:
    directory.refuse_with = DirectoryRejected(422, code, "no")
    events, dispatcher = run(
        ActionBookPc(), tracker(**{**TUESDAY_10AM, "book_time": "18:00"}, book_confirm=True)
    )
    assert response_names(dispatcher) == [response]
    assert "booking_reference" not in slot_values(events)


@pytest.mark.parametrize(
    ("code", "limit", "response"),
    [
        ("too_far_ahead", 14, responses.BOOKING_TOO_FAR_AHEAD),
        ("too_many_bookings", 3, responses.BOOKING_TOO_MANY),
        ("too_many_bookings", None, responses.BOOKING_REFUSED),
    ],
)
def test_the_horizon_and_the_cap_are_said_plainly(
    directory: FakeDirectory, code: str, limit: int | None, response: str
) -> None:
    """The resident hears the rule with the council's number (from the directory)."""
    directory.refuse_with = DirectoryRejected(422, code, "no", limit)
    _, dispatcher = run(
        ActionBookPc(), tracker(**{**TUESDAY_10AM, "book_date": "2999-12-31"}, book_confirm=True)
    )
    assert [m["response"] for m in dispatcher.messages] == [response]
    if limit is not None:
        assert dispatcher.messages[0]["booking_limit"] == limit


PENDING = {"intent": "council_tax_account", "label": "your council tax bill"}
OFFER = FollowupAction("action_offer_pending_request")


def test_a_request_made_alongside_a_booking_is_offered_after_it(directory: FakeDirectory) -> None:
    for confirm in (True, False):
        made = tracker(**TUESDAY_10AM, book_confirm=confirm, pending_request=PENDING)
        events, _ = run(ActionBookPc(), made)
        assert OFFER in events
    events, _ = run(ActionBookPc(), tracker(**TUESDAY_10AM, book_confirm=True))
    assert OFFER not in events


def test_a_request_made_alongside_a_cancellation_is_offered_after_it(
    directory: FakeDirectory,
) -> None:
    reference = book()
    events, _ = run(ActionPrepareCancel(), booked_in(tracker(f"cancel {reference}"), reference))
    details = slot_values(events)[slots.CANCEL_BOOKING]
    for confirm in (False, True):
        made = tracker(cancel_booking=details, cancel_confirm=confirm, pending_request=PENDING)
        events, _ = run(ActionCancelBooking(), made)
        assert OFFER in events
    events, _ = run(ActionCancelBooking(), tracker(cancel_booking=details, cancel_confirm=False))
    assert OFFER not in events
