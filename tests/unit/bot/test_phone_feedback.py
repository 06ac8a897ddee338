"""The phone line's "Did that answer your question?" (issue #18), through its real webhook.

The harness of ``test_phone_line_repair.py``: signed Twilio-shaped requests, the real
domain wording and a scripted assistant. The council services' insight API is a recording
stand-in here; ``tests/contract/test_phone_feedback.py`` sends the answer to the real one.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop
from sanic import Sanic

from bot.channels.twilio_voice import FrontDoorVoiceInput
from bot.channels.voice_text import caller_conversation_id
from bot.settings import REPO_ROOT, Settings
from integrations.insight import InsightClient, InsightUnavailable
from integrations.sms import FakeSmsGateway
from lib.conversation_hash import conversation_hash
from tests.unit.bot.test_phone_line_repair import OPEN, TOKEN, Assistant, Phone, said, voice

SECRET = "phone-feedback-secret"
ASK = "Did that answer your question?"
_apps = itertools.count()

#: What the assistant answers to each message in these calls: (intent, response, slots).
SCRIPT = {
    "/greet": ("greet", "utter_greet", {}),
    "how do i pay my council tax": ("council_tax", "utter_council_tax/ways_to_pay", {}),
    "where is my nearest library": ("find_place", "utter_places_found", {}),
    "there's a pothole on my road": ("report_problem", "utter_ask_location", {}),
    "i need to speak to a person": ("human_handoff", "utter_handoff_created", {}),
    "thank you": ("thank", "utter_anything_else", {}),
    "goodbye": ("goodbye", "utter_goodbye", {}),
}
#: What the assistant's NLU makes of a spoken answer to a yes/no question.
PARSED = {"yes": "affirm", "yes it did": "affirm", "no": "deny", "not really": "deny"}


@dataclass
class FeedbackAssistant(Assistant):
    """The scripted assistant; its NLU knows yes, no and the script's own messages."""

    script: dict[str, tuple[str, str, dict[str, Any]]] = field(default_factory=lambda: SCRIPT)

    async def parse_message(self, text: str) -> dict[str, Any]:
        said = text.lower().strip(" .!?")
        intent = PARSED.get(said) or self.script.get(said, ("out_of_scope",))[0]
        return {"intent": {"name": intent}}


@dataclass
class RecordingInsight:
    """Stands in for the council services' insight API: keeps what it was sent."""

    kept: list[tuple[str, bool, str]] = field(default_factory=list)
    down: bool = False

    async def post_feedback(self, conversation_hash: str, answered: bool, channel: str) -> None:
        if self.down:
            raise InsightUnavailable("POST insight/feedback: ConnectError")
        self.kept.append((conversation_hash, answered, channel))


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain"))


def make_phone(
    domain: Domain, insight: RecordingInsight | InsightClient | None, **configured: str
) -> Phone:
    """A caller on the phone line; without ``insight``, the client the settings make."""
    settings = Settings(
        _env_file=None,
        twilio_auth_token=TOKEN,
        sms_gateway="fake",
        insight_hash_secret=SECRET,
        **configured,
    )
    sms = FakeSmsGateway()
    channel = FrontDoorVoiceInput(settings, sms_gateway=sms, clock=lambda: OPEN, insight=insight)
    assistant = FeedbackAssistant(domain, InMemoryTrackerStore(domain))
    app = Sanic(f"phone_feedback_{next(_apps)}")
    app.ctx.agent = SimpleNamespace(
        domain=domain, tracker_store=assistant.store, parse_message=assistant.parse_message
    )
    app.blueprint(channel.blueprint(assistant.on_new_message), url_prefix="/webhooks/twilio_voice")
    return Phone(app, assistant, sms)


def sender(phone: Phone) -> str:
    """The call's conversation id (the development ``CALLER_ID_SECRET``)."""
    return caller_conversation_id(phone.caller, "dev-caller-id-secret")


def call_hash(phone: Phone) -> str:
    """The call's one-way id, as the council services know it."""
    return conversation_hash(SECRET, sender(phone))


@pytest.fixture
def insight() -> RecordingInsight:
    return RecordingInsight()


@pytest.mark.parametrize("message", ["how do i pay my council tax", "where is my nearest library"])
def test_an_information_answer_is_followed_by_the_question(
    domain: Domain, insight: RecordingInsight, message: str
) -> None:
    phone = make_phone(domain, insight)
    phone.start()
    twiml = phone.turn(SpeechResult=message)
    text = said(twiml)
    assert text.endswith(voice(domain, "utter_voice_ask_feedback"))
    assert text.count(ASK) == 1 and "press 1 for yes and 2 for no" in text
    assert "stage=ask_feedback" in phone.action
    assert twiml.find("Gather").get("input") == "speech dtmf"


