"""Another request inside a form is answered as it would be outside it."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.repair import ActionAnswerDigression, faq_response
from integrations.open311.fake import FakeOpen311Client
from tests.unit.actions.trackers import load_domain, response_names


def _tracker(intent: str, text: str, reference: str | None = None, **message: Any) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, **message}
    events = [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker(
        "resident",
        {"status_reference": reference, "requested_slot": "location"},
        latest,
        events,
        False,
        None,
        {"name": "report_form"},
        "action_listen",
    )


def _run(tracker: Tracker) -> tuple[list[dict[str, Any]], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswerDigression().run(dispatcher, tracker, load_domain()))
    return events, dispatcher


def _selected(intent: str, key: str) -> dict[str, Any]:
    return {intent: {"response": {"utter_action": f"utter_{key}", "confidence": 0.8}}}


def test_an_faq_question_gets_the_answer_the_response_selector_chose() -> None:
    tracker = _tracker(
        "council_tax",
        "how can I pay my council tax?",
        response_selector=_selected("default", "council_tax/ways_to_pay"),
    )
    events, dispatcher = _run(tracker)
    assert response_names(dispatcher) == ["utter_council_tax/ways_to_pay"]
    assert events == []


def test_the_selector_of_the_intent_itself_comes_first() -> None:
    selectors = {
        **_selected("default", "council_tax/students"),
        **_selected("universal_credit", "universal_credit/how_to_claim"),
    }
    message = {"response_selector": selectors}
    assert faq_response(message, "universal_credit") == "utter_universal_credit/how_to_claim"
    # An answer for another intent is never given for this one.
    assert faq_response(message, "broadband") is None


def test_a_signpost_question_gets_the_signpost() -> None:
    events, dispatcher = _run(_tracker("signpost_bins", "when are the bins collected"))
    assert response_names(dispatcher) == ["utter_signpost_bins"]
    assert {"event": "slot", "name": "signpost_topic", "value": "bins", "timestamp": None} in events


def test_a_status_check_is_answered_by_the_status_action(crm: FakeOpen311Client) -> None:
    tracker = _tracker("check_report_status", "any news on SR-PT6XJP", reference="SR-PT6XJP")
    events, dispatcher = _run(tracker)
    assert response_names(dispatcher) == ["utter_status_not_found"]
    assert dispatcher.messages[0]["status_reference"] == "SR-PT6XJP"
    assert {"event": "slot", "name": "status_reference", "value": None, "timestamp": None} in events


def test_a_question_with_no_answer_chosen_is_never_left_silent() -> None:
    events, dispatcher = _run(_tracker("broadband", "what about broadband"))
    assert response_names(dispatcher) == ["utter_no_answer"]
    assert events == []
