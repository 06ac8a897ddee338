""" "I don't know", "skip" and a person after two misses (``actions/common/form_skip.py``).

Run through real form validators (broadband, find a place) with trackers shaped as Rasa
sends them: the form active, the question asked, the answer extracted as its candidate.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.broadband import ValidateBroadbandForm
from actions.common import deps, responses, slots
from actions.common.form_skip import says_skip
from actions.common.validators import UNKNOWN
from actions.find_place import ValidateFindPlaceForm
from integrations.crm import FakeCrm
from tests.unit.actions.trackers import response_names, slot_values

pytestmark = pytest.mark.usefixtures("council")


def form_tracker(
    form: str,
    asked: str,
    text: str,
    *,
    filled: dict[str, Any] | None = None,
    intent: str = "inform",
    extracted: bool = True,
) -> Tracker:
    """The tracker a form's validation action gets after the resident answers ``asked``."""
    message = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    events: list[dict[str, Any]] = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": message},
    ]
    values = {slots.REQUESTED_SLOT: asked, **(filled or {})}
    if extracted:
        events += [SlotSet(asked, text), ActionExecuted(form), SlotSet(asked, text)]
        values[asked] = text
    return Tracker(
        "resident-skip", values, message, events, False, None, {"name": form}, "action_listen"
    )


def validate(action: Any, tracker: Tracker, domain: dict) -> tuple[dict, list]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return slot_values(events), response_names(dispatcher)


@pytest.fixture(autouse=True)
def _crm(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deps, "crm", lambda: FakeCrm())


BUSINESS = {slots.BB_APPLICANT: "business"}


@pytest.mark.parametrize(
    "text",
    ["I don't know", "sorry, no idea!", "not sure", "skip", "dunno", "nie wiem", "nu știu",
     "neviem", "لا أعرف", "জানি না", "ਮੈਨੂੰ ਨਹੀਂ ਪਤਾ", "مجھے نہیں معلوم"],
)  # fmt: skip
def test_skip_phrases_in_every_language(text: str) -> None:
    assert says_skip(text)


@pytest.mark.parametrize(
    "text",
    ["about 10", "I don't know the road but it's by the school", "next Tuesday", "na", "", ","],
)
def test_answers_that_only_contain_a_skip_word_are_answers(text: str) -> None:
    assert not says_skip(text)


def test_broadband_speed_i_dont_know_never_loops(domain: dict) -> None:
    """Recorded as unknown; the check ends with how to find the speed out."""
    filled = {**BUSINESS, slots.BB_STAFF: 4, slots.BB_POSTCODE: "ST6 3JJ"}
    values, names = validate(
        ValidateBroadbandForm(),
        form_tracker("broadband_form", slots.BB_SPEED, "I don't know", filled=filled),
        domain,
    )
    assert values[slots.BB_SPEED] == UNKNOWN
    assert values[slots.BB_OUTCOME] == "speed_unknown"
    assert values[slots.REQUESTED_SLOT] is None  # the form ends: no question again
    assert responses.BB_SPEED_NOT_VALID not in names


@pytest.mark.parametrize(
    ("text", "mbps"), [("about 10", 10.0), ("10 mbps", 10.0), ("ten", 10.0), ("roughly 8ish", 8.0)]
)
def test_broadband_speed_takes_a_rough_figure(domain: dict, text: str, mbps: float) -> None:
    filled = {**BUSINESS, slots.BB_STAFF: 4, slots.BB_POSTCODE: "ST6 3JJ"}
    values, names = validate(
        ValidateBroadbandForm(),
        form_tracker("broadband_form", slots.BB_SPEED, text, filled=filled),
        domain,
    )
    assert values[slots.BB_SPEED] == mbps and names == []


def test_a_required_question_says_why_and_offers_a_person(domain: dict) -> None:
    values, names = validate(
        ValidateBroadbandForm(),
        form_tracker("broadband_form", slots.BB_STAFF, "no idea", filled=BUSINESS),
        domain,
    )
    assert names == [responses.BB_STAFF_REQUIRED]
    assert values[slots.BB_STAFF] is None
    assert values[slots.REQUESTED_SLOT] == slots.FORM_OFFER_PERSON