@pytest.mark.parametrize(
    "message", ["/greet", "there's a pothole on my road", "i need to speak to a person"]
)
def test_other_replies_are_not_followed_by_the_question(
    domain: Domain, insight: RecordingInsight, message: str
) -> None:
    phone = make_phone(domain, insight)
    text = said(phone.start() if message == "/greet" else phone.turn(SpeechResult=message))
    assert ASK not in text and "stage=ask_feedback" not in phone.action


@pytest.mark.parametrize(
    ("form", "answered"),
    [
        ({"Digits": "1"}, True),
        ({"SpeechResult": "Yes it did."}, True),
        ({"Digits": "2"}, False),
        ({"SpeechResult": "Not really"}, False),
    ],
    ids=["key 1", "yes", "key 2", "no"],
)
def test_yes_or_no_is_kept_as_the_calls_ivr_feedback_and_the_call_goes_on(
    domain: Domain, insight: RecordingInsight, form: dict[str, str], answered: bool
) -> None:
    phone = make_phone(domain, insight)
    phone.start()
    phone.turn(SpeechResult="how do i pay my council tax")
    heard = list(phone.assistant.heard)
    twiml = phone.turn(**form)
    assert insight.kept == [(call_hash(phone), answered, "ivr")]
    assert phone.assistant.heard == heard  # the answer is the phone line's, not a message
    line = "utter_voice_feedback_thanks" if answered else "utter_voice_feedback_sorry"
    assert said(twiml) == voice(domain, line)
    assert twiml.find("Hangup") is None and twiml.find("Dial") is None
    assert "stage" not in phone.action  # asked once: what comes next is a new message


def test_after_no_the_caller_hears_what_the_web_chat_offers(
    domain: Domain, insight: RecordingInsight
) -> None:
    phone = make_phone(domain, insight)
    phone.start()
    phone.turn(SpeechResult="how do i pay my council tax")
    text = said(phone.turn(Digits="2"))
    assert "in other words" in text and "talk to a person" in text
    assert "call you" not in text and "ring you" not in text  # no contact it cannot make


def test_anything_else_is_the_callers_next_message_and_nothing_is_kept(
    domain: Domain, insight: RecordingInsight
) -> None:
    phone = make_phone(domain, insight)
    phone.start()
    phone.turn(SpeechResult="how do i pay my council tax")
    text = said(phone.turn(SpeechResult="there's a pothole on my road"))
    assert phone.assistant.heard[-1] == "there's a pothole on my road"
    assert text.startswith("Where is the") and ASK not in text
    assert insight.kept == []


def test_a_key_other_than_1_or_2_is_the_callers_next_message(
    domain: Domain, insight: RecordingInsight
) -> None:
    phone = make_phone(domain, insight)
    phone.start()
    phone.turn(SpeechResult="how do i pay my council tax")
    phone.assistant.script = {**SCRIPT, "3": ("out_of_scope", "utter_anything_else", {})}
    phone.turn(Digits="3")
    assert phone.assistant.heard[-1] == "3" and insight.kept == []


def test_silence_moves_on_without_keeping_anything_or_asking_again(
    domain: Domain, insight: RecordingInsight
) -> None:
    phone = make_phone(domain, insight)
    phone.start()
    phone.turn(SpeechResult="how do i pay my council tax")
    heard = list(phone.assistant.heard)
    twiml = phone.turn()
    assert said(twiml) == voice(domain, "utter_anything_else")
    assert ASK not in said(twiml) and "stage" not in phone.action
    assert insight.kept == [] and phone.assistant.heard == heard
    # Still silent: the usual kind goodbye, not a second question.
    last = phone.turn()
    assert last.find("Hangup") is not None and ASK not in said(last)


def test_repeat_says_the_answer_and_the_question_again(
    domain: Domain, insight: RecordingInsight
) -> None:
    phone = make_phone(domain, insight)
    phone.start()
    first = said(phone.turn(SpeechResult="how do i pay my council tax"))
    assert said(phone.turn(Digits="9")) == first and "stage=ask_feedback" in phone.action
    phone.turn(Digits="1")
    assert insight.kept == [(call_hash(phone), True, "ivr")]


def test_the_call_goes_on_when_the_council_services_are_down(domain: Domain) -> None:
    insight = RecordingInsight(down=True)
    phone = make_phone(domain, insight)
    phone.start()
    phone.turn(SpeechResult="how do i pay my council tax")
    assert said(phone.turn(Digits="1")) == voice(domain, "utter_voice_feedback_thanks")


def test_not_asked_while_a_form_waits_for_its_answer(
    domain: Domain, insight: RecordingInsight
) -> None:
    phone = make_phone(domain, insight)
    phone.start()

    async def open_form() -> None:
        held = await phone.assistant.store.get_or_create_tracker(sender(phone))
        held.update(ActiveLoop("council_tax_balance_form"))
        await phone.assistant.store.save(held)

    asyncio.run(open_form())
    phone.turn(SpeechResult="how do i pay my council tax")
    assert "stage=ask_feedback" not in phone.action
