"""Every council's street problems are services the running stand-in lists, and it accepts
every answer the assistant can send for them as the council's attributes.

A council maps each problem to an Open311 service and each question to an attribute in
``kb/councils/<slug>/services.yml``; this checks that mapping against the real server
(``services.json``, ``services/{code}.json`` and ``POST requests.json``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from actions.common.report_questions import TEXT, load_questions
from bot.councils.profile import ProblemCategory, load_profile
from bot.settings import REPO_ROOT

if TYPE_CHECKING:
    from conftest import RunningServer

QUESTIONS = load_questions(REPO_ROOT / "kb" / "report_questions.yml")
CATEGORIES = [
    (council_dir.name, category)
    for council_dir in sorted(p for p in (REPO_ROOT / "kb" / "councils").iterdir() if p.is_dir())
    for category in load_profile(council_dir).problems.values()
]
IDS = [f"{council}-{category.problem_type}" for council, category in CATEGORIES]
#: What a resident might type for each kind of text question.
TEXT_ANSWERS = {"registration": "AB12 CDE", "short_text": "silver Ford Focus"}


def _sample_answers(category: ProblemCategory, pick: int) -> dict[str, str]:
    """One answer to each of the problem's questions: the ``pick``-th that is sent."""
    answers = {}
    for name in category.question_names:
        question = QUESTIONS[name]
        if question.kind == TEXT:
            answers[name] = TEXT_ANSWERS[str(question.parse)]
            continue
        sendable = [answer.key for answer in question.answers if answer.send]
        answers[name] = sendable[pick % len(sendable)]
    return answers


def test_services_json_lists_every_councils_services(client: httpx.Client) -> None:
    listed = {item["service_code"] for item in client.get("/open311/v2/services.json").json()}
    assert {category.service_code for _, category in CATEGORIES} <= listed


@pytest.mark.parametrize(("council", "category"), CATEGORIES, ids=IDS)
def test_every_answer_fits_the_services_attributes(
    client: httpx.Client, council: str, category: ProblemCategory
) -> None:
    definition = client.get(f"/open311/v2/services/{category.service_code}.json")
    assert definition.status_code == 200, definition.text
    attributes = {item["code"]: item for item in definition.json()["attributes"]}
    for mapping in category.questions:
        assert mapping.attribute in attributes, (council, category.problem_type, mapping)
        attribute = attributes[mapping.attribute]
        question = QUESTIONS[mapping.question]
        if question.kind == TEXT:
            assert attribute["datatype"] in ("string", "text"), mapping
            continue
        keys = {value["key"] for value in attribute["values"]}
        for answer in question.answers:
            if answer.send:
                assert mapping.value_for(answer.key) in keys, (mapping, answer.key)


@pytest.mark.parametrize(("council", "category"), CATEGORIES, ids=IDS)
def test_a_report_with_the_answers_is_accepted_and_kept(
    client: httpx.Client, council_services: RunningServer, council: str, category: ProblemCategory
) -> None:
    for pick in range(max((len(QUESTIONS[q].answers) for q in category.question_names), default=1)):
        attributes = {
            "hazard": "no",
            **QUESTIONS.attributes(category, _sample_answers(category, pick)),
        }
        response = client.post(
            "/open311/v2/requests.json",
            data={
                "api_key": council_services.api_key,
                "service_code": category.service_code,
                "lat": "53.01191",
                "long": "-2.17825",
                "description": f"Reported through the assistant ({category.problem_type})",
                **{f"attribute[{code}]": value for code, value in attributes.items()},
            },
        )
        assert response.status_code == 200, response.text
        reference = response.json()[0]["service_request_id"]
        kept = client.get(f"/api/v1/reports/{reference}", headers=council_services.staff_headers)
        assert kept.json()["attributes"] == attributes
