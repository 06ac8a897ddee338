"""Digital skills and getting online over the REST channel (issue #4).

The self-check's recommendation and the Universal Credit "no computer" search are checked
against the running council services' own directory: the places named must be the ones
``/api/v1/places`` lists for that session type, nearest first.
"""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import Resident, assert_listed_in_order, nearest_places

pytestmark = pytest.mark.e2e


def test_a_beginner_is_offered_the_nearest_classes(
    resident: Resident, council: httpx.Client
) -> None:
    reply = resident.say_text("i want to learn how to use a computer")
    assert "five quick questions" in reply and "search engine" in reply, reply
    for _ in range(4):
        reply = resident.say_text("no")
    assert "online form" in reply, reply
    reply = resident.say_text("/affirm")
    assert "postcode" in reply, reply
    reply = resident.say_text("ST4 2DX")
    assert "beginners' class" in reply, reply
    expected = nearest_places(council, [("near", "ST4 2DX"), ("service", "digital_skills_class")])
    assert expected, "the sample directory lists classes"
    assert_listed_in_order(reply, expected)
    assert expected[0]["sessions"]["digital_skills_class"] in reply, reply

    # The places listed can be asked about like any other list.
    reply = resident.say_text("tell me about the first one")
    assert expected[0]["name"] in reply, reply


def test_someone_with_most_skills_is_offered_drop_ins_for_the_rest(
    resident: Resident, council: httpx.Client
) -> None:
    resident.say_text("ST6 3JJ")  # a postcode given earlier is not asked for again
    reply = resident.say_text("check my digital skills")
    assert "search engine" in reply, reply
    for answer in ("yes", "yes", "yes", "yes"):
        reply = resident.say_text(answer)
    reply = resident.say_text("not really")
    assert "drop-in" in reply and "filling in forms" in reply, reply
    expected = nearest_places(council, [("near", "ST6 3JJ"), ("service", "digital_skills_drop_in")])
    assert_listed_in_order(reply, expected)


def test_an_unclear_answer_is_asked_again(resident: Resident) -> None:
    resident.say_text("computer classes for beginners")
    reply = resident.say_text("purple")
    assert "yes or no" in reply and "search engine" in reply, reply


def test_no_computer_for_universal_credit_finds_free_computers_with_support(
    resident: Resident, council: httpx.Client
) -> None:
    reply = resident.say_text("i haven't got a computer, how do i claim universal credit")
    assert "free computer" in reply and "postcode" in reply, reply
    reply = resident.say_text("ST6 3JJ")
    expected = nearest_places(
        council,
        [("near", "ST6 3JJ"), ("feature", "public_pcs"), ("feature", "staff_help"),
         ("service", "universal_credit_support")],
    )  # fmt: skip
    assert expected
    assert_listed_in_order(reply, expected)
    assert "help with Universal Credit" in reply, reply


def test_digital_skills_questions_are_answered_from_the_knowledge_base(resident: Resident):
    reply = resident.say_text("what are the basic digital skills")
    assert "five basic digital skills" in reply, reply
    reply = resident.say_text("how can i tell if an email is a scam")
    assert "Action Fraud" in reply and "0300 123 2040" in reply, reply
