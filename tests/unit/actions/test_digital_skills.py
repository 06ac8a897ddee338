"""The digital skills self-check and its recommendation (``actions/digital_skills.py``).

The directory is the in-memory fake; each test checks the response names collected, the
directory queries made and the slots set.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import digital_skills, find_place
from actions.common import deps, responses
from actions.digital_skills import (
    ActionDigitalSkillsRecommendation,
    ActionStartDigitalSkills,
    ValidateDigitalSkillsForm,
    recommend,
    skills,
)
from bot.settings import REPO_ROOT
from integrations.directory import Place
from integrations.directory.fake import FakeDirectory
from lib.yaml_files import load_yaml
from tests.unit.actions.trackers import load_tracker, response_names, slot_values

pytestmark = pytest.mark.usefixtures("council")

NOW = datetime(2026, 12, 7, 11, 0)  # Monday 11am
SLOTS = [
    "ds_managing_information", "ds_communicating", "ds_transacting", "ds_problem_solving",
    "ds_creating",
]  # fmt: skip


def place(place_id: str, distance_m: int, sessions: dict[str, str]) -> Place:
    return Place.from_json(
        {
            "id": place_id, "name": place_id.replace("-", " ").title(), "type": "library",
            "address": "1 High Street", "postcode": "ST6 6BD", "distance_m": distance_m,
            "open_now": True, "open_until": "2026-12-07T17:00", "next_opening": None,
            "hours": {"monday": ["09:00-17:00"]}, "closures": [],
            "facilities": {"public_pcs": 6, "bookable_pcs": 4, "wifi": True},
            "staff_help": True, "services": list(sessions), "sessions": sessions,
            "how_to_book": "Ask at the desk.",
        }
    )  # fmt: skip


@pytest.fixture
def directory(monkeypatch: pytest.MonkeyPatch) -> FakeDirectory:
    fake = FakeDirectory(
        [
            place("tunstall-library", 500, {"digital_skills_drop_in": "Thursdays 5pm to 7pm"}),
            place("burslem-hub", 900, {"digital_skills_class": "Tuesdays 2pm to 4pm"}),
            place("stoke-library", 3000, {"digital_skills_class": "Mondays 1pm to 3pm",
                                          "digital_skills_drop_in": "Fridays 10am"}),
            place("fenton-pay-point", 100, {}),
        ]
    )  # fmt: skip
    monkeypatch.setattr(deps, "directory", lambda: fake)
    monkeypatch.setattr(find_place, "local_now", lambda: NOW)
    monkeypatch.setattr(digital_skills, "local_now", lambda: NOW)
    return fake


def answers(*yes: str) -> dict[str, bool]:
    return {slot: slot in yes for slot in SLOTS}


def run(action: Action, **slots: Any) -> tuple[list, list[str | None], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("status_check", slots=slots)
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return events, response_names(dispatcher), dispatcher


def test_the_five_skills_come_from_the_knowledge_base_in_the_form_order() -> None:
    domain = load_yaml((REPO_ROOT / "domain" / "digital_skills.yml").read_text())
    form_slots = domain["forms"]["digital_skills_form"]["required_slots"]
    assert [skill.slot for skill in skills()] == SLOTS == form_slots[:5]
    assert form_slots[5:] == ["place_postcode"]
    for slot in SLOTS:
        assert f"utter_ask_{slot}" in domain["responses"]


@pytest.mark.parametrize(
    ("yes", "response", "first_service"),
    [
        ((), responses.DS_RECOMMEND_CLASS, "digital_skills_class"),
        (SLOTS[:2], responses.DS_RECOMMEND_CLASS, "digital_skills_class"),
        (SLOTS[:3], responses.DS_RECOMMEND_DROP_IN, "digital_skills_drop_in"),
        (SLOTS[:4], responses.DS_RECOMMEND_DROP_IN, "digital_skills_drop_in"),
        (SLOTS, responses.DS_RECOMMEND_CONFIDENT, "digital_skills_drop_in"),
    ],
)
def test_fewer_than_three_skills_means_a_class(yes, response, first_service) -> None:
    advice = recommend(answers(*yes), class_below=3)
    assert advice.response == response
    assert advice.services[0] == first_service
    assert len(advice.to_learn) == 5 - len(yes)


def test_a_beginner_gets_the_nearest_classes_with_their_times(directory) -> None:
    events, names, dispatcher = run(
        ActionDigitalSkillsRecommendation(), place_postcode="ST6 3JJ", **answers("ds_communicating")
    )
    assert names == [
        responses.DS_RECOMMEND_CLASS,
        responses.DS_PLACE_LINE,
        responses.DS_PLACE_LINE,
        responses.DS_FOLLOW_UP,
    ]
    query = directory.queries[-1]
    assert (query.near, query.services, query.limit) == ("ST6 3JJ", ("digital_skills_class",), 3)
    lines = [m for m in dispatcher.messages if m["response"] == responses.DS_PLACE_LINE]
    assert [m["place_session"] for m in lines] == ["Tuesdays 2pm to 4pm", "Mondays 1pm to 3pm"]
    values = slot_values(events)
    assert values["places_listed"] == ["burslem-hub", "stoke-library"]
    assert "finding information online" in values["skills_to_learn"]
    assert "sending emails" not in values["skills_to_learn"]


def test_someone_with_most_skills_gets_drop_ins_for_the_rest(directory) -> None:
    events, names, dispatcher = run(
        ActionDigitalSkillsRecommendation(), place_postcode="ST6 3JJ",
        **answers(*SLOTS[:3]),
    )  # fmt: skip
    assert names[0] == responses.DS_RECOMMEND_DROP_IN
    assert dispatcher.messages[0]["skills_to_learn"] == (
        "solving problems with online help and filling in forms and making things online"
    )
    assert slot_values(events)["places_listed"] == ["tunstall-library", "stoke-library"]


def test_no_class_nearby_falls_back_to_a_drop_in_and_says_so(directory) -> None:
    directory.places = [p for p in directory.places if "digital_skills_class" not in p.services]
    _, names, _ = run(ActionDigitalSkillsRecommendation(), place_postcode="ST6 3JJ", **answers())
    assert names[0] == responses.DS_RECOMMEND_DROP_IN
    assert [q.services for q in directory.queries] == [
        ("digital_skills_class",), ("digital_skills_drop_in",)
    ]  # fmt: skip


def test_nothing_nearby_and_directory_down(directory) -> None:
    directory.places = []
    events, names, _ = run(
        ActionDigitalSkillsRecommendation(), place_postcode="ST6 3JJ", **answers()
    )
    assert names == [responses.DS_NONE_NEARBY]
    assert slot_values(events)["places_listed"] == []
    directory.available = False
    _, names, _ = run(ActionDigitalSkillsRecommendation(), place_postcode="ST6 3JJ", **answers())
    assert names == [responses.PLACES_UNAVAILABLE]


def test_nothing_is_said_before_the_check_is_complete(directory) -> None:
    partial = {**answers(), "ds_creating": None}
    events, names, _ = run(ActionDigitalSkillsRecommendation(), place_postcode="ST6 3JJ", **partial)
    assert (events, names, directory.queries) == ([], [], [])


def test_starting_again_clears_earlier_answers(directory) -> None:
    events, names, _ = run(ActionStartDigitalSkills(), **answers(*SLOTS))
    assert names == [responses.DS_INTRO]
    assert slot_values(events) == {slot: None for slot in SLOTS}


@pytest.mark.parametrize(
    ("typed", "expected", "said"),
    [
        ("yes", True, []),
        ("/affirm", True, []),
        ("1", True, []),
        ("no not really", False, []),
        ("/deny", False, []),
        ("banana", None, [responses.YES_NO_NOT_UNDERSTOOD]),
        ("", None, [responses.YES_NO_NOT_UNDERSTOOD]),
    ],
)
def test_each_answer_is_read_as_yes_or_no(typed, expected, said) -> None:
    form = ValidateDigitalSkillsForm()
    for slot in SLOTS:
        dispatcher = CollectingDispatcher()
        method = getattr(form, f"validate_{slot}")
        result = asyncio.run(method(typed, dispatcher, load_tracker("status_check"), {}))
        assert result == {slot: expected}
        assert response_names(dispatcher) == said


def test_the_postcode_is_checked_like_any_place_search(directory) -> None:
    dispatcher = CollectingDispatcher()
    result = asyncio.run(
        ValidateDigitalSkillsForm().validate_place_postcode(
            "ST5 2SX", dispatcher, load_tracker("status_check"), {}
        )
    )
    assert result == {"place_postcode": None}
    assert response_names(dispatcher) == [responses.PLACE_POSTCODE_OTHER_COUNCIL]


PENDING = {"intent": "council_tax_account", "label": "your council tax bill"}
OFFER = FollowupAction("action_offer_pending_request")


def test_a_request_made_alongside_the_check_is_offered_after_the_advice(directory) -> None:
    events, *_ = run(ActionDigitalSkillsRecommendation(), place_postcode="ST6 3JJ",
                     pending_request=PENDING, **answers())  # fmt: skip
    assert OFFER in events
    events, *_ = run(ActionDigitalSkillsRecommendation(), place_postcode="ST6 3JJ", **answers())
    assert OFFER not in events
    directory.places = []
    events, *_ = run(ActionDigitalSkillsRecommendation(), place_postcode="ST6 3JJ",
                     pending_request=PENDING, **answers())  # fmt: skip
    assert OFFER in events
    # Not before the check is complete.
    partial = {k: v for k, v in answers().items() if k != "ds_creating"}
    events, *_ = run(ActionDigitalSkillsRecommendation(), place_postcode="ST6 3JJ",
                     pending_request=PENDING, **partial)  # fmt: skip
    assert OFFER not in events
