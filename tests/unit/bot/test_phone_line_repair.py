"""The phone line's conversation repair (issue #16 item 10), through its real webhook.

Signed, Twilio-shaped requests go to the channel's own blueprint in-process, with the
real domain wording, the real council profile and a real tracker store. Two things
stand in: Twilio's cloud (we sign the requests ourselves) and the SMS provider (the fake
gateway). The trained dialogue is replaced by a script of its replies, so each test also
sees exactly which messages reached the assistant (``heard``). The same behaviour against
the running stack is in ``tests/e2e/test_phone_line.py``.
"""

from __future__ import annotations

import asyncio
import itertools
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from sanic import Sanic
from twilio.request_validator import RequestValidator

from bot import tracker_store
from bot.channels.twilio_voice import FrontDoorVoiceInput
from bot.channels.voice_text import fill
from bot.settings import REPO_ROOT, Settings
from integrations.sms import FakeSmsGateway
from tests.unit.bot.sanic_client import call

TOKEN = "unit-test-token"
BASE = "http://rasa.test"
WEBHOOK = "/webhooks/twilio_voice/webhook"
LONDON = ZoneInfo("Europe/London")
CONTACT_CENTRE = "+441782234234"  # the sample council's profile
REFERENCE = "FD-7K3Q9X"
#: Tuesday 1 December 2026, 11am: the sample contact centre is open.
OPEN = datetime(2026, 12, 1, 11, 0, tzinfo=LONDON)
#: Friday 4 December 2026, 6pm: closed until Monday 8.30am.
FRIDAY_EVENING = datetime(2026, 12, 4, 18, 0, tzinfo=LONDON)
#: Christmas Eve 2026 (Thursday), 7pm: Christmas and the Boxing Day holiday come next.
CHRISTMAS_EVE = datetime(2026, 12, 24, 19, 0, tzinfo=LONDON)
_apps = itertools.count()


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain"))


def voice(domain: Domain, name: str, **values: Any) -> str:
    variants = domain.responses[name]
    chosen = [v for v in variants if v.get("channel") == "twilio_voice" and not v.get("condition")]
    return fill(chosen[0]["text"], values)


#: What the assistant answers to each message in these calls: (intent, response, slots).
SCRIPT = {
    "/greet": ("greet", "utter_greet", {}),
    "i need to speak to a person": ("human_handoff", "utter_handoff_created", {}),
    "there's a pothole on my road": ("report_problem", "utter_ask_location", {}),
    "goodbye": ("goodbye", "utter_goodbye", {}),
    "repeat prescription for my mum": ("out_of_scope", "utter_greet", {}),
    "i'm scared he will hit me again": ("urgent_help", "utter_urgent_help", {}),
}
VALUES = {
    "council_name": "the council",
    "triage_reference": REFERENCE,
    "response_time": "within 2 working days",
    "council_phone_spoken": "0 1 7 8 2, 2 3 4, 2 3 4",
    "council_hours": "Monday to Friday, 8.30am to 5pm",
    "emergency_phone_spoken": "9 9 9",
    "samaritans_phone_spoken": "1 1 6, 1 2 3",
    "domestic_abuse_phone_spoken": "0 8 0 8, 2 0 0 0, 2 4 7",
}


@dataclass
class Assistant:
    """Stands in for the trained dialogue: replies from the script, kept in the tracker."""

    domain: Domain
    store: TrackerStore
    heard: list[str] = field(default_factory=list)
    script: dict[str, tuple[str, str, dict[str, Any]]] = field(default_factory=lambda: SCRIPT)

    async def on_new_message(self, message: UserMessage) -> None:
        self.heard.append(message.text)
        intent, response, slots = self.script[message.text]
        tracker = await self.store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, {"name": intent, "confidence": 1.0}))
        if intent == "human_handoff":
            tracker.update(SlotSet("triage_reference", REFERENCE))
        for key, value in slots.items():
            tracker.update(SlotSet(key, value))
        text = voice(self.domain, response, **VALUES)
        tracker.update(BotUttered(text, {}, {"utter_action": response}))
        await self.store.save(tracker)
        await message.output_channel.send_response(message.sender_id, {"text": text})

    async def parse_message(self, text: str) -> dict[str, Any]:
        return {"intent": {"name": "affirm" if text.lower().startswith("yes") else "deny"}}


