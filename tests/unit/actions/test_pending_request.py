"""Two requests in one message: the second is kept and offered when the first is done."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.common.pending_request import (
    ActionNotePendingRequest,
    ActionOfferPendingRequest,
    ActionTakeUpPendingRequest,
    area,
    find_second_request,
    offer_pending,
    second_requests,
)
from tests.unit.actions.trackers import load_domain, response_names, slot_values


def _buttons(response: str, message: dict[str, Any]) -> list[dict[str, str]]:
    """The English web buttons of a response, filled as Rasa fills them from the message."""
    from rasa.core.nlg.generator import ResponseVariationFilter
    from rasa.core.nlg.interpolator import interpolate

    chooser = ResponseVariationFilter(load_domain()["responses"])
    [variant] = chooser.responses_for_utter_action(response, "rest", {"language": "en"})
    return interpolate(variant["buttons"], message)


BOTH = "report a pothole on Leek Road and also ask about my council tax bill"
COUNCIL_TAX = {"intent": "council_tax_account", "label": "your council tax bill"}


def _tracker(
    text: str,
    intent: str,
    slots: dict[str, Any] | None = None,
    ranking: list[dict[str, Any]] | None = None,
) -> Tracker:
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
        "entities": [],
    }
    events = [{"event": "session_started"}, {"event": "user", "text": text}]
    return Tracker("c1", slots or {}, message, events, False, None, None, "action_listen")


def test_the_second_request_is_found_in_the_residents_words():
    found = find_second_request(BOTH, "report_pothole", [], second_requests())
    assert found == {**COUNCIL_TAX, "start": "council_tax_account_form"}


@pytest.mark.parametrize(
    "text,intent,expected",
    [
        ("pothole on Leek Road as well as my council tax", "report_pothole", "council_tax_account"),
        ("check SR-7K3Q9X and then find a computer near me", "check_report_status", "find_pc"),
        ("council tax bill. also can I get a broadband voucher", "council_tax", "broadband_check"),
    ],
)
def test_second_requests_joined_in_other_ways(text, intent, expected):
    assert find_second_request(text, intent, [], second_requests())["intent"] == expected


@pytest.mark.parametrize(
    "text,intent",
    [
        ("report a pothole on Leek Road", "report_pothole"),
        # The same area twice is one request, not two.
        ("a pothole and also a broken street light", "report_pothole"),
        ("it's been there for weeks and also it's deep", "report_pothole"),
    ],
)
def test_no_second_request(text, intent):
    assert find_second_request(text, intent, [], second_requests()) is None


def test_the_intent_ranking_names_a_second_request_no_keyword_catches():
    ranking = [
        {"name": "report_pothole", "confidence": 0.6},
        {"name": "find_library", "confidence": 0.3},
    ]
    text = "pothole on Leek Road and also where do I borrow books"
    found = find_second_request(text, "report_pothole", ranking, second_requests())
    assert found["intent"] == "find_library"
    assert found["label"] == "finding a library"
    weak = [ranking[0], {"name": "find_library", "confidence": 0.05}]
    assert find_second_request(text, "report_pothole", weak, second_requests()) is None


def test_a_long_second_request_is_offered_by_its_label():
    text = (
        "pothole and also I need to sort out the council tax for the flat I moved into last month"
    )
    found = find_second_request(text, "report_pothole", [], second_requests())
    assert found["label"] == "your council tax"


def test_areas():
    assert area("report_pothole") == area("report_problem") == "report_"
    assert area("council_tax_account") == area("council_tax") == "council_tax"


def _note(tracker: Tracker) -> dict[str, Any]:
    events = asyncio.run(ActionNotePendingRequest().run(CollectingDispatcher(), tracker, {}))
    return slot_values(events)


def test_the_slot_mapping_keeps_the_second_request():
    assert _note(_tracker(BOTH, "report_pothole"))["pending_request"]["intent"] == (
        "council_tax_account"
    )
    assert _note(_tracker("Leek Road", "inform")) == {}


def test_starting_the_second_request_clears_it():
    tracker = _tracker("my council tax", "council_tax_account", {"pending_request": COUNCIL_TAX})
    assert _note(tracker) == {"pending_request": None}


def test_a_journey_end_offers_it_once():
    assert offer_pending(_tracker("x", "affirm", {"pending_request": COUNCIL_TAX})) == [
        FollowupAction("action_offer_pending_request")
    ]
    offered = {**COUNCIL_TAX, "offered": True}
    assert offer_pending(_tracker("x", "affirm", {"pending_request": offered})) == []
    assert offer_pending(_tracker("x", "affirm", {"pending_request": None})) == []


def test_the_offer_names_it_and_its_yes_button_starts_it():
    dispatcher = CollectingDispatcher()
    tracker = _tracker("x", "affirm", {"pending_request": COUNCIL_TAX})
    events = asyncio.run(ActionOfferPendingRequest().run(dispatcher, tracker, {}))
    assert response_names(dispatcher) == ["utter_pending_request_offer"]
    message = dispatcher.messages[0]
    assert message["pending_label"] == "your council tax bill"
    assert message["pending_intent"] == "council_tax_account"
    assert _buttons("utter_pending_request_offer", message) == [
        {"title": "Yes", "payload": "/council_tax_account"},
        {"title": "No, thanks", "payload": "/deny"},
    ]
    assert slot_values(events)["pending_request"]["offered"] is True


def test_a_typed_yes_starts_the_form_the_request_needs():
    pending = {**COUNCIL_TAX, "start": "council_tax_account_form", "offered": True}
    tracker = _tracker("yes", "affirm", {"pending_request": pending})
    events = asyncio.run(ActionTakeUpPendingRequest().run(CollectingDispatcher(), tracker, {}))
    assert FollowupAction("council_tax_account_form") in events
    assert slot_values(events)["pending_request"] is None


def test_a_typed_yes_to_a_request_that_needs_its_own_words_offers_its_button():
    pending = {"intent": "find_pc", "label": "finding a computer", "start": "", "offered": True}
    dispatcher = CollectingDispatcher()
    tracker = _tracker("yes", "affirm", {"pending_request": pending})
    asyncio.run(ActionTakeUpPendingRequest().run(dispatcher, tracker, {}))
    assert response_names(dispatcher) == ["utter_pending_request_press"]
    assert _buttons("utter_pending_request_press", dispatcher.messages[0]) == [
        {"title": "finding a computer", "payload": "/find_pc"}
    ]
