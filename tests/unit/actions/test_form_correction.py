"""Correcting the answer just given ("sorry, I meant …") in any form."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import responses
from actions.common.form_correction import last_answered, load_correction_phrases
from actions.council_tax_forms import ValidateCouncilTaxAccountForm
from actions.find_place import ValidateFindPlaceForm
from tests.unit.actions.test_form_repair import VALIDATORS, _first_slots
from tests.unit.actions.trackers import load_domain, response_names

PHRASES = load_correction_phrases(
    Path(__file__).resolve().parents[3] / "kb" / "conversation" / "correction_phrases.yml"
)


@pytest.mark.parametrize(
    ("message", "answer"),
    [
        ("sorry, I meant ST4 2DX", "ST4 2DX"),
        ("Sorry I meant 1234 5678", "1234 5678"),
        ("no wait - it's Leek Road", "it's Leek Road"),
        ("I made a mistake, Stoke Road", "Stoke Road"),
        ("Sorry, I got that wrong", ""),
        ("chodziło mi o ST4 2DX", "ST4 2DX"),
        ("ST4 2DX", None),
        ("I mean it's been there for weeks", None),
        ("actually it is dangerous", None),
        ("correction fluid spilled on the pavement", None),
        ("", None),
        (None, None),
    ],
)
def test_a_correction_is_told_from_an_answer(message: str | None, answer: str | None) -> None:
    assert PHRASES.new_answer(message) == answer


def _tracker(form: str, text: str, before: dict[str, Any], requested: str) -> Tracker:
    """``before`` answered in order; the latest message arrives while ``requested`` is asked.

    As in Rasa, the text has already been put in the asked slot (its ``from_text`` mapping).
    """
    events: list[dict[str, Any]] = [
        {"event": "slot", "name": name, "value": value} for name, value in before.items()
    ]
    events.append({"event": "slot", "name": "requested_slot", "value": requested})
    events.append({"event": "user", "text": text, "parse_data": {}})
    events.append({"event": "slot", "name": requested, "value": text})
    slots = {"requested_slot": requested, **before, requested: text}
    return Tracker(
        "resident",
        slots,
        {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.3}, "entities": []},
        events,
        False,
        None,
        {"name": form},
        "action_listen",
    )


def _run(validator: Any, tracker: Tracker) -> tuple[dict[str, Any], list[str | None]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(validator().run(dispatcher, tracker, load_domain()))
    values: dict[str, Any] = {}
    for event in events:
        if event.get("event") == "slot":
            values[event["name"]] = event["value"]
    return values, response_names(dispatcher)


def test_the_earlier_answer_is_changed_and_the_pending_question_asked_again() -> None:
    tracker = _tracker(
        "council_tax_account_form",
        "sorry, I meant 8765 4321",
        {"ct_account_reference": "12345678"},
        "ct_postcode",
    )
    values, said = _run(ValidateCouncilTaxAccountForm, tracker)
    assert values["ct_account_reference"] == "87654321"
    # The message is not the postcode, and the postcode question comes again.
    assert values["ct_postcode"] is None
    assert values["requested_slot"] == "ct_postcode"
    assert said == ["utter_form_corrected"]


def test_a_correction_the_validator_refuses_asks_the_earlier_question_again() -> None:
    tracker = _tracker(
        "council_tax_account_form",
        "sorry I meant 12",
        {"ct_account_reference": "12345678"},
        "ct_postcode",
    )
    values, said = _run(ValidateCouncilTaxAccountForm, tracker)
    assert values["ct_account_reference"] is None
    assert values["requested_slot"] == "ct_account_reference"
    assert "utter_form_corrected" not in said
    assert said == [responses.CT_REFERENCE_NOT_VALID]  # the validator says why


def test_a_correction_phrase_alone_asks_the_earlier_question_again() -> None:
    tracker = _tracker(
        "council_tax_account_form",
        "Sorry, I got that wrong",
        {"ct_account_reference": "12345678", "ct_postcode": "ST4 2DX"},
        "ct_surname",
    )
    values, said = _run(ValidateCouncilTaxAccountForm, tracker)
    assert values["ct_postcode"] is None
    assert values["ct_account_reference"] == "12345678"
    assert values["requested_slot"] == "ct_postcode"
    assert said == []


def test_the_question_answered_last_is_the_one_corrected() -> None:
    tracker = _tracker(
        "council_tax_account_form",
        "sorry I meant x",
        {"ct_account_reference": "12345678", "ct_postcode": "ST4 2DX"},
        "ct_surname",
    )
    form_slots = _first_slots("council_tax_account_form")
    assert last_answered(tracker, form_slots, "ct_surname") == "ct_postcode"


def test_an_answer_cleared_since_is_not_the_one_corrected() -> None:
    tracker = _tracker(
        "council_tax_account_form",
        "sorry I meant x",
        {"ct_account_reference": "12345678", "ct_postcode": "ST4 2DX"},
        "ct_surname",
    )
    tracker.events.insert(2, {"event": "slot", "name": "ct_postcode", "value": None})
    form_slots = _first_slots("council_tax_account_form")
    assert last_answered(tracker, form_slots, "ct_surname") == "ct_account_reference"


def test_a_correction_with_nothing_answered_yet_is_validated_as_usual() -> None:
    tracker = _tracker("find_place_form", "sorry I meant ST4 2DX", {}, "place_postcode")
    _, said = _run(ValidateFindPlaceForm, tracker)
    assert "utter_form_corrected" not in said


@pytest.mark.parametrize("validator", VALIDATORS)
def test_every_form_takes_a_correction_of_its_first_answer(validator: Any) -> None:
    form = validator().form_name()
    first, second = _first_slots(form)[:2] if len(_first_slots(form)) > 1 else (None, None)
    if first is None:
        pytest.skip(f"{form} asks one question only")
    tracker = _tracker(form, "Sorry, I got that wrong", {first: "an earlier answer"}, second)
    values, said = _run(validator, tracker)
    assert values[first] is None
    assert values["requested_slot"] == first
    assert "utter_form_corrected" not in said
