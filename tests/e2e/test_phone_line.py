"""The phone line: Twilio-shaped, signed webhook requests to the running Rasa server.

Each test is one caller. The TwiML is read as XML: a speech-and-keypad Gather in en-GB,
the configured British voice, references read letter by letter, a transfer (Dial) on
urgent help, a kind end to silence, and the text message in the council services' outbox;
"repeat" and key 9, and the contact centre's opening hours before a transfer (issue #16);
"Did that answer your question?" after an answer (issue #18).
"""

from __future__ import annotations

import random
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from twilio.request_validator import RequestValidator

from bot.channels.voice_text import caller_conversation_id
from bot.councils.profile import load_profile
from tests.e2e.test_web_chat import triage_record

pytestmark = pytest.mark.e2e

WEBHOOK = "/webhooks/twilio_voice/webhook"
CONTACT_CENTRE = "+441782234234"  # the sample council's profile: 01782 234234


@dataclass
class Call:
    """One phone call to the running assistant."""

    stack: object
    caller: str = field(default_factory=lambda: f"+447700{random.randint(100000, 999999)}")
    action: str = ""  # the URL the last Gather posts to (relative, with its query)

    def post(self, form: dict, path: str | None = None, token: str | None = None,
             signed: bool = True) -> httpx.Response:  # fmt: skip
        url = self.stack.settings.rasa_url + (path if path is not None else self.action or WEBHOOK)
        form = {"From": self.caller, "To": "+441782000000", "CallSid": "CAtest", **form}
        headers = {}
        if signed:
            secret = token or self.stack.settings.twilio_auth_token.get_secret_value()
            headers["X-Twilio-Signature"] = RequestValidator(secret).compute_signature(url, form)
        return httpx.post(url, data=form, headers=headers, timeout=90)

    def turn(self, **form: str) -> ET.Element:
        response = self.post(form)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/xml")
        twiml = ET.fromstring(response.text)
        gather = twiml.find("Gather")
        self.action = gather.get("action") if gather is not None else ""
        return twiml

    def start(self) -> ET.Element:
        self.action = ""
        return self.turn(CallStatus="ringing")

    @property
    def conversation_id(self) -> str:
        return caller_conversation_id(
            self.caller, self.stack.settings.caller_id_secret.get_secret_value()
        )


def said(twiml: ET.Element) -> str:
    return " ".join(say.text or "" for say in twiml.iter("Say"))


def spelled(prefix: str, text: str) -> str:
    """Read a reference back from its spoken form: 'F D, 7 K 3 Q 9 X' -> 'FD-7K3Q9X'."""
    letters = " ".join(prefix)
    match = re.search(rf"{letters}, ((?:[2-9A-HJ-NP-Z] ){{5}}[2-9A-HJ-NP-Z])", text)
    assert match, text
    return f"{prefix}-{match.group(1).replace(' ', '')}"


@pytest.fixture
def call(stack) -> Call:
    return Call(stack)


def test_unsigned_or_wrongly_signed_requests_are_refused(call: Call):
    form = {"CallStatus": "ringing"}
    assert call.post(form, signed=False).status_code == 403
    assert call.post(form, token="not-the-token").status_code == 403
    signature = RequestValidator(
        call.stack.settings.twilio_auth_token.get_secret_value()
    ).compute_signature(
        call.stack.settings.rasa_url + WEBHOOK, {"From": call.caller, "CallStatus": "ringing"}
    )
    tampered = httpx.post(
        call.stack.settings.rasa_url + WEBHOOK,
        data={"From": "+447700900999", "CallStatus": "ringing"},
        headers={"X-Twilio-Signature": signature},
    )
    assert tampered.status_code == 403


def test_a_call_is_answered_in_british_english(call: Call):
    twiml = call.start()
    gather = twiml.find("Gather")
    assert gather is not None
    assert gather.get("input") == "speech dtmf"
    assert gather.get("language") == "en-GB"
    assert gather.get("action").startswith(WEBHOOK)
    says = list(twiml.iter("Say"))
    assert says and all(s.get("voice") == "Polly.Amy" for s in says)
    assert all(s.get("language") == "en-GB" for s in says)
    assert "Hello" in said(twiml)