@dataclass
class Phone:
    """One caller on the webhook, and what the assistant and the SMS provider saw."""

    app: Sanic
    assistant: Assistant
    sms: FakeSmsGateway
    caller: str = "+447700900123"
    action: str = WEBHOOK

    def turn(self, **form: str) -> ET.Element:
        url = urljoin(BASE, self.action)
        form = {"From": self.caller, "CallSid": "CAtest", **form}
        signature = RequestValidator(TOKEN).compute_signature(url, form)
        path = url.removeprefix(BASE)
        response = asyncio.run(
            call(self.app, "POST", path, data=form, headers={"X-Twilio-Signature": signature})
        )
        assert response.status_code == 200, response.text
        twiml = ET.fromstring(response.text)
        gather = twiml.find("Gather")
        self.action = gather.get("action") if gather is not None else ""
        return twiml

    def start(self) -> ET.Element:
        self.action = WEBHOOK
        return self.turn(CallStatus="ringing")


def said(twiml: ET.Element) -> str:
    return " ".join(say.text or "" for say in twiml.iter("Say"))


def make_phone(
    domain: Domain,
    now: datetime | Callable[[], datetime],
    store: TrackerStore | None = None,
) -> Phone:
    settings = Settings(_env_file=None, twilio_auth_token=TOKEN, sms_gateway="fake")
    sms = FakeSmsGateway()
    clock = now if callable(now) else (lambda: now)
    channel = FrontDoorVoiceInput(settings, sms_gateway=sms, clock=clock)
    assistant = Assistant(domain, store or InMemoryTrackerStore(domain))
    app = Sanic(f"phone_line_repair_{next(_apps)}")
    app.ctx.agent = SimpleNamespace(
        domain=domain,
        tracker_store=assistant.store,
        parse_message=assistant.parse_message,
    )
    app.blueprint(channel.blueprint(assistant.on_new_message), url_prefix="/webhooks/twilio_voice")
    return Phone(app, assistant, sms)


# --- 1. A call that is put through never hears "Goodbye" -----------------------------------


@pytest.mark.parametrize("answer", ["1", "2"])
def test_a_transfer_after_a_hand_off_says_no_goodbye(domain: Domain, answer: str) -> None:
    phone = make_phone(domain, OPEN)
    phone.start()
    reply = said(phone.turn(SpeechResult="i need to speak to a person"))
    assert "Before I put you through" in reply and "stage=offer_text_transfer" in phone.action
    twiml = phone.turn(Digits=answer)
    text = said(twiml)
    assert twiml.find("Dial").text == CONTACT_CENTRE
    assert "stay on the line" in text
    assert "Goodbye" not in text and "Thank you for calling" not in text
    assert ("sent you a text" in text) == (answer == "1")
    assert len(phone.sms.sent) == (1 if answer == "1" else 0)


def test_a_call_that_ends_says_goodbye_last_and_hangs_up(domain: Domain) -> None:
    phone = make_phone(domain, OPEN)
    phone.start()
    phone.turn(SpeechResult="goodbye")
    twiml = phone.turn(Digits="2")
    text = said(twiml)
    assert twiml.find("Hangup") is not None and twiml.find("Dial") is None
    assert text.endswith("Thank you for calling. Goodbye.")
    assert "stay on the line" not in text


# --- 2. Repeat: say it, or press 9 ------------------------------------------------------------


def test_the_greeting_says_once_how_to_hear_something_again(domain: Domain) -> None:
    phone = make_phone(domain, OPEN)
    assert "say repeat, or press 9" in said(phone.start())
    assert "press 9" not in said(phone.turn(SpeechResult="there's a pothole on my road"))


@pytest.mark.parametrize(
    "form",
    [
        {"Digits": "9"},
        {"SpeechResult": "Repeat."},
        {"SpeechResult": "Sorry, can you say that again please?"},
        {"SpeechResult": "Pardon?"},
        {"SpeechResult": "What did you say?"},
        {"SpeechResult": "Powtórz, proszę"},
        {"SpeechResult": "Poftim?"},
        {"SpeechResult": "আবার বলুন"},
    ],
    ids=lambda form: next(iter(form.values())),
)
def test_repeat_says_the_last_thing_again_without_telling_the_assistant(
    domain: Domain, form: dict[str, str]
) -> None:
    phone = make_phone(domain, OPEN)
    phone.start()
    question = said(phone.turn(SpeechResult="there's a pothole on my road"))
    heard = list(phone.assistant.heard)
    twiml = phone.turn(**form)
    assert said(twiml) == question
    assert twiml.find("Gather").get("input") == "speech dtmf"
    assert phone.assistant.heard == heard  # nothing new reached the assistant
    assert said(phone.turn(Digits="9")) == question  # and again


