"""The report form's validation and the submission to the CRM (``actions/report_problem.py``).

Each test checks the slots the action sets and the response names it sends. The council
and its postcodes are real (Stoke-on-Trent sample data); the CRM is the in-memory fake
and the outbox is a temporary SQLite file.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import deps, slots
from actions.report_problem import ValidateReportForm
from actions.report_problem_send import ActionSubmitReport, reset_report_slots
from integrations.open311 import NewServiceRequest, Open311Rejected, ServiceRequest
from integrations.open311.fake import FakeOpen311Client
from integrations.outbox.kinds import OPEN311_REQUEST
from integrations.outbox.store import FAILED, PENDING
from tests.unit.actions.trackers import (
    entity,
    load_tracker,
    response_names,
    slot_values,
    tracker_state,
)

pytestmark = pytest.mark.usefixtures("council", "crm", "outbox")

#: ST6 3JJ in the ONS postcode directory.
ST6_3JJ = (53.037732, -2.192879)
#: Degrees of latitude per metre, near enough for placing reports a distance north.
LAT_PER_M = 1 / 111_195

#: The description in the fixture ``report_form_complete``.
DESCRIPTION = "Deep pothole by the bus stop, about a foot across"

#: Every question about a problem, forgotten (kb/report_questions.yml).
QUESTIONS_CLEARED = dict.fromkeys(
    [
        "litter_problem", "vehicle_registration", "vehicle_description", "vehicle_time_there",
        "animal_kind", "animal_size", "tree_problem", "tree_blocking", "flood_place",
        "flood_source", "debris_kind", "furniture_item",
    ]
)  # fmt: skip

#: The answers of a form waiting for the resident to confirm.
ANSWERED = {
    "problem_type": "pothole",
    "problem_label": "pothole",
    "location": "ST6 3JJ",
    "location_postcode": "ST6 3JJ",
    "location_lat": ST6_3JJ[0],
    "location_long": ST6_3JJ[1],
    "description": DESCRIPTION,
    "dangerous": False,
    "contact_consent": False,
    "requested_slot": "confirm_report",
}


def validate(slot: str, value: Any, tracker: Tracker) -> tuple[dict[str, Any], list]:
    """Call ``validate_<slot>`` directly; return its result and the response names."""
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateReportForm(), f"validate_{slot}")
    result = asyncio.run(method(value, dispatcher, tracker, {}))
    return result, response_names(dispatcher)


def mid_form(**slot_values: Any) -> Tracker:
    """The report form waiting for the place, with some slots changed."""
    return load_tracker("report_form_location", slots=slot_values)


def open_report(
    crm: FakeOpen311Client,
    reference: str,
    metres_north: float,
    service_code: str = "POTHOLE",
    status: str = "open",
) -> None:
    """Put an existing report into the fake CRM, a distance north of ST6 3JJ."""
    crm.requests[reference] = ServiceRequest(
        service_request_id=reference,
        status=status,
        service_code=service_code,
        lat=ST6_3JJ[0] + metres_north * LAT_PER_M,
        long=ST6_3JJ[1],
    )


# --- required_slots ------------------------------------------------------------------

BASE = ["problem_type", "location", "description", "dangerous", "contact_consent"]


@pytest.mark.parametrize(
    "filled,expected",
    [
        ({}, [*BASE, "confirm_report"]),
        (
            {"duplicate_of": "SR-7K3Q9X"},
            ["problem_type", "location", "follow_existing", *BASE[2:], "confirm_report"],
        ),
        (
            {"duplicate_of": "SR-7K3Q9X", "follow_existing": True},
            ["problem_type", "location", "follow_existing"],
        ),
        (
            {"duplicate_of": "SR-7K3Q9X", "follow_existing": False},
            ["problem_type", "location", "follow_existing", *BASE[2:], "confirm_report"],
        ),
        ({"contact_consent": True}, [*BASE, "contact", "confirm_report"]),
        ({"contact_consent": False}, [*BASE, "confirm_report"]),
        ({"confirm_report": False}, [*BASE, "confirm_report", "change_field"]),
        ({"confirm_report": "cancelled"}, [*BASE, "confirm_report"]),
        (
            {"contact_consent": True, "confirm_report": False},
            [*BASE, "contact", "confirm_report", "change_field"],
        ),
    ],
    ids=[
        "base",
        "duplicate",
        "following-duplicate",
        "new-despite-duplicate",
        "consent",
        "no-consent",
        "not-confirmed",
        "cancelled",
        "consent-not-confirmed",
    ],
)
def test_required_slots_depend_on_the_answers(filled, expected, domain):
    dispatcher = CollectingDispatcher()
    required = asyncio.run(
        ValidateReportForm().required_slots(
            domain["forms"]["report_form"]["required_slots"], dispatcher, mid_form(**filled), domain
        )
    )
    assert required == expected
    assert dispatcher.messages == []


# --- problem_type ----------------------------------------------------------------------


def asking_problem_type(**slot_values: Any) -> Tracker:
    """The form asking "what kind of problem is it?" (a pothole was chosen before)."""
    return load_tracker(
        "report_form_location", slots={"requested_slot": "problem_type", **slot_values}
    )


def starting(intent: str, text: str, entities: list | None = None) -> Tracker:
    """The form just started by a message: no question asked yet, nothing chosen before."""
    state = tracker_state("report_form_location")
    state["events"] = [
        event
        for event in state["events"]
        if event.get("name") not in ("problem_type", "requested_slot")
    ]
    state["slots"].update({"requested_slot": None, "problem_type": None})
    state["latest_message"].update(
        text=text, intent={"name": intent, "confidence": 1.0}, entities=entities or []
    )
    return Tracker.from_dict(state)


@pytest.mark.parametrize(
    "value,label", [("pothole", "pothole"), ("streetlight", "street light fault")]
)
def test_known_problem_sets_its_label_and_forgets_an_old_duplicate(value, label):
    result, sent = validate("problem_type", value, asking_problem_type(duplicate_of="SR-7K3Q9X"))
    assert result == {
        "problem_type": value,
        "problem_label": label,
        "problem_type_in_words": None,
        "duplicate_of": None,
        "follow_existing": None,
        **({} if value == "pothole" else QUESTIONS_CLEARED),
    }
    assert sent == []


def test_a_new_report_clears_old_answers_and_gives_the_problems_advice():
    result, sent = validate(
        "problem_type", "dead_animal", starting("report_dead_animal", "dead fox on my road")
    )
    assert result["problem_type"] == "dead_animal"
    assert result["problem_label"] == "dead animal"
    assert {name: result[name] for name in QUESTIONS_CLEARED} == QUESTIONS_CLEARED
    assert sent == ["utter_report_advice"]


def test_the_advice_is_the_councils_in_both_wordings():
    dispatcher = CollectingDispatcher()
    tracker = starting("report_dead_animal", "dead fox on my road")
    asyncio.run(ValidateReportForm().validate_problem_type("dead_animal", dispatcher, tracker, {}))
    [advice] = dispatcher.messages
    assert "RSPCA on 0300 1234 999" in advice["report_advice"]
    assert "0 3 0 0, 1 2 3 4, 9 9 9" in advice["report_advice_voice"]


def test_a_later_answer_that_reads_like_another_report_keeps_the_problem():
    """Describing an abandoned car as "dumped" does not make it fly-tipping."""
    tracker = mid_form(requested_slot="description", problem_type="fly_tipping")
    result, sent = validate("problem_type", "fly_tipping", tracker)
    assert result == {"problem_type": "pothole"}  # what the fixture chose before
    assert sent == []


def test_an_entity_that_is_not_a_problem_type_falls_back_to_the_intent(domain):
    dispatcher = CollectingDispatcher()
    tracker = starting("report_dead_animal", "a dead fox")
    result = asyncio.run(
        ValidateReportForm().validate_problem_type("fox", dispatcher, tracker, domain)
    )
    assert result["problem_type"] == "dead_animal"


def test_something_else_asks_for_the_problem_in_words():
    tracker = asking_problem_type(problem_type=None)
    tracker.latest_message["intent"] = {"name": "report_problem", "confidence": 1.0}
    result, sent = validate("problem_type", "/report_problem", tracker)
    assert result == {"problem_type": None, "problem_type_in_words": True}
    assert sent == []


@pytest.mark.parametrize("value", ["unicorn", "dog fouling", "there's a wasps nest"])
def test_words_that_name_no_problem_say_so_and_ask_in_words(value):
    tracker = asking_problem_type(problem_type=None)
    tracker.latest_message["intent"] = {"name": "out_of_scope", "confidence": 0.9}
    result, sent = validate("problem_type", value, tracker)
    assert result == {"problem_type": None, "problem_type_in_words": True}
    assert sent == ["utter_problem_type_not_understood"]


@pytest.mark.parametrize("value", ["", None])
def test_no_problem_type_is_refused_silently(value):
    result, sent = validate("problem_type", value, asking_problem_type(problem_type=None))
    assert result == {"problem_type": None}
    assert sent == []


# --- location: postcodes and places ----------------------------------------------------


@pytest.mark.parametrize("typed", ["ST6 3JJ", "st63jj", "  st6 3jj "])
def test_postcode_in_the_area_is_located(typed, crm):
    result, sent = validate("location", typed, mid_form())
    assert sent == []
    assert result["location"] == "ST6 3JJ"
    assert result["location_postcode"] == "ST6 3JJ"
    assert result["location_lat"] == pytest.approx(53.03773, abs=1e-5)
    assert result["location_long"] == pytest.approx(-2.19288, abs=1e-5)
    assert result["location_attempts"] == 0
    assert result["duplicate_of"] is None
    assert result["duplicate_distance"] is None
    assert result["follow_existing"] is None


def test_postcode_inside_a_longer_answer_keeps_the_whole_answer():
    result, sent = validate("location", "outside the Co-op on Leek Road, ST6 3JJ", mid_form())
    assert sent == []
    assert result["location"] == "outside the Co-op on Leek Road, ST6 3JJ"
    assert result["location_postcode"] == "ST6 3JJ"
    assert result["location_lat"] == pytest.approx(ST6_3JJ[0])


def test_postcode_of_another_council_names_it_and_is_not_a_failure():
    result, sent = validate("location", "ST5 2SX", mid_form(location_attempts=1))
    assert sent == ["utter_postcode_other_council"]
    assert result == {
        "location": None,
        "location_attempts": 1,
        "location_postcode": "ST5 2SX",
    }


def test_postcode_of_another_council_passes_the_council_to_the_response():
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateReportForm().validate_location("ST5 2SX", dispatcher, mid_form(), {}))
    [message] = dispatcher.messages
    assert message["response"] == "utter_postcode_other_council"
    assert message["location_postcode"] == "ST5 2SX"
    assert "Newcastle-under-Lyme" in message["other_council"]
    assert message["other_council_report_to"]
    assert message["other_council_url"].startswith("https://")


@pytest.mark.parametrize(
    "typed,response,postcode",
    [
        ("ST3 9XX", "utter_postcode_not_found", "ST3 9XX"),
        ("ST4", "utter_postcode_partial", None),
        ("zz", "utter_location_too_vague", None),
        ("Hanley", "utter_location_too_vague", None),
        ("", "utter_location_too_vague", None),
    ],
)
def test_unusable_place_explains_and_counts_one_attempt(typed, response, postcode):
    result, sent = validate("location", typed, mid_form())
    assert sent == [response]
    assert result == {
        "location": None,
        "location_attempts": 1,
        "location_postcode": postcode,
    }


def test_postcode_not_found_passes_the_postcode_to_the_response():
    dispatcher = CollectingDispatcher()
    asyncio.run(ValidateReportForm().validate_location("st3 9xx", dispatcher, mid_form(), {}))
    assert dispatcher.messages[0]["location_postcode"] == "ST3 9XX"


def test_something_shaped_like_a_postcode_is_not_valid():
    result, sent = validate("location", "ST4 2D", mid_form())
    assert sent == ["utter_postcode_not_valid"]
    assert result["location"] is None
    assert result["location_attempts"] == 1


@pytest.mark.parametrize(
    "typed", ["Leek Road, outside the Co-op", "Hanley bus station by the stop for the 21"]
)
def test_street_and_landmark_are_accepted_without_coordinates(typed):
    result, sent = validate("location", typed, mid_form(location_attempts=1))
    assert sent == []
    assert result == {
        "location": typed,
        "location_postcode": None,
        "location_lat": None,
        "location_long": None,
        "location_attempts": 0,
        "duplicate_of": None,
        "duplicate_distance": None,
        "follow_existing": None,
    }


def test_second_failed_place_offers_a_person():
    result, sent = validate("location", "zz", mid_form(location_attempts=1))
    assert sent == ["utter_location_too_vague", "utter_offer_person"]
    assert result["location_attempts"] == 2
    assert result["location"] is None


def test_first_failed_place_does_not_offer_a_person():
    _, sent = validate("location", "zz", mid_form(location_attempts=0))
    assert "utter_offer_person" not in sent


def test_another_councils_postcode_never_offers_a_person():
    result, sent = validate("location", "ST5 2SX", mid_form(location_attempts=3))
    assert sent == ["utter_postcode_other_council"]
    assert result["location_attempts"] == 3


# --- location: nearby open reports -----------------------------------------------------


def test_open_report_of_the_same_kind_nearby_is_offered(crm):
    open_report(crm, "SR-7K3Q9X", metres_north=100)
    result, sent = validate("location", "ST6 3JJ", mid_form())
    assert sent == []
    assert result["location"] == "ST6 3JJ"
    assert result["duplicate_of"] == "SR-7K3Q9X"
    assert result["duplicate_distance"] == pytest.approx(100, abs=2)
    assert result["follow_existing"] is None


def test_nearest_of_several_open_reports_is_offered(crm):
    open_report(crm, "SR-FAR222", metres_north=200)
    open_report(crm, "SR-NEAR22", metres_north=-60)
    result, _ = validate("location", "ST6 3JJ", mid_form())
    assert result["duplicate_of"] == "SR-NEAR22"
    assert result["duplicate_distance"] == pytest.approx(60, abs=2)


@pytest.mark.parametrize(
    "metres,service_code,status",
    [(400, "POTHOLE", "open"), (100, "STREETLIGHT", "open"), (10, "POTHOLE", "closed")],
    ids=["too-far", "other-service", "closed"],
)
def test_report_that_is_not_the_same_problem_is_not_offered(crm, metres, service_code, status):
    open_report(crm, "SR-7K3Q9X", metres, service_code, status)
    result, sent = validate("location", "ST6 3JJ", mid_form())
    assert sent == []
    assert result["duplicate_of"] is None
    assert result["duplicate_distance"] is None


def test_duplicate_check_uses_the_service_of_the_problem_type(crm):
    open_report(crm, "SR-7K3Q9X", metres_north=50, service_code="STREETLIGHT")
    tracker = mid_form(problem_type="streetlight", problem_label="street light fault")
    result, _ = validate("location", "ST6 3JJ", tracker)
    assert result["duplicate_of"] == "SR-7K3Q9X"


def test_crm_down_means_no_duplicate_check_not_a_failed_answer(crm):
    open_report(crm, "SR-7K3Q9X", metres_north=100)
    crm.available = False
    result, sent = validate("location", "ST6 3JJ", mid_form())
    assert sent == []
    assert result["location"] == "ST6 3JJ"
    assert result["location_lat"] == pytest.approx(ST6_3JJ[0])
    assert result["duplicate_of"] is None


def test_new_place_forgets_the_duplicate_of_the_old_one(crm):
    tracker = mid_form(duplicate_of="SR-7K3Q9X", duplicate_distance=80, follow_existing=False)
    result, _ = validate("location", "Leek Road, outside the Co-op", tracker)
    assert result["duplicate_of"] is None
    assert result["duplicate_distance"] is None
    assert result["follow_existing"] is None


# --- yes/no questions ------------------------------------------------------------------

#: "Is this right?" on the check screen reads more than yes or no: see its own tests below.
YES_NO_SLOTS = ["follow_existing", "dangerous", "contact_consent"]


@pytest.mark.parametrize("slot", YES_NO_SLOTS)
@pytest.mark.parametrize(
    "value,expected",
    [("yes", True), ("yeah it is", True), (True, True), ("no", False), (False, False)],
)
def test_yes_no_answers(slot, value, expected):
    result, sent = validate(slot, value, mid_form(requested_slot=slot))
    assert result[slot] is expected
    assert sent == []


@pytest.mark.parametrize("slot", YES_NO_SLOTS)
@pytest.mark.parametrize("value", ["potato", "🙂", "", None])
def test_yes_no_gibberish_asks_again(slot, value):
    result, sent = validate(slot, value, mid_form(requested_slot=slot))
    assert result == {slot: None}
    assert sent == ["utter_yes_no_not_understood"]


def test_no_contact_clears_contact_details_given_before():
    tracker = mid_form(
        contact="07700900123", contact_phone="07700900123", requested_slot="contact_consent"
    )
    result, sent = validate("contact_consent", "no thanks", tracker)
    assert result == {
        "contact_consent": False,
        "contact": None,
        "contact_email": None,
        "contact_phone": None,
    }
    assert sent == []


def test_yes_to_contact_leaves_the_details_to_the_next_question():
    result, _ = validate("contact_consent", "yes", mid_form())
    assert result == {"contact_consent": True}


# --- contact, description, change_field -----------------------------------------------


@pytest.mark.parametrize(
    "typed,contact,email,phone",
    [
        ("Jo.Bloggs@Example.com", "jo.bloggs@example.com", "jo.bloggs@example.com", None),
        ("07700 900123", "07700900123", None, "07700900123"),
        ("+44 1782 234234", "01782234234", None, "01782234234"),
    ],
)
def test_contact_is_an_email_or_a_uk_phone(typed, contact, email, phone):
    result, sent = validate("contact", typed, mid_form(requested_slot="contact"))
    assert result == {"contact": contact, "contact_email": email, "contact_phone": phone}
    assert sent == []


@pytest.mark.parametrize("typed", ["call me", "12345", "jo@", "", None])
def test_contact_that_is_neither_is_refused(typed):
    result, sent = validate("contact", typed, mid_form(requested_slot="contact"))
    assert result == {"contact": None}
    assert sent == ["utter_contact_not_valid"]


def test_description_is_cleaned():
    result, sent = validate("description", "  deep   hole\x00 by the stop ", mid_form())
    assert result == {"description": "deep hole by the stop"}
    assert sent == []


@pytest.mark.parametrize("typed", ["", "   ", "🙂🙂🙂", "!!!", "/affirm", None])
def test_description_without_words_asks_again(typed):
    result, sent = validate("description", typed, mid_form())
    assert result == {"description": None}
    assert sent == ["utter_description_empty"]


def test_changing_the_place_clears_it_and_its_duplicate():
    tracker = mid_form(**ANSWERED, confirm_report=False, duplicate_of="SR-7K3Q9X")
    result, sent = validate("change_field", "the place", tracker)
    assert result == {
        "location": None,
        "change_field": None,
        "confirm_report": None,
        "duplicate_of": None,
        "follow_existing": None,
    }
    assert sent == []


@pytest.mark.parametrize(
    "typed,cleared",
    [
        ("details", {"description", *QUESTIONS_CLEARED}),
        ("whether it's dangerous", {"dangerous"}),
        ("the problem", {"problem_type"}),
        ("contact", {"contact_consent", "contact", "contact_email", "contact_phone"}),
    ],
)
def test_changing_an_answer_clears_it_and_the_confirmation(typed, cleared):
    result, sent = validate("change_field", typed, mid_form(**ANSWERED, confirm_report=False))
    assert result == dict.fromkeys(cleared | {"change_field", "confirm_report"})
    assert sent == []


@pytest.mark.parametrize("typed", ["cancel", "don't send it", "forget it"])
def test_cancelling_marks_the_report_cancelled(typed):
    result, sent = validate("change_field", typed, mid_form(**ANSWERED, confirm_report=False))
    assert result == {"change_field": "cancelled", "confirm_report": "cancelled"}
    assert sent == []


@pytest.mark.parametrize("typed", ["banana", "", None])
def test_change_that_is_not_understood_asks_again(typed):
    result, sent = validate("change_field", typed, mid_form(**ANSWERED, confirm_report=False))
    assert result == {"change_field": None}
    assert sent == ["utter_change_field_not_understood"]


# --- the check screen: "Is this right?" (issue #16 item 7) ----------------------------


def at_check(text: str, **changes: Any) -> Tracker:
    """The form showing the check screen, with the resident's reply ``text``."""
    return load_tracker(
        "report_form_location", slots={**ANSWERED, **changes}, text=text, intent="nlu_fallback"
    )


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("yes", True), ("Yes, send it", True), ("send it", True), ("that's all correct", True),
        ("/affirm", True), ("no", False), ("/deny", False), ("Change something", False),
        ("I want to change something", False),
    ],
)  # fmt: skip
def test_check_screen_reads_yes_and_change_something(typed, expected):
    result, sent = validate("confirm_report", typed, at_check(typed))
    assert result == {"confirm_report": expected}
    assert sent == []


