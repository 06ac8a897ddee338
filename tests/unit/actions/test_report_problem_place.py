"""The report form confirms a place the resident already gave, and keeps a whole answer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.report_problem import ActionAskLocation, ValidateReportForm, whole_place_answer
from tests.unit.actions.trackers import load_tracker, response_names, slot_values, tracker_state

pytestmark = pytest.mark.usefixtures("council")


def started_with(first: str, *, offered: str | None = None, latest: str | None = None) -> Tracker:
    """The report form just started by ``first``; optionally offered a place and answered."""
    state = tracker_state("report_form_location")
    events = state["events"]
    first_user = next(e for e in events if e.get("event") == "user")
    first_user["text"] = first
    first_user["parse_data"]["text"] = first
    if offered is not None:
        events.append({"event": "slot", "name": "location_guess", "value": offered})
    if latest is not None:
        state["latest_message"]["text"] = latest
        user = next(e for e in reversed(events) if e.get("event") == "user")
        # The answer comes after the offer: move the user event to the end.
        events.remove(user)
        events.append(user)
        user["text"] = latest
        user["parse_data"]["text"] = latest
    else:
        # Asked at activation: drop the answer, so the first message is the latest.
        last_user = max(i for i, e in enumerate(events) if e.get("event") == "user")
        if events[last_user] is not first_user:
            del events[last_user]
    return Tracker.from_dict(state)


def ask(tracker: Tracker) -> tuple[list[str | None], dict[str, Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAskLocation().run(dispatcher, tracker, {}))
    return response_names(dispatcher), slot_values(events), dispatcher


def validate(value: Any, tracker: Tracker) -> tuple[dict[str, Any], list[str | None]]:
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateReportForm().validate_location(value, dispatcher, tracker, {}))
    return result, response_names(dispatcher)


def test_a_place_in_the_first_message_is_confirmed_not_asked_again():
    sent, slots, dispatcher = ask(started_with("pothole on Leek Road near the co-op"))
    assert sent == ["utter_ask_location_confirm"]
    assert dispatcher.messages[0]["location_guess"] == "Leek Road, near the Co-op"
    assert slots == {"location_guess": "Leek Road, near the Co-op"}


def test_no_place_in_what_was_said_asks_where_and_offers_nothing_later():
    sent, slots, _ = ask(started_with("there's a massive pothole on my road"))
    assert sent == ["utter_ask_location"]
    assert slots == {"location_guess": ""}


def test_the_place_is_offered_once_per_report():
    tracker = started_with("pothole on Leek Road near the co-op", offered="", latest="no")
    sent, _, _ = ask(tracker)
    assert sent == ["utter_ask_location"]


@pytest.mark.parametrize("answer", ["yes", "/affirm", "yes that's right"])
def test_yes_takes_the_place_offered(answer):
    tracker = started_with(
        "pothole on Leek Road", offered="Leek Road, near the Co-op", latest=answer
    )
    result, sent = validate(answer, tracker)
    assert sent == []
    assert result["location"] == "Leek Road, near the Co-op"
    assert result["location_guess"] == ""


def test_no_clears_the_offer_so_the_place_is_asked():
    tracker = started_with("pothole on Leek Road", offered="Leek Road", latest="no")
    result, sent = validate("no", tracker)
    assert sent == []
    assert result == {"location": None, "location_guess": ""}


def test_no_with_the_right_place_takes_that_place():
    answer = "no, it's on Stoke Road by the school"
    tracker = started_with("pothole on Leek Road", offered="Leek Road", latest=answer)
    result, _ = validate(answer, tracker)
    assert result["location"] == "Stoke Road by the school"
    assert result["location_guess"] == ""


def test_another_answer_to_the_offer_is_read_as_the_place(crm):
    tracker = started_with("pothole on Leek Road", offered="Leek Road", latest="ST6 3JJ")
    result, _ = validate("ST6 3JJ", tracker)
    assert result["location"] == "ST6 3JJ"
    assert result["location_lat"] is not None


def test_a_postcode_given_with_a_street_and_landmark_keeps_the_whole_description(crm):
    typed = "outside the Co-op, Leek Road, ST6 3JJ"
    tracker = load_tracker("report_form_location", text=typed)
    # The postcode entity fills the slot with the postcode alone.
    assert whole_place_answer("ST6 3JJ", tracker) == typed
    result, _ = validate("ST6 3JJ", tracker)
    assert result["location"] == typed
    assert result["location_postcode"] == "ST6 3JJ"
    assert result["location_lat"] is not None


def test_a_postcode_alone_stays_a_postcode():
    tracker = load_tracker("report_form_location", text="ST6 3JJ")
    assert whole_place_answer("ST6 3JJ", tracker) == "ST6 3JJ"


def test_in_another_language_the_place_is_asked_for():
    tracker = started_with("pothole on Leek Road near the co-op")
    tracker.slots["language"] = "pl"
    sent, slots, _ = ask(tracker)
    assert sent == ["utter_ask_location"]
    assert slots == {"location_guess": ""}


def test_a_postcode_alone_is_confirmed_as_a_postcode():
    sent, slots, _ = ask(started_with("pothole at ST6 3JJ"))
    assert sent == ["utter_ask_location_confirm_postcode"]
    assert slots == {"location_guess": "ST6 3JJ"}