def test_two_misses_offer_a_person_instead_of_a_third_question(domain: dict) -> None:
    first, names = validate(
        ValidateBroadbandForm(),
        form_tracker("broadband_form", slots.BB_STAFF, "banana", filled=BUSINESS),
        domain,
    )
    assert names == [responses.BB_STAFF_NOT_VALID]
    assert first[slots.FORM_MISSES] == {"slot": slots.BB_STAFF, "count": 1}
    assert first.get(slots.REQUESTED_SLOT) != slots.FORM_OFFER_PERSON
    filled = {**BUSINESS, slots.FORM_MISSES: first[slots.FORM_MISSES]}
    second, names = validate(
        ValidateBroadbandForm(),
        form_tracker("broadband_form", slots.BB_STAFF, "lots", filled=filled),
        domain,
    )
    assert names == [responses.BB_STAFF_NOT_VALID]
    assert second[slots.FORM_MISSES] == {"slot": slots.BB_STAFF, "count": 2}
    assert second[slots.REQUESTED_SLOT] == slots.FORM_OFFER_PERSON


def test_a_miss_on_another_question_starts_the_count_again(domain: dict) -> None:
    filled = {**BUSINESS, slots.BB_STAFF: 4, slots.FORM_MISSES: {"slot": "bb_staff", "count": 1}}
    values, _ = validate(
        ValidateBroadbandForm(),
        form_tracker("broadband_form", slots.BB_POSTCODE, "banana", filled=filled),
        domain,
    )
    assert values[slots.FORM_MISSES] == {"slot": slots.BB_POSTCODE, "count": 1}
    assert values.get(slots.REQUESTED_SLOT) != slots.FORM_OFFER_PERSON


def test_an_answer_resets_the_count(domain: dict) -> None:
    filled = {**BUSINESS, slots.FORM_MISSES: {"slot": "bb_staff", "count": 1}}
    values, _ = validate(
        ValidateBroadbandForm(),
        form_tracker("broadband_form", slots.BB_STAFF, "about 4", filled=filled),
        domain,
    )
    assert values[slots.BB_STAFF] == 4 and values[slots.FORM_MISSES] is None


def test_the_answer_after_the_offer_answers_the_missed_question(domain: dict) -> None:
    filled = {**BUSINESS, slots.FORM_MISSES: {"slot": "bb_staff", "count": 2}}
    tracker = form_tracker("broadband_form", slots.FORM_OFFER_PERSON, "4", filled=filled,
                           extracted=False)  # fmt: skip
    values, names = validate(ValidateBroadbandForm(), tracker, domain)
    assert names == []
    assert values[slots.BB_STAFF] == 4 and values[slots.FORM_MISSES] is None
    # No question chosen here: the form asks its next one (the postcode) itself.
    assert slots.REQUESTED_SLOT not in values
    # Still wrong: the offer stands (asked again), never the same question a third time.
    tracker = form_tracker("broadband_form", slots.FORM_OFFER_PERSON, "banana", filled=filled,
                           extracted=False)  # fmt: skip
    values, names = validate(ValidateBroadbandForm(), tracker, domain)
    assert names == [responses.BB_STAFF_NOT_VALID]
    assert values[slots.REQUESTED_SLOT] == slots.FORM_OFFER_PERSON
    assert values[slots.FORM_MISSES] == {"slot": slots.BB_STAFF, "count": 3}


