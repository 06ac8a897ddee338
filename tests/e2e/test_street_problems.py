"""Every common street problem, reported over the REST channel on the running stack.

The first message of each new kind of problem lands in the report form with its problem
type; litter and abandoned-vehicle reports reach Open311 with their service code and the
answers as attributes (read back from the running council services).
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from tests.helpers import Resident

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"\b(SR-[2-9A-HJ-NP-Z]{6})\b")


def _slot(stack, resident: Resident, name: str):
    response = httpx.get(
        f"{stack.settings.rasa_url}/conversations/{resident.sender}/tracker",
        params={"token": stack.settings.rasa_api_token.get_secret_value()},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["slots"][name]


def _staff_view(stack, reference: str) -> dict:
    """The report as the council's staff see it: with its attributes."""
    response = httpx.get(
        f"{stack.settings.council_services_url}/api/v1/reports/{reference}",
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json()


def _place(resident: Resident, postcode: str) -> str:
    """Give the place; say it is a new problem if a report nearby is offered instead."""
    reply = resident.say_text(postcode)
    if "Is it the same problem" in reply:
        reply = resident.say_text("/deny")
    return reply


def _finish(resident: Resident, description: str) -> tuple[str, str]:
    """Description, not dangerous, no contact: return the check screen and the last reply."""
    assert "dangerous" in resident.say_text(description)
    assert "contact you" in resident.say_text("no")
    check = resident.say_text("no thanks")
    assert "Please check your report" in check and description in check, check
    return check, resident.say_text("yes")


FIRST_MESSAGES = [
    ("the bins in the park are overflowing and theres rubbish everywhere", "litter", "litter"),
    ("dog poo all over the path outside the school", "dog_fouling", "dog fouling"),
    ("a car has been abandoned on my street for weeks", "abandoned_vehicle", "abandoned vehicle"),
    ("there's a dead fox on the pavement", "dead_animal", "dead animal"),
    ("a tree has fallen across the road", "tree_or_hedge", "tree or hedge problem"),
    ("the road outside my house is flooded", "flooding", "flooding"),
    ("broken glass all over the cycle lane", "glass_or_debris", "broken glass or debris"),
    (
        "a bollard has been knocked over outside the shops",
        "street_furniture",
        "damaged sign, bollard or railing",
    ),
]


@pytest.mark.parametrize(
    "message,problem_type,label", FIRST_MESSAGES, ids=[case[1] for case in FIRST_MESSAGES]
)
def test_the_first_message_starts_the_right_report(stack, message, problem_type, label):
    resident = Resident(stack.settings.rasa_url)
    reply = resident.say_text(message)
    assert f"Where is the {label}?" in reply, reply
    assert _slot(stack, resident, "problem_type") == problem_type


def test_a_litter_report_reaches_open311_with_its_attributes(stack, open311):
    resident = Resident(stack.settings.rasa_url)
    assert "Where is the litter?" in resident.say_text(
        "the litter bin outside the Co-op is overflowing again"
    )
    reply = _place(resident, "ST4 2DX")
    assert "litter on the ground, or a full litter bin" in reply, reply
    assert "describe the problem" in resident.say_text("overflowing_bin")
    description = f"Bin by the bus stop, rubbish blowing into the road {uuid.uuid4().hex[:6]}"
    check, done = _finish(resident, description)
    assert "Problem: litter" in check and "About it: a full litter bin" in check, check
    reference = REFERENCE.search(done).group(1)

    [found] = open311.get("/requests.json", params={"service_request_id": reference}).json()
    assert found["service_code"] == "LITTER"
    assert description in found["description"]
    assert _staff_view(stack, reference)["attributes"] == {
        "hazard": "no",
        "litter_problem": "overflowing_bin",
    }


def test_an_abandoned_vehicle_report_reaches_open311_with_its_attributes(stack, open311):
    resident = Resident(stack.settings.rasa_url)
    reply = resident.say_text("theres a car been dumped on our road for months with flat tyres")
    assert "police on 101" in reply and "Where is the abandoned vehicle?" in reply, reply
    assert "registration number" in _place(resident, "ST6 3JJ")
    assert "make and colour" in resident.say_text("ab12cde")
    assert "How long has it been there?" in resident.say_text("silver Ford Focus")
    assert "describe the problem" in resident.say_text("more than a month")
    description = f"Moss on the roof and a flat tyre {uuid.uuid4().hex[:6]}"
    check, done = _finish(resident, description)
    assert "Problem: abandoned vehicle" in check, check
    assert "About it: AB12 CDE, silver Ford Focus, there more than 4 weeks" in check, check
    reference = REFERENCE.search(done).group(1)

    [found] = open311.get("/requests.json", params={"service_request_id": reference}).json()
    assert found["service_code"] == "ABANDONED_VEHICLE"
    assert _staff_view(stack, reference)["attributes"] == {
        "hazard": "no",
        "registration": "AB12 CDE",
        "vehicle_description": "silver Ford Focus",
        "time_there": "over_4_weeks",
    }


def test_a_dead_animal_report_points_to_the_rspca_and_asks_only_what_it_needs(stack, open311):
    resident = Resident(stack.settings.rasa_url)
    reply = resident.say_text("dead fox in the road outside my house")
    assert "RSPCA on 0300 1234 999" in reply and "Where is the dead animal?" in reply, reply
    assert "What kind of animal" in _place(resident, "ST1 1HP")
    # A fox is medium-sized, so the size is not asked.
    assert "describe the problem" in resident.say_text("fox")
    _, done = _finish(resident, f"It is at the edge of the road {uuid.uuid4().hex[:6]}")
    reference = REFERENCE.search(done).group(1)
    attributes = _staff_view(stack, reference)["attributes"]
    assert attributes == {"hazard": "no", "animal_type": "fox", "animal_size": "medium"}


def test_something_else_asks_in_words_and_finds_the_problem(stack):
    resident = Resident(stack.settings.rasa_url)
    assert "What kind of problem is it?" in resident.say_text("I want to report a problem")
    assert "in a few words" in resident.say_text("/report_problem")
    reply = resident.say_text("a lorry has knocked the railings down by the bridge")
    assert "Where is the damaged sign, bollard or railing?" in reply, reply


@pytest.mark.parametrize(
    "message",
    ["how can i get rid of my old banger", "my phone battery is dead", "why is my dog vomiting"],
)
def test_look_alikes_do_not_start_a_report(stack, message):
    resident = Resident(stack.settings.rasa_url)
    reply = resident.say_text(message)
    assert "Where is the" not in reply, reply
    assert _slot(stack, resident, "problem_type") is None