@pytest.mark.parametrize("value,expected", [(True, True), (False, False)])
def test_check_screen_button_intents_are_yes_and_no(value, expected):
    text = "/affirm" if value else "/deny"
    result, _ = validate("confirm_report", value, at_check(text))
    assert result == {"confirm_report": expected}


@pytest.mark.parametrize(
    "typed",
    ["change the place", "the location is wrong, it's outside number 12",
     "yes but the postcode is wrong", "the house number is wrong"],
)  # fmt: skip
def test_naming_the_place_re_asks_only_the_place(typed):
    result, sent = validate("confirm_report", typed, at_check(typed))
    assert result == {
        "location": None,
        "confirm_report": None,
        "change_field": None,
        "duplicate_of": None,
        "follow_existing": None,
    }
    assert sent == []


def test_an_intent_reading_does_not_hide_the_field_named():
    """The NLU may read "the location is wrong" as deny: the words still name the place."""
    text = "the location is wrong"
    result, _ = validate("confirm_report", False, at_check(text))
    assert result["location"] is None and result["confirm_report"] is None


def test_changing_the_phone_number_re_asks_only_the_number():
    given = {"contact_consent": True, "contact": "07700900123", "contact_phone": "07700900123"}
    text = "change my phone number"
    result, _ = validate("confirm_report", text, at_check(text, **given))
    assert result == {
        "contact": None,
        "contact_email": None,
        "contact_phone": None,
        "confirm_report": None,
        "change_field": None,
    }