def test_a_pothole_report_by_phone_then_a_text_message(call: Call, stack):
    call.start()
    assert "Where is the pothole" in said(call.turn(SpeechResult="there's a pothole on my road"))
    reply = said(call.turn(SpeechResult="ST6 3JJ"))
    if "already reported" in reply:  # an earlier test reported one here: press 2, it's new
        reply = said(call.turn(Digits="2"))
    assert "describe the problem" in reply
    reply = said(call.turn(SpeechResult="deep hole by the bus stop"))
    assert "dangerous" in reply and "press 1 for yes" in reply
    assert "contact you" in said(call.turn(Digits="1"))  # keypad: yes
    reply = said(call.turn(Digits="2"))  # keypad: no
    assert "Here is your report" in reply and "Is this right" in reply
    reply = said(call.turn(Digits="1"))
    reference = spelled("SR", reply)
    assert "SR-" not in reply and "http" not in reply
    assert "What happens next" in reply  # the service's notice, from Open311

    found = httpx.get(
        f"{stack.settings.council_services_url}/open311/v2/requests/{reference}.json"
    ).json()
    assert found[0]["service_code"] == "POTHOLE"

    # The conversation is stored under the keyed hash, never the number.
    token = {"token": stack.settings.rasa_api_token.get_secret_value()}
    tracker = httpx.get(
        f"{stack.settings.rasa_url}/conversations/{call.conversation_id}/tracker", params=token
    ).json()
    assert tracker["slots"]["channel"] == "ivr"
    raw = httpx.get(
        f"{stack.settings.rasa_url}/conversations/{call.caller}/tracker", params=token
    ).json()
    assert not [e for e in raw.get("events", []) if e.get("event") == "user"]

    twiml = call.turn(SpeechResult="goodbye")
    assert "text message" in said(twiml) and "stage=offer_text" in call.action
    twiml = call.turn(Digits="1")
    assert twiml.find("Hangup") is not None and "sent you a text" in said(twiml)
    outbox = httpx.get(
        f"{stack.settings.council_services_url}/api/v1/sms",
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
    ).json()
    mine = [m for m in outbox if m["to"] == call.caller]
    assert len(mine) == 1
    assert reference in mine[0]["body"]
    assert stack.settings.continue_online_url in mine[0]["body"]
    assert mine[0]["conversation_id"] == call.conversation_id


def test_urgent_help_transfers_the_call(call: Call, stack):
    call.start()
    twiml = call.turn(SpeechResult="my partner has just hit me and I'm scared to go home")
    text = said(twiml)
    assert "9 9 9" in text and "putting you through" in text
    dial = twiml.find("Dial")
    assert dial is not None and dial.text == CONTACT_CENTRE
    assert twiml.find("Gather") is None
    reference = spelled("FD", text)
    record = triage_record(stack, reference)
    assert record["channel"] == "ivr" and record["priority"] == 1
    assert record["conversation_id"] == call.conversation_id
    assert call.caller not in str(record)


def contact_centre_open(stack) -> bool:
    """Whether the sample council's contact centre is open now (its profile's hours)."""
    hours = load_profile(stack.settings.council_dir).opening_hours
    return hours.is_open(datetime.now(timezone.utc))


def hand_off(call: Call) -> str:
    """Ask for a person and answer the hand-off's questions; the reply that hands over."""
    call.start()
    reply = said(call.turn(SpeechResult="can i speak to a real person please"))
    for answer in ("I need help with a letter about my rent", "no"):
        if "passed your case" in reply:
            break
        reply = said(call.turn(SpeechResult=answer))
    return reply


