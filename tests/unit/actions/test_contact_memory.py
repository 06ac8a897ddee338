"""Contact details given earlier in the session are offered again, not asked again."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common.contact_memory import (
    ActionAskContact,
    ActionAskHandoffContact,
    contact_answer,
    remembered_contact,
    set_during_form,
    shown_contact,
)
from actions.handoff import ValidateHandoffForm
from actions.report_problem import ValidateReportForm
from tests.unit.actions.trackers import response_names, slot_values


def _tracker(events: list[dict[str, Any]], text: str = "") -> Tracker:
    return Tracker(
        "c1",
        {},
        {"text": text, "intent": {"name": "inform", "confidence": 1.0}, "entities": []},
        events,
        False,
        None,
        None,
        "action_listen",
    )


def _slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def _loop(name: str | None) -> dict[str, Any]:
    return {"event": "active_loop", "name": name}


PHONE_GIVEN = [
    {"event": "session_started"},
    _loop("report_form"),
    _slot("contact_phone", "07700900123"),
    _slot("contact_phone", None),  # the report was sent and its answers forgotten
    _loop(None),
]


def test_the_latest_detail_of_this_session_is_remembered_whichever_journey_took_it():
    remembered = remembered_contact(_tracker(PHONE_GIVEN))
    assert remembered is not None
    assert (remembered.kind, remembered.value, remembered.shown) == (
        "phone",
        "07700900123",
        "07700 900123",
    )
    later = [*PHONE_GIVEN, _slot("handoff_email", "jo@example.com")]
    assert remembered_contact(_tracker(later)).value == "jo@example.com"


def test_a_detail_from_an_earlier_session_is_not_remembered():
    events = [_slot("contact_phone", "07700900123"), {"event": "session_started"}]
    assert remembered_contact(_tracker(events)) is None


def test_an_email_is_shown_with_its_name_part_hidden():
    assert shown_contact("email", "jo.bloggs@example.com") == "j…@example.com"


def test_an_offer_belongs_to_one_run_of_a_form():
    events = [_loop("handoff_form"), _slot("contact_offered", "07700900123"), _loop(None)]
    assert set_during_form(_tracker(events), "contact_offered", "handoff_form") == "07700900123"
    events.append(_loop("handoff_form"))
    assert set_during_form(_tracker(events), "contact_offered", "handoff_form") is None


@pytest.mark.parametrize(
    "answer,offered,expected",
    [
        ("yes", "07700900123", "07700900123"),
        ("/affirm", "07700900123", "07700900123"),
        ("no", "07700900123", None),
        ("jo@example.com", "07700900123", "jo@example.com"),
        ("yes", None, "yes"),
        ("yes", "", "yes"),
    ],
)
def test_the_answer_to_the_offer(answer, offered, expected):
    assert contact_answer(answer, offered) == expected


def ask(action: Any, events: list[dict[str, Any]]) -> tuple[list[str | None], dict, Any]:
    dispatcher = CollectingDispatcher()
    result = asyncio.run(action.run(dispatcher, _tracker(events), {}))
    return response_names(dispatcher), slot_values(result), dispatcher


def test_the_handoff_form_offers_the_number_from_the_report():
    sent, slots, dispatcher = ask(ActionAskHandoffContact(), [*PHONE_GIVEN, _loop("handoff_form")])
    assert sent == ["utter_ask_contact_again"]
    assert dispatcher.messages[0]["contact_shown"] == "07700 900123"
    assert slots == {"contact_offered": "07700900123"}


def test_with_nothing_given_before_the_form_asks_as_usual():
    sent, slots, _ = ask(ActionAskContact(), [{"event": "session_started"}, _loop("report_form")])
    assert sent == ["utter_ask_contact"]
    assert slots == {"contact_offered": ""}


def test_after_no_the_form_asks_as_usual():
    events = [*PHONE_GIVEN, _loop("report_form"), _slot("contact_offered", "")]
    sent, _, _ = ask(ActionAskContact(), events)
    assert sent == ["utter_ask_contact"]


def test_yes_fills_the_report_forms_contact_with_the_detail_offered():
    events = [*PHONE_GIVEN, _loop("report_form"), _slot("contact_offered", "07700900123")]
    result = asyncio.run(
        ValidateReportForm().validate_contact("yes", CollectingDispatcher(), _tracker(events), {})
    )
    assert result["contact"] == "07700900123"
    assert result["contact_phone"] == "07700900123"
    assert result["contact_offered"] == ""


def test_no_to_the_handoff_offer_asks_again_without_calling_it_invalid():
    events = [*PHONE_GIVEN, _loop("handoff_form"), _slot("contact_offered", "07700900123")]
    dispatcher = CollectingDispatcher()
    result = asyncio.run(
        ValidateHandoffForm().validate_handoff_contact("no", dispatcher, _tracker(events), {})
    )
    assert result == {"handoff_contact": None, "contact_offered": ""}
    assert dispatcher.messages == []


def test_yes_fills_the_handoff_forms_phone():
    events = [*PHONE_GIVEN, _loop("handoff_form"), _slot("contact_offered", "07700900123")]
    result = asyncio.run(
        ValidateHandoffForm().validate_handoff_contact(
            "yes please", CollectingDispatcher(), _tracker(events), {}
        )
    )
    assert result["handoff_phone"] == "07700900123"


def test_in_another_language_the_usual_translated_question_is_asked():
    events = [*PHONE_GIVEN, _loop("handoff_form")]
    tracker = _tracker(events)
    tracker.slots["language"] = "pl"
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ActionAskHandoffContact().run(dispatcher, tracker, {}))
    assert response_names(dispatcher) == ["utter_ask_handoff_contact"]
    assert slot_values(result) == {"contact_offered": ""}