def test_changing_a_number_never_given_asks_whether_to_contact():
    text = "change my phone number"
    result, _ = validate("confirm_report", text, at_check(text))
    assert result["contact_consent"] is None and result["contact"] is None


@pytest.mark.parametrize(
    "typed,cleared",
    [
        ("the description is wrong", {"description"}),
        ("change the details", {"description", *QUESTIONS_CLEARED}),
        ("it's not dangerous actually", {"dangerous"}),
        ("wrong problem", {"problem_type"}),
    ],
)
def test_naming_an_answer_clears_only_it(typed, cleared):
    result, sent = validate("confirm_report", typed, at_check(typed))
    assert result == dict.fromkeys(cleared | {"change_field", "confirm_report"})
    assert sent == []


@pytest.mark.parametrize("typed", ["potato", "🙂", ""])
def test_check_screen_reply_not_understood_says_what_works(typed):
    result, sent = validate("confirm_report", typed, at_check(typed or "🙂"))
    assert result == {"confirm_report": None}
    assert sent == ["utter_check_report_not_understood"]


def test_change_field_takes_a_typed_email_change():
    given = {"contact_consent": True, "contact": "a@b.uk", "contact_email": "a@b.uk"}
    result, _ = validate(
        "change_field", "my email", mid_form(**{**ANSWERED, **given, "confirm_report": False})
    )
    assert result == dict.fromkeys(
        {"contact", "contact_email", "contact_phone", "confirm_report", "change_field"}
    )


