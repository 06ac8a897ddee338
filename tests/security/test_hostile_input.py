"""Hostile characters never cost a reply or a record (issue #15, item 4).

A lone UTF-16 surrogate is legal JSON that no UTF-8 encoder accepts: it made the web chat
relay and the triage API answer 500 and, through the REST channel, crashed the action, so
the report or hand-off was lost. Bidi isolates, byte-order marks and full-width digits
come with it. Each message here is sent as JSON text with ``\\u`` escapes.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timezone

import httpx
import pytest

from bot.launcher.stack import Stack
from tests.security.calls import conversation, reply_text, say_raw, staff_client, triage_of

pytestmark = pytest.mark.e2e

SURROGATE, BOM, ISOLATE, POP, OVERRIDE = "\ud800", "\ufeff", "\u2066", "\u2069", "\u202e"
FULL_WIDTH_POSTCODE = "\uff33\uff34\uff16 \uff13\uff2a\uff2a"  # ST6 3JJ
REPORT_REFERENCE = re.compile(r"\b((?:SR|HR)-[2-9A-HJ-NP-Z]{6})\b")
TRIAGE_REFERENCE = re.compile(r"\b(FD-[2-9A-HJ-NP-Z]{6})\b")

HOSTILE_MESSAGES = [
    f"there's a pothole {SURROGATE} on my road",
    f"{BOM}hello",
    f"I need {ISOLATE}help{POP} with my council tax {OVERRIDE}",
    f"where can I use a computer near {FULL_WIDTH_POSTCODE}",
    f"{SURROGATE}\u200b{BOM}",
]


@pytest.mark.parametrize("message", HOSTILE_MESSAGES)
def test_the_rest_channel_answers_every_hostile_message(stack: Stack, message: str) -> None:
    answered = say_raw(stack, conversation("web-hostile"), message)
    assert answered.status_code == 200, answered.text
    assert reply_text(answered).strip()


def test_a_report_with_hostile_text_and_a_full_width_postcode_is_delivered(
    stack: Stack,
) -> None:
    sender = conversation("web-hostile-report")
    tag = uuid.uuid4().hex[:6]

    def say(text: str) -> str:
        answered = say_raw(stack, sender, text)
        assert answered.status_code == 200, answered.text
        return reply_text(answered)

    assert "Where is the" in say(f"there's a massive pothole {ISOLATE}on my road{POP}")
    reply = say(FULL_WIDTH_POSTCODE)
    if "Is it the same problem" in reply:  # another test reported a pothole there
        reply = say("/deny")
    assert "describe the problem" in reply, reply
    say(f"Deep hole {SURROGATE}by the {BOM}bus stop {tag}")
    say("yes")
    say("no thanks")
    reply = say("yes")
    reference = REPORT_REFERENCE.search(reply)
    assert reference, reply  # SR- delivered, or HR- kept for delivery
    if reference.group(1).startswith("SR-"):
        found = httpx.get(
            f"{stack.settings.council_services_url}/open311/v2/requests/{reference.group(1)}.json"
        ).json()
        assert f"Deep hole by the bus stop {tag}" in found[0]["description"]


def test_a_hand_off_with_hostile_text_is_delivered(stack: Stack) -> None:
    sender = conversation("web-hostile-handoff")

    def say(text: str) -> str:
        answered = say_raw(stack, sender, text)
        assert answered.status_code == 200, answered.text
        return reply_text(answered)

    assert "what do you need help with" in say("can i speak to a real person please")
    say(f"I have a letter {SURROGATE}about my {ISOLATE}bill{POP} {BOM}and I'm worried")
    reply = say("no")
    reference = TRIAGE_REFERENCE.search(reply)
    assert reference, reply
    (record,) = triage_of(stack, sender)
    assert record["reference"] == reference.group(1)
    for text in [record["summary"], *(line["text"] for line in record["transcript"])]:
        assert not any(char in text for char in (SURROGATE, BOM, ISOLATE, POP))


def test_the_web_chat_relay_answers_a_lone_surrogate(stack: Stack) -> None:
    body = json.dumps({"conversation_id": uuid.uuid4().hex, "message": f"hello {SURROGATE}"})
    answered = httpx.post(
        f"{stack.settings.council_services_url}/chat/messages",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=90,
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["replies"]


def test_the_triage_api_takes_hostile_text_and_stores_it_clean(stack: Stack) -> None:
    at = datetime.now(timezone.utc).isoformat()
    record = {
        "conversation_id": conversation("web-hostile-api"), "channel": "web", "language": "en",
        "category": "other", "priority": 3,
        "summary": f"Needs help {SURROGATE}with a {ISOLATE}letter{POP}{BOM}",
        "transcript": [{"role": "resident", "text": f"help {OVERRIDE}me {SURROGATE}", "at": at}],
        "contact": {"name": f"Jo {BOM}Bloggs", "preferred": "phone",
                    "phone": "\uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13"},
    }  # fmt: skip
    with staff_client(stack) as staff:
        created = staff.post(
            "/triage", content=json.dumps(record), headers={"Content-Type": "application/json"}
        )
        assert created.status_code == 201, created.text
        stored = staff.get(f"/triage/{created.json()['reference']}").json()
    assert stored["summary"] == "Needs help with a letter"
    assert stored["transcript"][0]["text"] == "help me"
    assert stored["contact"]["name"] == "Jo Bloggs"
    assert stored["contact"]["phone"] == "07700 900123"


TEN_MB = 10 * 1024 * 1024


def test_ten_megabyte_bodies_are_refused_and_every_service_still_answers(stack: Stack) -> None:
    huge = json.dumps({"sender": conversation("web-huge"), "message": "a" * TEN_MB})
    rest = httpx.post(
        f"{stack.settings.rasa_url}/webhooks/rest/webhook",
        content=huge,
        headers={"Content-Type": "application/json"},
        timeout=120,
    )
    assert rest.status_code < 500, rest.text[:300]
    relay = httpx.post(
        f"{stack.settings.council_services_url}/chat/messages",
        content=json.dumps({"conversation_id": uuid.uuid4().hex, "message": "a" * TEN_MB}),
        headers={"Content-Type": "application/json"},
        timeout=120,
    )
    assert 400 <= relay.status_code < 500, relay.text[:300]
    with staff_client(stack) as staff:
        record = {"conversation_id": conversation("web-huge"), "summary": "a" * TEN_MB}
        api = staff.post(
            "/triage", content=json.dumps(record), headers={"Content-Type": "application/json"}
        )
        assert 400 <= api.status_code < 500, api.text[:300]
    # Nothing fell over: an ordinary message still gets an ordinary answer.
    answered = say_raw(stack, conversation("web-after-huge"), "hello")
    assert answered.status_code == 200 and reply_text(answered).strip()
