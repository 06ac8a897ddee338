"""Understanding residents' own words, end to end through the REST channel (issue #14).

Crises without the obvious words reach urgent help, even inside a form; odd and hostile
messages never get silence; markup is not read as a language.
"""

from __future__ import annotations

import pytest

from tests.helpers import Resident

pytestmark = pytest.mark.e2e

CRISIS_NUMBERS = ("999", "116 123")


def test_a_crisis_without_the_obvious_words_inside_a_report_form_reaches_urgent_help(
    resident: Resident,
):
    # The place in the first message is offered back; a postcode answers it as well.
    assert "Is it on Leek Road?" in resident.say_text("there's a pothole on Leek Road")
    asked = resident.say_text("ST4 2DX").lower()
    # Still inside the report form: the next question, or whether an earlier report there
    # (another test's) is the same problem.
    assert "describe" in asked or "same problem" in asked, asked
    reply = resident.say_text(
        "honestly the pothole is the least of it, he took my keys and my phone and says "
        "I'm not going anywhere"
    )
    for number in CRISIS_NUMBERS:
        assert number in reply, reply


@pytest.mark.parametrize(
    "text",
    [
        "I've been sleeping in my car since Tuesday",
        "there's nothing in the cupboards and the kids haven't eaten since yesterday",
        "I've put all my tablets on the table and I'm just sat looking at them",
    ],
)
def test_crises_said_indirectly_reach_urgent_help(resident: Resident, text: str):
    reply = resident.say_text(text)
    for number in CRISIS_NUMBERS:
        assert number in reply, reply


@pytest.mark.parametrize(
    "text",
    ["tips for staying safe online", "my internet is dead, can I use a computer at the library"],
)
def test_benign_look_alikes_do_not_trip_the_safety_net(resident: Resident, text: str):
    reply = resident.say_text(text)
    assert reply and "999" not in reply, reply


@pytest.mark.parametrize(
    "messages",
    [
        ["%s%s%s%n"],
        ["hello", "no thats not what i asked"],
        ["no"],
        ["yes"],
        ["😂😂😂"],
        ["'; DROP TABLE users; --"],
        ["asdfgh qwerty zxcvb"],
    ],
)
def test_every_message_gets_an_answer(resident: Resident, messages: list[str]):
    for text in messages:
        replies = resident.say(text)
        assert replies and any(reply.get("text") for reply in replies), (text, replies)


def test_markup_is_not_read_as_another_language(resident: Resident):
    reply = resident.say_text("<script>alert(1)</script>")
    assert reply
    # Answered in English, not in Romanian (as langdetect once read it).
    assert "Sorry" in reply or "I can" in reply, reply


def test_a_dog_question_is_not_a_council_journey(resident: Resident):
    reply = resident.say_text("why is my dog vomiting after eating")
    assert "council tax" not in reply.lower(), reply
    assert "999" not in reply