def test_run_with_a_typed_change_asks_that_question_next(domain):
    """The whole form: "the location is wrong" goes straight to the place question."""
    text = "the location is wrong, it's outside number 12"
    tracker = load_tracker(
        "report_form_location",
        slots=ANSWERED,
        text=text,
        intent="deny",
        candidates={"confirm_report": False},
    )
    events, sent = run_form(tracker, domain)
    assert sent == []
    assert slot_values(events)["location"] is None
    assert events[-1] == SlotSet("requested_slot", "location")


# --- the whole validation action, as Rasa calls it -------------------------------------


def run_form(tracker: Tracker, domain: dict[str, Any]) -> tuple[list, list]:
    """Run ``validate_report_form``; return its events and the response names."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateReportForm().run(dispatcher, tracker, domain))
    return events, response_names(dispatcher)


def test_run_validates_the_place_and_asks_for_the_description(domain):
    text = "ST6 3JJ"
    tracker = load_tracker(
        "report_form_location",
        text=text,
        entities=[entity("postcode", "ST6 3JJ", text)],
        candidates={"location": "ST6 3JJ"},
    )
    assert tracker.slots_to_validate() == {"location": "ST6 3JJ"}
    events, sent = run_form(tracker, domain)
    assert sent == []
    assert events[0] == SlotSet("location", "ST6 3JJ")
    assert slot_values(events) == {
        "location": "ST6 3JJ",
        "location_postcode": "ST6 3JJ",
        "location_lat": pytest.approx(ST6_3JJ[0]),
        "location_long": pytest.approx(ST6_3JJ[1]),
        "location_attempts": 0,
        "duplicate_of": None,
        "duplicate_distance": None,
        "follow_existing": None,
        "requested_slot": "description",
    }
    assert events[-1] == SlotSet("requested_slot", "description")


def test_run_with_a_nearby_report_asks_whether_it_is_the_same(domain, crm):
    open_report(crm, "SR-7K3Q9X", metres_north=100)
    tracker = load_tracker("report_form_location", candidates={"location": "ST6 3JJ"})
    events, sent = run_form(tracker, domain)
    assert sent == []
    assert slot_values(events)["duplicate_of"] == "SR-7K3Q9X"
    assert events[-1] == SlotSet("requested_slot", "follow_existing")


def test_run_with_another_councils_postcode_asks_for_the_place_again(domain):
    text = "it's on ST5 2SX"
    tracker = load_tracker(
        "report_form_location",
        text=text,
        entities=[entity("postcode", "ST5 2SX", text)],
        candidates={"location": "ST5 2SX"},
    )
    events, sent = run_form(tracker, domain)
    assert sent == ["utter_postcode_other_council"]
    assert slot_values(events) == {
        "location": None,
        "location_attempts": 0,
        "location_postcode": "ST5 2SX",
        "requested_slot": "location",
    }


def test_run_with_no_to_the_summary_asks_what_to_change(domain):
    tracker = load_tracker(
        "report_form_location",
        slots=ANSWERED,
        text="/deny",
        intent="deny",
        candidates={"confirm_report": False},
    )
    events, sent = run_form(tracker, domain)
    assert sent == []
    assert events == [SlotSet("confirm_report", False), SlotSet("requested_slot", "change_field")]


def test_run_with_cancel_ends_the_form(domain):
    tracker = load_tracker(
        "report_form_location",
        slots={**ANSWERED, "confirm_report": False, "requested_slot": "change_field"},
        text="cancel",
        candidates={"change_field": "cancel"},
    )
    events, sent = run_form(tracker, domain)
    assert sent == []
    assert events == [
        SlotSet("change_field", "cancelled"),
        SlotSet("confirm_report", "cancelled"),
        SlotSet("requested_slot", None),
    ]


def test_run_with_gibberish_asks_the_same_question_again(domain):
    tracker = load_tracker(
        "report_form_location",
        slots={**ANSWERED, "requested_slot": "dangerous", "dangerous": None},
        text="potato",
        candidates={"dangerous": "potato"},
    )
    events, sent = run_form(tracker, domain)
    assert sent == ["utter_yes_no_not_understood"]
    assert events == [
        SlotSet("dangerous", None),
        SlotSet("requested_slot", "dangerous"),
        # The first miss on this question is counted: a second offers a person.
        SlotSet("form_misses", {"slot": "dangerous", "count": 1}),
    ]


# --- submitting ------------------------------------------------------------------------


def submit(
    tracker: Tracker, domain: dict[str, Any] | None = None
) -> tuple[list, CollectingDispatcher]:
    """Run ``action_submit_report``; return its events and the dispatcher."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSubmitReport().run(dispatcher, tracker, domain or {}))
    return events, dispatcher