def test_a_hand_off_offers_a_text_with_the_reference_then_transfers_if_open(call: Call, stack):
    """Put through in the contact centre's hours, with no goodbye first; else told when
    it opens, the reference by text, and the call ends (the clock decides which is run;
    tests/unit/bot/test_phone_line_repair.py runs both with a fixed clock)."""
    reply = hand_off(call)
    reference = spelled("FD", reply)
    twiml = call.turn(Digits="1")
    text = said(twiml)
    assert "sent you a text" in text
    if contact_centre_open(stack):
        assert "Before I put you through" in reply
        dial = twiml.find("Dial")
        assert dial is not None and dial.text == CONTACT_CENTRE
        assert "Goodbye" not in text and "stay on the line" in text
    else:
        assert "closed now" in reply and " opens " in reply
        assert twiml.find("Dial") is None and twiml.find("Hangup") is not None
        assert text.endswith("Goodbye.")
    outbox = httpx.get(
        f"{stack.settings.council_services_url}/api/v1/sms",
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
    ).json()
    mine = [m for m in outbox if m["to"] == call.caller]
    assert len(mine) == 1 and reference in mine[0]["body"]


def test_silence_gets_a_reprompt_then_a_kind_goodbye(call: Call):
    first = next(call.start().iter("Say")).text  # the greeting, without the repeat hint
    twiml = call.turn()
    text = said(twiml)
    assert text.startswith("Sorry, I didn't hear anything") and first in text
    assert "s=1" in call.action
    twiml = call.turn()
    assert twiml.find("Hangup") is not None and twiml.find("Gather") is None
    assert "Goodbye" in said(twiml)


def test_no_text_message_when_the_caller_says_no(call: Call, stack):
    call.start()
    call.turn(SpeechResult="goodbye")
    twiml = call.turn(Digits="2")
    assert "no text message" in said(twiml) and twiml.find("Hangup") is not None
    outbox = httpx.get(
        f"{stack.settings.council_services_url}/api/v1/sms",
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
    ).json()
    assert not [m for m in outbox if m["to"] == call.caller]


def test_repeat_or_key_9_says_the_last_thing_again_and_the_assistant_never_hears_it(
    call: Call, stack
):
    greeting = call.start()
    assert "press 9" in said(greeting)
    question = said(call.turn(SpeechResult="there's a pothole on my road"))
    assert "Where is the pothole" in question
    token = {"token": stack.settings.rasa_api_token.get_secret_value()}
    url = f"{stack.settings.rasa_url}/conversations/{call.conversation_id}/tracker"

    def user_messages() -> list[str]:
        events = httpx.get(url, params=token).json()["events"]
        return [e["text"] for e in events if e.get("event") == "user"]

    before = user_messages()
    assert said(call.turn(SpeechResult="Sorry, say that again?")) == question
    assert said(call.turn(Digits="9")) == question
    assert said(call.turn(SpeechResult="pardon")) == question
    assert user_messages() == before
    call.turn(SpeechResult="ST6 3JJ")  # the next answer still reaches the assistant
    assert len(user_messages()) == len(before) + 1


def test_an_answer_asks_did_that_answer_your_question_and_a_no_counts(call: Call, stack):
    """Issue #18: the web chat's question, by voice; a "no" makes the call's answer not
    contained on the insight dashboard, on the ivr channel."""
    insight = f"{stack.settings.council_services_url}/api/v1/insight"
    staff = {"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"}
    today = datetime.now(timezone.utc).date()
    days = {"from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}

    def not_answered() -> int:
        figures = httpx.get(insight, params={**days, "channel": "ivr"}, headers=staff).json()
        return figures["outcomes"]["not_answered"]

    before = not_answered()
    call.start()
    reply = said(call.turn(SpeechResult="how can i pay my council tax"))
    assert "Direct Debit" in reply and "Did that answer your question?" in reply
    assert "stage=ask_feedback" in call.action
    text = said(call.turn(Digits="2"))
    assert "in other words" in text and "talk to a person" in text
    assert "stage" not in call.action  # asked once
    deadline = time.monotonic() + 60  # the call's session ends after the idle time
    while not_answered() < before + 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not_answered() == before + 1