def test_repeat_during_a_question_of_the_phone_line_says_that_question(domain: Domain) -> None:
    phone = make_phone(domain, OPEN)
    phone.start()
    first = said(phone.turn(SpeechResult="i need to speak to a person"))
    again = said(phone.turn(SpeechResult="say that again"))
    assert again == first and "F D, 7 K 3 Q 9 X" in again and "Before I put you through" in again
    assert "stage=offer_text_transfer" in phone.action
    assert phone.turn(Digits="1").find("Dial") is not None  # the answer still counts


def test_words_that_merely_contain_repeat_go_to_the_assistant(domain: Domain) -> None:
    phone = make_phone(domain, OPEN)
    phone.start()
    phone.turn(SpeechResult="repeat prescription for my mum")
    assert phone.assistant.heard[-1] == "repeat prescription for my mum"


# --- 3. Opening hours before a transfer -------------------------------------------------------


def test_closed_contact_centre_no_transfer_says_when_it_opens_and_texts_the_reference(
    domain: Domain,
) -> None:
    phone = make_phone(domain, FRIDAY_EVENING)
    phone.start()
    twiml = phone.turn(SpeechResult="i need to speak to a person")
    text = said(twiml)
    assert twiml.find("Dial") is None
    assert "closed now" in text and "opens on Monday 7 December at 8.30am" in text
    assert "Before I put you through" not in text and "stage=offer_text_closed" in phone.action
    twiml = phone.turn(Digits="1")
    assert twiml.find("Dial") is None and twiml.find("Hangup") is not None
    assert said(twiml).endswith("Goodbye.")
    assert [REFERENCE in message.body for message in phone.sms.sent] == [True]


def test_closed_and_no_text_reads_the_reference_slowly(domain: Domain) -> None:
    phone = make_phone(domain, FRIDAY_EVENING)
    phone.start()
    phone.turn(SpeechResult="i need to speak to a person")
    twiml = phone.turn(Digits="2")
    text = said(twiml)
    assert twiml.find("Dial") is None and twiml.find("Hangup") is not None
    assert text.count("F, D, 7, K, 3, Q, 9, X") == 2
    assert not phone.sms.sent


def test_closed_over_bank_holidays_names_the_day_it_opens(domain: Domain) -> None:
    phone = make_phone(domain, CHRISTMAS_EVE)
    phone.start()
    text = said(phone.turn(SpeechResult="i need to speak to a person"))
    assert "opens on Tuesday 29 December at 8.30am" in text


def test_closed_before_opening_time_says_today(domain: Domain) -> None:
    early = datetime(2026, 12, 1, 7, 0, tzinfo=LONDON)
    phone = make_phone(domain, early)
    phone.start()
    assert "opens today at 8.30am" in said(phone.turn(SpeechResult="i need to speak to a person"))


def test_silence_before_a_transfer_that_closed_meanwhile_is_not_put_through(
    domain: Domain,
) -> None:
    now = {"at": datetime(2026, 12, 1, 16, 59, 50, tzinfo=LONDON)}
    phone = make_phone(domain, lambda: now["at"])
    phone.start()
    phone.turn(SpeechResult="i need to speak to a person")
    assert "stage=offer_text_transfer" in phone.action
    now["at"] = datetime(2026, 12, 1, 17, 0, 5, tzinfo=LONDON)
    twiml = phone.turn()  # no answer: once a transfer, now closed
    assert twiml.find("Dial") is None and "opens tomorrow at 8.30am" in said(twiml)


def test_urgent_help_out_of_hours_goes_to_the_emergency_line(domain: Domain) -> None:
    phone = make_phone(domain, FRIDAY_EVENING)
    phone.start()
    twiml = phone.turn(SpeechResult="i'm scared he will hit me again")
    assert twiml.find("Dial") is not None  # someone at risk is always put through
    assert "out-of-hours emergency line" in said(twiml)


# --- A turn's tracker is the one it saved, not read back -------------------------------------


def test_a_turn_reads_the_tracker_it_saved_not_the_database_again(
    domain: Domain, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(SQLTrackerStore, "save", tracker_store.save_counted)
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "calls.db"))
    reads = []
    retrieve = store.retrieve

    async def counted(sender_id: str):
        reads.append(sender_id)
        return await retrieve(sender_id)

    monkeypatch.setattr(store, "retrieve", counted)
    phone = make_phone(domain, OPEN, store)
    phone.start()
    reply = said(phone.turn(SpeechResult="i need to speak to a person"))
    assert "Before I put you through" in reply  # the turn's own intent and slots were read
    assert len(reads) == len(phone.assistant.heard) == 2  # the assistant's reads only