def complete(**slot_values: Any) -> Tracker:
    """The finished form (pothole at ST6 3JJ, dangerous, email given), with changes."""
    return load_tracker("report_form_complete", slots=slot_values)


def assert_report_slots_reset(events: list, reference: str | None) -> None:
    """Every answer forgotten, the attempts back to 0, and the reference kept."""
    expected = reset_report_slots()
    if reference is not None:
        expected.append(SlotSet(slots.REPORT_REFERENCE, reference))
    assert events == expected
    values = slot_values(events)
    assert {name for name in slots.REPORT_FORM_SLOTS if values[name] is not None} == {
        slots.LOCATION_ATTEMPTS
    }
    assert values[slots.LOCATION_ATTEMPTS] == 0


EXPECTED_REQUEST = NewServiceRequest(
    service_code="POTHOLE",
    description=DESCRIPTION,
    lat=ST6_3JJ[0],
    long=ST6_3JJ[1],
    address_string="ST6 3JJ",
    email="jo.bloggs@example.com",
    attributes={"hazard": "yes"},
)


def test_submitted_report_gives_the_crm_reference(crm, outbox):
    events, dispatcher = submit(complete())
    [sent] = crm.submitted
    assert sent == EXPECTED_REQUEST
    [reference] = crm.requests
    assert reference.startswith("SR-")
    assert response_names(dispatcher) == ["utter_report_submitted", "utter_report_follow_up_email"]
    assert dispatcher.messages[0]["report_reference"] == reference
    assert_report_slots_reset(events, reference)
    assert outbox.pending_count() == 0


