"""The report form asks each problem's own questions, gives its advice and sends its answers.

The council (Stoke-on-Trent sample data) says which questions each problem needs
(``kb/councils/stoke-on-trent/services.yml``); the questions are ``kb/report_questions.yml``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import deps
from actions.report_problem import ValidateReportForm
from actions.report_problem_send import (
    ActionAskConfirmReport,
    ActionSubmitReport,
    build_request,
    reset_report_slots,
)
from integrations.open311.fake import FakeOpen311Client
from tests.unit.actions.trackers import load_tracker, response_names, slot_values

pytestmark = pytest.mark.usefixtures("council", "crm", "outbox")

AFTER_PLACE = ["description", "dangerous", "contact_consent", "confirm_report"]


def form(problem_type: str, **slot_values: Any) -> Tracker:
    """The report form for a problem, with its place given and some slots changed."""
    label = deps.profile().problem(problem_type).label
    return load_tracker(
        "report_form_location",
        slots={
            "problem_type": problem_type,
            "problem_label": label,
            "location": "ST6 3JJ",
            **slot_values,
        },
    )


def validate(question: str, value: Any, tracker: Tracker) -> tuple[dict[str, Any], list, list]:
    """Call ``validate_<question>``; return its result, response names and messages."""
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateReportForm(), f"validate_{question}")
    result = asyncio.run(method(value, dispatcher, tracker, {}))
    return result, response_names(dispatcher), dispatcher.messages


def required(tracker: Tracker, domain: dict[str, Any]) -> list[str]:
    return asyncio.run(
        ValidateReportForm().required_slots(
            domain["forms"]["report_form"]["required_slots"],
            CollectingDispatcher(),
            tracker,
            domain,
        )
    )


# --- which questions ------------------------------------------------------------------


@pytest.mark.parametrize(
    "problem_type,questions",
    [
        ("pothole", []),
        ("dog_fouling", []),
        ("litter", ["litter_problem"]),
        (
            "abandoned_vehicle",
            ["vehicle_registration", "vehicle_description", "vehicle_time_there"],
        ),
        ("dead_animal", ["animal_kind", "animal_size"]),
        ("tree_or_hedge", ["tree_problem", "tree_blocking"]),
        ("flooding", ["flood_place", "flood_source"]),
        ("glass_or_debris", ["debris_kind"]),
        ("street_furniture", ["furniture_item"]),
    ],
)
def test_each_problem_asks_only_its_own_questions_after_the_place(problem_type, questions, domain):
    assert required(form(problem_type), domain) == [
        "problem_type",
        "location",
        *questions,
        *AFTER_PLACE,
    ]


def test_following_an_existing_report_asks_no_questions(domain):
    tracker = form("abandoned_vehicle", duplicate_of="SR-7K3Q9X", follow_existing=True)
    assert required(tracker, domain) == ["problem_type", "location", "follow_existing"]


def test_the_form_knows_every_question_of_the_domain():
    """No question slot of the form lacks a validator (Rasa would skip it silently)."""
    for question in deps.report_questions():
        assert callable(getattr(ValidateReportForm(), f"validate_{question}"))
    with pytest.raises(AttributeError):
        ValidateReportForm().validate_no_such_question  # noqa: B018


# --- answers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question,reply,expected",
    [
        ("litter_problem", "overflowing_bin", {"litter_problem": "overflowing_bin"}),
        (
            "litter_problem",
            "the bin by the bus stop is full",
            {"litter_problem": "overflowing_bin"},
        ),
        ("litter_problem", "crisp packets and cans everywhere", {"litter_problem": "litter"}),
        ("vehicle_registration", "ab12cde", {"vehicle_registration": "AB12 CDE"}),
        ("vehicle_registration", "no idea", {"vehicle_registration": "unknown"}),
        ("vehicle_description", "silver Ford Focus", {"vehicle_description": "silver Ford Focus"}),
        ("vehicle_time_there", "about 3 weeks", {"vehicle_time_there": "1_to_4_weeks"}),
        ("vehicle_time_there", "months", {"vehicle_time_there": "over_4_weeks"}),
        ("animal_kind", "fox", {"animal_kind": "fox", "animal_size": "medium"}),
        ("animal_kind", "a dog", {"animal_kind": "dog"}),
        ("animal_size", "quite big", {"animal_size": "large"}),
        ("tree_problem", "a branch has come down", {"tree_problem": "fallen_tree"}),
        ("tree_blocking", "the pavement", {"tree_blocking": "pavement"}),
        ("debris_kind", "broken_glass", {"debris_kind": "broken_glass"}),
        ("furniture_item", "a bollard has been knocked over", {"furniture_item": "bollard"}),
    ],
)
def test_a_reply_is_read_as_an_answer(question, reply, expected):
    result, sent, _ = validate(question, reply, form("litter"))
    assert result == expected
    assert sent == []


@pytest.mark.parametrize(
    "question,reply,response",
    [
        ("litter_problem", "potato", "utter_answer_not_understood"),
        ("animal_kind", "", "utter_answer_not_understood"),
        ("vehicle_registration", "it's the red one", "utter_registration_not_valid"),
        ("vehicle_description", "🙂", "utter_answer_not_understood"),
    ],
)
def test_a_reply_that_answers_nothing_asks_again(question, reply, response):
    result, sent, _ = validate(question, reply, form("abandoned_vehicle"))
    assert result == {question: None}
    assert sent == [response]


@pytest.mark.parametrize(
    "question,reply,advice",
    [
        ("flood_place", "inside_property", "turn off the gas and electricity"),
        ("flood_source", "water is gushing up from a burst main", "Severn Trent Water on 0800"),
        ("flood_source", "sewage", "Severn Trent Water on 0800"),
    ],
)
def test_an_answer_that_calls_for_someone_else_gives_the_councils_advice(question, reply, advice):
    result, sent, messages = validate(question, reply, form("flooding"))
    assert result[question]
    assert sent == ["utter_report_advice"]
    assert advice in messages[0]["report_advice"]
    assert messages[0]["report_advice_voice"]


@pytest.mark.parametrize(
    "question,reply", [("flood_place", "road"), ("flood_source", "rain_or_drain")]
)
def test_other_answers_give_no_advice(question, reply):
    _, sent, _ = validate(question, reply, form("flooding"))
    assert sent == []


def test_run_reads_a_question_and_asks_the_next_one(domain):
    tracker = load_tracker(
        "report_form_location",
        slots={
            "problem_type": "dead_animal",
            "location": "ST6 3JJ",
            "requested_slot": "animal_kind",
        },
        text="fox",
        candidates={"animal_kind": "fox"},
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateReportForm().run(dispatcher, tracker, domain))
    # A fox is medium-sized: the size question is skipped.
    assert slot_values(events) == {
        "animal_kind": "fox",
        "animal_size": "medium",
        "requested_slot": "description",
    }


def test_changing_the_problem_type_forgets_the_old_answers():
    tracker = form("litter", requested_slot="problem_type", litter_problem="overflowing_bin")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(
        ValidateReportForm().validate_problem_type("flooding", dispatcher, tracker, {})
    )
    assert result["problem_type"] == "flooding"
    assert result["litter_problem"] is None
    assert response_names(dispatcher) == ["utter_report_advice"]  # "if anyone is in danger"


# --- the check screen and the request ----------------------------------------------------

VEHICLE = {
    "vehicle_registration": "AB12 CDE",
    "vehicle_description": "silver Ford Focus",
    "vehicle_time_there": "over_4_weeks",
}


@pytest.mark.parametrize(
    "problem_type,answers,label,answer_line",
    [
        ("pothole", {}, "pothole", None),
        ("litter", {"litter_problem": "overflowing_bin"}, "litter", "a full litter bin"),
        (
            "abandoned_vehicle",
            VEHICLE,
            "abandoned vehicle",
            "AB12 CDE, silver Ford Focus, there more than 4 weeks",
        ),
        (
            "abandoned_vehicle",
            {**VEHICLE, "vehicle_registration": "unknown", "vehicle_time_there": "unknown"},
            "abandoned vehicle",
            "silver Ford Focus",
        ),
        (
            "dead_animal",
            {"animal_kind": "other", "animal_size": "large"},
            "dead animal",
            "another animal, large",
        ),
    ],
)
def test_the_check_screen_names_the_problem_and_its_answers(
    problem_type, answers, label, answer_line
):
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskConfirmReport().run(dispatcher, form(problem_type, **answers), {}))
    by_name = {message["response"]: message for message in dispatcher.messages}
    assert by_name["utter_check_report_problem"]["problem_label"] == label
    if answer_line is None:
        assert "utter_check_report_answers" not in by_name
    else:
        assert by_name["utter_check_report_answers"]["report_answers"] == answer_line
    assert dispatcher.messages[-1]["response"] == "utter_ask_confirm_report"


def complete(problem_type: str, **answers: Any) -> Tracker:
    """The finished form (ST6 3JJ, not dangerous) for a problem and its answers."""
    return load_tracker(
        "report_form_complete",
        slots={
            "problem_type": problem_type,
            "problem_label": deps.profile().problem(problem_type).label,
            "dangerous": False,
            **answers,
        },
    )


@pytest.mark.parametrize(
    "problem_type,answers,service_code,attributes",
    [
        ("litter", {"litter_problem": "litter"}, "LITTER", {"litter_problem": "litter"}),
        ("dog_fouling", {}, "DOG_FOULING", {}),
        (
            "abandoned_vehicle",
            VEHICLE,
            "ABANDONED_VEHICLE",
            {
                "registration": "AB12 CDE",
                "vehicle_description": "silver Ford Focus",
                "time_there": "over_4_weeks",
            },
        ),
        (
            "abandoned_vehicle",
            {**VEHICLE, "vehicle_registration": "unknown"},
            "ABANDONED_VEHICLE",
            {"vehicle_description": "silver Ford Focus", "time_there": "over_4_weeks"},
        ),
        (
            "dead_animal",
            {"animal_kind": "fox", "animal_size": "medium"},
            "DEAD_ANIMAL",
            {"animal_type": "fox", "animal_size": "medium"},
        ),
        (
            "tree_or_hedge",
            {"tree_problem": "overgrown_hedge", "tree_blocking": "pavement"},
            "TREES_HEDGES",
            {"tree_problem": "overgrown_hedge", "blocking": "pavement"},
        ),
        (
            "flooding",
            {"flood_place": "road", "flood_source": "unknown"},
            "FLOODING",
            {"flood_location": "road", "water_source": "unknown"},
        ),
        (
            "glass_or_debris",
            {"debris_kind": "oil_or_fuel"},
            "ROAD_DEBRIS",
            {"debris_type": "oil_or_fuel"},
        ),
        (
            "street_furniture",
            {"furniture_item": "railing"},
            "STREET_FURNITURE",
            {"item": "railing"},
        ),
    ],
)
def test_the_request_carries_the_service_and_its_answers_as_attributes(
    problem_type, answers, service_code, attributes
):
    request = build_request(complete(problem_type, **answers))
    assert request.service_code == service_code
    assert request.attributes == {"hazard": "no", **attributes}


def test_a_submitted_report_carries_its_attributes_to_the_crm(crm: FakeOpen311Client):
    asyncio.run(
        ActionSubmitReport().run(
            CollectingDispatcher(), complete("abandoned_vehicle", **VEHICLE), {}
        )
    )
    [sent] = crm.submitted
    assert sent.attributes["registration"] == "AB12 CDE"


def test_resetting_forgets_every_answer():
    names = {event["name"] for event in reset_report_slots() if event["value"] is None}
    assert set(deps.report_questions()) <= names
    assert SlotSet("problem_type_in_words", None) in reset_report_slots()
