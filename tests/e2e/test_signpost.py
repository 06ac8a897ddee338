"""Signposts and "help" on the running stack: the REST channel and the phone line.

The expected links and numbers are read from the council's own signposts.yml through the
profile loader, so these tests follow the data rather than repeat it.
"""

from __future__ import annotations

import httpx
import pytest

from bot.councils.profile import CouncilProfile, load_profile
from tests.e2e.test_phone_line import Call, said
from tests.helpers import Resident

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def council_profile(stack) -> CouncilProfile:
    return load_profile(stack.settings.council_dir)


def tracker(stack, sender: str) -> dict:
    response = httpx.get(
        f"{stack.settings.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.settings.rasa_api_token.get_secret_value()},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def latest_intent(stack, sender: str) -> str:
    return tracker(stack, sender)["latest_message"]["intent"]["name"]


def test_a_bins_question_gets_the_councils_bins_link(
    stack, resident: Resident, council_profile: CouncilProfile
):
    reply = resident.say_text("what day are my bins collected?")
    bins = council_profile.signpost("bins")
    assert bins.link in reply and bins.phone in reply, reply
    assert latest_intent(stack, resident.sender) == "signpost_bins"
    slots = tracker(stack, resident.sender)["slots"]
    assert slots["signpost_topic"] == "bins" and slots["signpost_link"] == bins.link


@pytest.mark.parametrize(
    "message, topic",
    [
        ("will my bins still be collected over christmas", "bins"),
        ("my neighbours dog barks all night", "noise"),
        ("bin wasn't emptied", "missed_bin"),
        ("can I get a new recycling box", "new_bin"),
        ("who do I ring about my damp council flat", "housing_repairs"),
        ("how do I register a death", "register_death"),
    ],
)
def test_the_hard_cases_are_signposted_never_council_tax_or_goodbye(
    stack, resident: Resident, council_profile: CouncilProfile, message: str, topic: str
):
    reply = resident.say_text(message)
    intent = latest_intent(stack, resident.sender)
    assert intent.startswith("signpost_"), (message, intent)
    assert not intent.startswith("council_tax") and intent != "goodbye"
    assert "Goodbye" not in reply
    assert council_profile.signpost(topic).link in reply, (message, intent, reply)


def test_the_councils_phone_number(stack, resident: Resident, council_profile: CouncilProfile):
    reply = resident.say_text("what's the council's phone number")
    assert council_profile.phone in reply and council_profile.name in reply, reply
    assert latest_intent(stack, resident.sender) == "signpost_contact"


# Each button of the help menu, and what shows that its journey has started: the form it
# opens, or for Universal Credit the knowledge base's answer on claiming.
JOURNEY_STARTS = {
    "/report_problem": ("form", "report_form"),
    "/check_report_status": ("form", "status_form"),
    "/council_tax_account": ("form", "council_tax_account_form"),
    "How do I claim Universal Credit?": ("answer", "utter_universal_credit/how_to_claim"),
    "/find_pc": ("form", "find_place_form"),
    "/find_wifi": ("form", "find_place_form"),
    "/book_pc": ("form", "book_pc_form"),
    "/broadband_check": ("form", "broadband_form"),
    "/digital_skills_check": ("form", "digital_skills_form"),
    "/human_handoff": ("form", "handoff_form"),
}


@pytest.mark.parametrize("message", ["help", "what can you do?"])
def test_help_lists_what_the_assistant_does_as_buttons(stack, message: str):
    resident = Resident(stack.settings.rasa_url)
    replies = resident.say(message)
    buttons = [button for reply in replies for button in reply.get("buttons") or []]
    assert [b["payload"] for b in buttons] == list(JOURNEY_STARTS), buttons
    assert all(b["title"] for b in buttons)
    assert latest_intent(stack, resident.sender) == "help"


@pytest.mark.parametrize("payload", list(JOURNEY_STARTS))
def test_each_help_button_starts_its_journey(stack, payload: str):
    resident = Resident(stack.settings.rasa_url)
    resident.say("help")
    reply = resident.say_text(payload)
    assert reply.strip(), payload
    kind, expected = JOURNEY_STARTS[payload]
    state = tracker(stack, resident.sender)
    if kind == "form":
        assert (state.get("active_loop") or {}).get("name") == expected, (payload, reply)
    else:
        uttered = [
            (event.get("metadata") or {}).get("utter_action")
            for event in state["events"]
            if event["event"] == "bot"
        ]
        assert uttered[-1] == expected, (payload, uttered, reply)


def test_a_signpost_by_phone_is_spoken_and_its_link_texted(stack, council_profile: CouncilProfile):
    call = Call(stack)
    call.start()
    bins = council_profile.signpost("bins")
    twiml = call.turn(SpeechResult="when is my bin day")
    text = said(twiml)
    assert bins.phone_spoken in text and "http" not in text, text
    assert "text you the link" in text and "stage=offer_signpost_text" in call.action
    twiml = call.turn(Digits="1")
    assert "sent you a text message with the link" in said(twiml)
    assert twiml.find("Gather") is not None and twiml.find("Hangup") is None  # call goes on
    outbox = httpx.get(
        f"{stack.settings.council_services_url}/api/v1/sms",
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
    ).json()
    mine = [m for m in outbox if m["to"] == call.caller]
    assert len(mine) == 1 and bins.link in mine[0]["body"], mine
    assert mine[0]["conversation_id"] == call.conversation_id


def test_by_phone_no_thanks_or_another_question_carries_on(stack, council_profile: CouncilProfile):
    call = Call(stack)
    call.start()
    noise = council_profile.signpost("noise")
    text = said(call.turn(SpeechResult="my neighbours dog barks all night"))
    assert noise.phone_spoken in text and "Goodbye" not in text, text
    twiml = call.turn(SpeechResult="no thanks")
    assert "no text message" in said(twiml) and twiml.find("Hangup") is None
    # At the next offer the caller asks something else instead: it is answered.
    call.turn(SpeechResult="how do i register a death")
    assert "stage=offer_signpost_text" in call.action
    text = said(call.turn(SpeechResult="what's the council's phone number"))
    assert council_profile.signpost("contact").phone_spoken in text, text
    outbox = httpx.get(
        f"{stack.settings.council_services_url}/api/v1/sms",
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
    ).json()
    assert not [m for m in outbox if m["to"] == call.caller]
