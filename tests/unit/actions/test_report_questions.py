"""The report form's questions (``kb/report_questions.yml``, ``actions/common/report_questions``).

Reading replies, the attributes and summary of a problem's answers, the file's checks, and
that the domain, the questions and every council's mapping agree with each other.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.common.report_questions import Questions, QuestionsError, load_questions
from bot.councils.profile import ProblemCategory, QuestionMapping, load_profile
from bot.settings import REPO_ROOT
from tests.helpers import domain_section
from tests.unit.actions.trackers import load_domain

QUESTIONS = load_questions(REPO_ROOT / "kb" / "report_questions.yml")
COUNCILS = sorted(p for p in (REPO_ROOT / "kb" / "councils").iterdir() if p.is_dir())


# --- reading replies --------------------------------------------------------------------


@pytest.mark.parametrize(
    "question,reply,expected",
    [
        ("litter_problem", "overflowing_bin", "overflowing_bin"),  # a button
        ("litter_problem", "OVERFLOWING_BIN ", "overflowing_bin"),
        ("litter_problem", "bins full again", "overflowing_bin"),
        ("litter_problem", "just litter", "litter"),
        ("litter_problem", "what", None),
        ("vehicle_registration", "AB12 CDE", "AB12 CDE"),
        ("vehicle_registration", "its ab12cde i think", "AB12 CDE"),
        ("vehicle_registration", "K1 NGS", "K1 NGS"),
        ("vehicle_registration", "I don’t know", "unknown"),
        ("vehicle_registration", "no plates on it", "unknown"),
        ("vehicle_registration", "red", None),
        ("vehicle_description", "red transit van", "red transit van"),
        ("vehicle_description", "not sure", "unknown"),
        # A long reply is the resident's words even with "not sure" in it.
        (
            "vehicle_description",
            "not sure of the make but it is a red hatchback",
            "not sure of the make but it is a red hatchback",
        ),
        ("vehicle_time_there", "less than a week", "under_1_week"),
        ("vehicle_time_there", "since yesterday", "under_1_week"),
        ("vehicle_time_there", "a fortnight", "1_to_4_weeks"),
        ("vehicle_time_there", "more than a month", "over_4_weeks"),
        ("vehicle_time_there", "six weeks now", "over_4_weeks"),
        ("vehicle_time_there", "no idea", "unknown"),
        ("animal_kind", "Pigeon", "bird"),
        ("animal_kind", "a hedgehog", "other"),
        ("tree_problem", "tree fell down in the storm", "fallen_tree"),
        ("tree_problem", "the hedge is massive", "overgrown_hedge"),
        ("tree_problem", "tree is leaning badly", "damaged_tree"),
        ("tree_problem", "overhanging branches", "overgrown_tree"),
        ("tree_problem", "big branch in the road", "fallen_tree"),
        ("tree_blocking", "not blocking anything", "nothing"),
        ("tree_blocking", "blocks the whole road", "road"),
        ("flood_place", "it's coming into my house", "inside_property"),
        ("flood_place", "all over the road", "road"),
        ("flood_source", "the brook has burst its banks", "watercourse"),
        ("flood_source", "burst pipe under the road", "burst_pipe"),
        ("flood_source", "the river", "watercourse"),
        ("debris_kind", "diesel all over the road", "oil_or_fuel"),
        ("furniture_item", "the give way sign", "road_sign"),
        ("furniture_item", "street name sign", "street_name_plate"),
        ("furniture_item", "railings", "railing"),
    ],
)
def test_a_reply_is_read(question, reply, expected):
    assert QUESTIONS[question].read(reply) == expected


# --- attributes and the summary ----------------------------------------------------------

ABANDONED = ProblemCategory(
    problem_type="abandoned_vehicle",
    service_code="ABANDONED",
    label="abandoned vehicle",
    label_plural="abandoned vehicles",
    questions=(
        QuestionMapping("vehicle_registration", "reg"),
        QuestionMapping("vehicle_time_there", "weeks", values={"over_4_weeks": "LONG"}),
    ),
)


def test_attributes_use_the_councils_codes_and_keys():
    answers = {"vehicle_registration": "AB12 CDE", "vehicle_time_there": "over_4_weeks"}
    assert QUESTIONS.attributes(ABANDONED, answers) == {"reg": "AB12 CDE", "weeks": "LONG"}


def test_an_answer_without_a_council_key_is_sent_as_it_is():
    answers = {"vehicle_time_there": "1_to_4_weeks"}
    assert QUESTIONS.attributes(ABANDONED, answers) == {"weeks": "1_to_4_weeks"}


def test_dont_know_and_unanswered_questions_send_nothing():
    answers = {"vehicle_registration": "unknown", "vehicle_time_there": None}
    assert QUESTIONS.attributes(ABANDONED, answers) == {}


def test_questions_the_council_does_not_ask_are_not_sent():
    answers = {"vehicle_description": "red van", "animal_kind": "fox"}
    assert QUESTIONS.attributes(ABANDONED, answers) == {}


def test_summary_lists_the_answers_labels():
    answers = {"vehicle_registration": "AB12 CDE", "vehicle_time_there": "under_1_week"}
    assert (
        QUESTIONS.summary_of(ABANDONED, answers)
        == "abandoned vehicle (AB12 CDE, there less than a week)"
    )
    assert QUESTIONS.summary_of(ABANDONED, {}) == "abandoned vehicle"


# --- the file's own checks ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("questions: []", "'questions' mapping"),
        ("questions: {q: {kind: guess}}", "'kind'"),
        ("questions: {q: {kind: text, parse: poem}}", "'parse'"),
        ("questions: {q: {kind: choice}}", "needs answers"),
        ("questions: {q: {kind: choice, answers: {a: {words: x}}}}", "'words' is a list"),
        (
            "questions: {q: {kind: choice, answers: {a: {sets: {size: huge}}}}}",
            "sets size=huge",
        ),
        ("questions: [", "cannot read"),
    ],
)
def test_a_malformed_file_is_refused_with_its_name(tmp_path: Path, text, fragment):
    path = tmp_path / "report_questions.yml"
    path.write_text(text)
    with pytest.raises(QuestionsError) as raised:
        load_questions(path)
    assert str(path) in str(raised.value) and fragment in str(raised.value)


# --- the domain, the questions and the councils agree ---------------------------------------

ASK_VARIANTS = [
    (name, variant)
    for name in QUESTIONS
    for variant in domain_section("responses").get(f"utter_ask_{name}", [])
    if "buttons" in variant
]


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_every_question_is_a_slot_the_form_fills_from_its_own_reply(name):
    domain = load_domain()
    slot = domain["slots"][name]
    assert slot["influence_conversation"] is False
    [mapping] = slot["mappings"]
    assert mapping["type"] == "from_text"
    assert mapping["conditions"] == [{"active_loop": "report_form", "requested_slot": name}]
    assert name in domain["forms"]["report_form"]["required_slots"]
    asks = domain["responses"][f"utter_ask_{name}"]
    assert any(variant.get("channel") == "twilio_voice" for variant in asks)
    assert QUESTIONS[name].not_understood in domain["responses"]


@pytest.mark.parametrize(
    "name,variant", ASK_VARIANTS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ASK_VARIANTS)]
)
def test_every_button_is_an_answer_of_its_question(name, variant):
    for button in variant["buttons"]:
        assert QUESTIONS[name].answer(button["payload"]) is not None, button


@pytest.mark.parametrize("council_dir", COUNCILS, ids=lambda p: p.name)
def test_every_council_asks_only_questions_that_exist(council_dir: Path):
    profile = load_profile(council_dir)
    for category in profile.problems.values():
        for mapping in category.questions:
            assert mapping.question in QUESTIONS, (category.problem_type, mapping.question)
            for answer in mapping.values:
                assert QUESTIONS[mapping.question].answer(answer), (mapping.question, answer)
        for advice in category.advice:
            for question, answers in advice.when.items():
                assert question in category.question_names, (category.problem_type, question)
                assert all(QUESTIONS[question].answer(a) for a in answers), answers


def test_the_shipped_file_loads_as_questions():
    assert isinstance(QUESTIONS, Questions)
    assert QUESTIONS.separator == ", "