def test_report_without_consent_or_danger_sends_no_contact_and_no_hazard(crm):
    tracker = complete(
        dangerous=False,
        contact_consent=False,
        contact=None,
        contact_email=None,
        contact_phone=None,
    )
    submit(tracker)
    [sent] = crm.submitted
    assert sent.email is None
    assert sent.phone is None
    assert sent.attributes == {"hazard": "no"}


def test_phone_number_is_sent_as_a_phone(crm):
    submit(complete(contact="07700900123", contact_email=None, contact_phone="07700900123"))
    [sent] = crm.submitted
    assert sent.phone == "07700900123"
    assert sent.email is None


def test_street_and_landmark_are_sent_as_an_address_without_coordinates(crm):
    place = "Leek Road, outside the Co-op"
    submit(complete(location=place, location_postcode=None, location_lat=None, location_long=None))
    [sent] = crm.submitted
    assert sent.address_string == place
    assert sent.lat is None
    assert sent.long is None
    assert sent.service_code == "POTHOLE"


def test_service_code_comes_from_the_council_profile(crm):
    submit(complete(problem_type="fly_tipping", problem_label="fly-tipping"))
    assert crm.submitted[0].service_code == "FLYTIP"


def test_crm_down_holds_the_report_in_the_outbox(crm, outbox):
    crm.available = False
    events, dispatcher = submit(complete())
    assert response_names(dispatcher) == ["utter_report_held", "utter_report_follow_up_email"]
    reference = dispatcher.messages[0]["report_reference"]
    assert reference.startswith("HR-")
    assert_report_slots_reset(events, reference)
    assert crm.submitted == []
    held = outbox.get(reference)
    assert held is not None
    assert held.status == PENDING
    assert held.kind == OPEN311_REQUEST
    assert NewServiceRequest.from_dict(held.payload) == EXPECTED_REQUEST
    assert held.payload["idempotency_key"]  # the same key on every attempt
    assert outbox.pending_count() == 1


