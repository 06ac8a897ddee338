"""Every form's validator lets the resident stop, asking first when answers would be lost."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.book_pc import ValidateBookPcForm, ValidateCancelBookingForm
from actions.broadband import ValidateBroadbandForm
from actions.council_tax_forms import (
    ValidateCouncilTaxAccountForm,
    ValidateCouncilTaxDiscountForm,
    ValidateCouncilTaxInstalmentsForm,
    ValidateCouncilTaxMovingForm,
)
from actions.digital_skills import ValidateDigitalSkillsForm
from actions.find_place import ValidateFindPlaceForm
from actions.handoff import ValidateHandoffForm
from actions.report_problem import ValidateReportForm
from actions.report_status import ValidateStatusForm
from tests.unit.actions.trackers import load_domain, response_names, slot_values

VALIDATORS = [
    ValidateBookPcForm,
    ValidateCancelBookingForm,
    ValidateBroadbandForm,
    ValidateCouncilTaxAccountForm,
    ValidateCouncilTaxInstalmentsForm,
    ValidateCouncilTaxDiscountForm,
    ValidateCouncilTaxMovingForm,
    ValidateDigitalSkillsForm,
    ValidateFindPlaceForm,
    ValidateHandoffForm,
    ValidateReportForm,
    ValidateStatusForm,
]


def _first_slots(form: str) -> list[str]:
    return load_domain()["forms"][form]["required_slots"]


def _tracker(
    form: str, text: str, before: dict[str, Any], requested: str, now: dict[str, Any] | None = None
) -> Tracker:
    """A tracker with ``before`` set before the latest message and ``now`` extracted from it."""
    events: list[dict[str, Any]] = [
        {"event": "slot", "name": name, "value": value} for name, value in before.items()
    ]
    events.append({"event": "user", "text": text, "parse_data": {}})
    events += [{"event": "slot", "name": n, "value": v} for n, v in (now or {}).items()]
    slots = {"requested_slot": requested, **before, **(now or {})}
    return Tracker(
        "resident",
        slots,
        {"text": text, "intent": {"name": "nlu_fallback"}, "entities": []},
        events,
        False,
        None,
        {"name": form},
        "action_listen",
    )


def _run(validator: Any, tracker: Tracker) -> tuple[list[dict[str, Any]], list[str | None]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(validator().run(dispatcher, tracker, load_domain()))
    return events, response_names(dispatcher)


def _ended(events: list[dict[str, Any]]) -> bool:
    kinds = {(event["event"], event.get("name")) for event in events}
    return ("active_loop", None) in kinds and ("followup", "action_listen") in kinds


@pytest.mark.parametrize("validator", VALIDATORS)
def test_stop_with_nothing_filled_ends_the_form_at_once(validator: Any) -> None:
    form = validator().form_name()
    first = _first_slots(form)[0]
    events, said = _run(validator, _tracker(form, "cancel", {}, first, {first: "cancel"}))
    assert said == ["utter_form_stopped"]
    assert _ended(events)
    values = slot_values(events)
    assert values[first] is None
    assert values["requested_slot"] is None


@pytest.mark.parametrize("validator", VALIDATORS)
def test_stop_with_answers_given_asks_first_and_keeps_the_text_out(validator: Any) -> None:
    form = validator().form_name()
    first, *rest = _first_slots(form)
    current = rest[0] if rest else first
    before = {first: "an earlier answer"}
    tracker = _tracker(form, "I've changed my mind", before, current, {current: "changed"})
    events, said = _run(validator, tracker)
    assert said == []
    assert not _ended(events)
    values = slot_values(events)
    assert values["requested_slot"] == "form_stop_confirm"
    assert values[first] == "an earlier answer"
    if current != first:
        assert values[current] is None


@pytest.mark.parametrize("validator", VALIDATORS)
def test_yes_to_the_question_stops_without_sending(validator: Any) -> None:
    form = validator().form_name()
    first = _first_slots(form)[0]
    tracker = _tracker(form, "yes", {first: "an earlier answer"}, "form_stop_confirm")
    events, said = _run(validator, tracker)
    assert said == ["utter_form_stopped"]
    assert _ended(events)
    assert slot_values(events)[first] is None


@pytest.mark.parametrize("validator", VALIDATORS)
def test_no_to_the_question_carries_on(validator: Any) -> None:
    form = validator().form_name()
    first = _first_slots(form)[0]
    tracker = _tracker(form, "no", {first: "an earlier answer"}, "form_stop_confirm")
    events, said = _run(validator, tracker)
    assert said == []
    assert not _ended(events)
    values = slot_values(events)
    assert values[first] == "an earlier answer"
    assert values["form_stop_confirm"] is None
    # A validator that chooses its own questions names the next one; otherwise the form does.
    assert values.get("requested_slot") != "form_stop_confirm"


def test_unclear_answer_to_the_question_asks_it_again() -> None:
    first = _first_slots("report_form")[0]
    tracker = _tracker("report_form", "banana", {first: "pothole"}, "form_stop_confirm")
    events, said = _run(ValidateReportForm, tracker)
    assert said == ["utter_yes_no_not_understood"]
    assert slot_values(events)["requested_slot"] == "form_stop_confirm"


def test_a_description_with_stop_in_it_is_validated_as_usual() -> None:
    slots = _first_slots("report_form")
    tracker = _tracker("report_form", "bus stop shelter smashed", {}, slots[0])
    events, said = _run(ValidateReportForm, tracker)
    assert "utter_form_stopped" not in said
    assert not _ended(events)
    assert slot_values(events).get("requested_slot") != "form_stop_confirm"


def test_cancel_while_choosing_what_to_change_is_left_to_the_report_form() -> None:
    tracker = _tracker("report_form", "cancel", {"problem_type": "pothole"}, "change_field")
    events, said = _run(ValidateReportForm, tracker)
    assert "utter_form_stopped" not in said
    assert slot_values(events).get("requested_slot") != "form_stop_confirm"


PENDING = {"pending_request": {"intent": "council_tax_account", "label": "your council tax bill"}}


@pytest.mark.parametrize("validator", VALIDATORS)
def test_stopping_offers_a_request_made_alongside_the_form(validator: Any) -> None:
    form = validator().form_name()
    first = _first_slots(form)[0]
    offer = ("followup", "action_offer_pending_request")
    # At once, with nothing filled.
    events, said = _run(validator, _tracker(form, "cancel", PENDING, first, {first: "cancel"}))
    kinds = {(event["event"], event.get("name")) for event in events}
    assert said == ["utter_form_stopped"]
    assert ("active_loop", None) in kinds and offer in kinds
    assert ("followup", "action_listen") not in kinds
    # After "yes" to "Stop and lose your answers?".
    before = {**PENDING, first: "an earlier answer"}
    events, said = _run(validator, _tracker(form, "yes", before, "form_stop_confirm"))
    assert said == ["utter_form_stopped"]
    assert offer in {(event["event"], event.get("name")) for event in events}
    # Offered once only: the second stop just listens.
    offered = {"pending_request": {**PENDING["pending_request"], "offered": True}}
    events, _ = _run(validator, _tracker(form, "cancel", offered, first, {first: "cancel"}))
    assert _ended(events)