def test_the_person_button_is_left_to_the_hand_off_rule(domain: dict) -> None:
    filled = {**BUSINESS, slots.FORM_MISSES: {"slot": "bb_staff", "count": 2}}
    tracker = form_tracker("broadband_form", slots.FORM_OFFER_PERSON, "/human_handoff",
                           filled=filled, intent="human_handoff", extracted=False)  # fmt: skip
    values, names = validate(ValidateBroadbandForm(), tracker, domain)
    # Nothing is said and no answer changes: only the repair questions are cleared.
    assert names == []
    assert all(value is None for value in values.values())
    assert set(values) <= {
        slots.FORM_DANGER_CHECK, slots.FORM_PENDING_SLOT, slots.FORM_RESUME_CONFIRM,
        slots.FORM_URGENT_TEXT, slots.FORM_STOP_CONFIRM,
    }  # fmt: skip


def test_no_postcode_says_what_else_works_and_offers_a_person(domain: dict) -> None:
    values, names = validate(
        ValidateFindPlaceForm(),
        form_tracker("find_place_form", slots.PLACE_POSTCODE, "I don't know it"),
        domain,
    )
    assert names == [responses.PLACE_POSTCODE_REQUIRED]
    assert values[slots.REQUESTED_SLOT] == slots.FORM_OFFER_PERSON


# Every form that offers a person: a question its validator refuses, and answers before it.
MISSED = [
    (
        "report_form",
        "dangerous",
        {
            slots.PROBLEM_TYPE: "pothole",
            slots.LOCATION: "Leek Road",
            "description": "deep hole",
        },
    ),
    ("find_place_form", slots.PLACE_POSTCODE, {}),
    ("book_pc_form", "book_date", {"book_place": "Tunstall Library"}),
    ("cancel_booking_form", "cancel_confirm", {}),
    ("broadband_form", slots.BB_STAFF, BUSINESS),
    ("digital_skills_form", "ds_managing_information", {}),
    ("council_tax_account_form", slots.CT_ACCOUNT_REFERENCE, {}),
    ("council_tax_instalments_form", slots.CT_ACCOUNT_REFERENCE, {}),
    ("council_tax_discount_form", slots.CT_ACCOUNT_REFERENCE, {}),
    ("council_tax_moving_form", slots.CT_ACCOUNT_REFERENCE, {}),
]


@pytest.mark.parametrize(("form", "asked", "filled"), MISSED)
def test_every_form_offers_a_person_after_two_misses(
    form: str, asked: str, filled: dict[str, Any], domain: dict
) -> None:
    from tests.unit.actions.test_form_repair import VALIDATORS

    [validator] = [v for v in VALIDATORS if v().form_name() == form]
    first, _ = validate(
        validator(), form_tracker(form, asked, "banana banana", filled=filled), domain
    )
    assert first.get(slots.REQUESTED_SLOT) != slots.FORM_OFFER_PERSON
    assert first[slots.FORM_MISSES] == {"slot": asked, "count": 1}
    again = {**filled, slots.FORM_MISSES: first[slots.FORM_MISSES]}
    second, _ = validate(
        validator(), form_tracker(form, asked, "banana banana", filled=again), domain
    )
    assert second[slots.REQUESTED_SLOT] == slots.FORM_OFFER_PERSON


@pytest.mark.parametrize(("form", "asked", "filled"), MISSED)
def test_every_question_of_every_form_can_be_skipped_or_says_why(
    form: str, asked: str, filled: dict[str, Any], domain: dict
) -> None:
    from tests.unit.actions.test_form_repair import VALIDATORS

    [validator] = [v for v in VALIDATORS if v().form_name() == form]
    action = validator()  # some forms list their questions as properties (from kb data)
    handled = {*action.skippable, *action.required_because, *action.counted_elsewhere}
    assert set(domain["forms"][form]["required_slots"]) <= handled


def test_not_sure_about_cancelling_says_why_and_offers_a_person(domain: dict) -> None:
    from actions.book_pc import ValidateCancelBookingForm

    tracker = form_tracker("cancel_booking_form", "cancel_confirm", "I don't know")
    values, names = validate(ValidateCancelBookingForm(), tracker, domain)
    assert names == [responses.BOOKING_CONFIRM_REQUIRED]
    assert values["cancel_confirm"] is None
    assert values[slots.REQUESTED_SLOT] == slots.FORM_OFFER_PERSON