#: Personal data a resident types into the description (issue #15 item 2).
PLANTED = "ring 07700 900123, NI QQ 12 34 56 C, sort code 20-00-00 account 12345678"


def test_personal_data_in_the_description_is_redacted_before_it_is_sent(crm):
    submit(complete(description=f"Deep hole, {PLANTED}", location=f"Leek Road {PLANTED}"))
    [sent] = crm.submitted
    for secret in ("900123", "12 34 56", "20-00-00", "12345678"):
        assert secret not in sent.description
        assert secret not in (sent.address_string or "")
    assert sent.description.startswith("Deep hole, ring [phone]")


def test_a_report_held_in_the_outbox_keeps_no_personal_data(crm, outbox):
    crm.available = False
    _events, dispatcher = submit(complete(description=f"Deep hole, {PLANTED}"))
    held = outbox.get(dispatcher.messages[0]["report_reference"])
    assert held is not None
    assert "900123" not in held.payload["description"]
    assert "[NI number]" in held.payload["description"]


class RejectingOpen311(FakeOpen311Client):
    """A CRM that refuses every new report."""

    async def submit(self, request: NewServiceRequest) -> str:
        raise Open311Rejected(400, "INVALID_SERVICE", "service_code is not accepted")


def test_crm_refusal_keeps_the_report_for_review(monkeypatch, outbox):
    crm = RejectingOpen311()
    monkeypatch.setattr(deps, "open311", lambda: crm)
    events, dispatcher = submit(complete())
    assert response_names(dispatcher) == [
        "utter_report_kept_for_review",
        "utter_report_follow_up_email",
    ]
    reference = dispatcher.messages[0]["report_reference"]
    assert reference.startswith("HR-")
    assert_report_slots_reset(events, reference)
    held = outbox.get(reference)
    assert held is not None
    assert held.status == FAILED
    assert held.attempts == 1
    assert "400" in held.last_error
    assert NewServiceRequest.from_dict(held.payload) == EXPECTED_REQUEST
    assert held.payload["idempotency_key"]  # the same key on every attempt
    assert outbox.pending_count() == 0


def test_following_an_existing_report_sends_nothing(crm, outbox):
    tracker = complete(
        duplicate_of="SR-7K3Q9X",
        duplicate_distance=100,
        follow_existing=True,
        description=None,
        dangerous=None,
        contact_consent=None,
        contact=None,
        contact_email=None,
        confirm_report=None,
    )
    events, dispatcher = submit(tracker)
    assert response_names(dispatcher) == ["utter_following_existing"]
    assert dispatcher.messages[0]["duplicate_of"] == "SR-7K3Q9X"
    assert_report_slots_reset(events, reference=None)
    assert crm.submitted == []
    assert outbox.pending_count() == 0


@pytest.mark.parametrize("confirmed", ["cancelled", False, None])
def test_report_not_confirmed_is_not_sent(confirmed, crm, outbox):
    events, dispatcher = submit(complete(confirm_report=confirmed, change_field="cancelled"))
    assert response_names(dispatcher) == ["utter_report_not_sent"]
    assert_report_slots_reset(events, reference=None)
    assert crm.submitted == []
    assert outbox.pending_count() == 0
