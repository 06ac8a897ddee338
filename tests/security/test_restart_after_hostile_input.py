"""After hostile input, the whole stack restarts on the same data and carries on (issue #15).

Hostile characters, a 10 MB body and a hand-off with hostile text go in; then every process
stops and starts again on the same files. The records, the conversation and every SQLite
database must come through: nothing lost, nothing corrupted, and the conversation goes on
where it was.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from contextlib import closing

import httpx
import pytest
from sqlalchemy.engine import make_url

from bot.launcher.stack import Stack
from tests.security.calls import conversation, reply_text, say_raw, staff_client, triage_of

pytestmark = pytest.mark.e2e

SURROGATE, BOM, ISOLATE, POP = "\ud800", "\ufeff", "\u2066", "\u2069"
TRIAGE_REFERENCE = re.compile(r"\b(FD-[2-9A-HJ-NP-Z]{6})\b")
HOSTILE = [
    f"{SURROGATE}\u200b{BOM}",
    "'; DROP TABLE triage_records; --",
    "\x00\x01\x1b[31m hello \u202e",
    "\uff33\uff34\uff16 \uff13\uff2a\uff2a",
]


def _say(stack: Stack, sender: str, text: str) -> str:
    answered = say_raw(stack, sender, text)
    assert answered.status_code == 200, answered.text
    reply = reply_text(answered)
    assert reply.strip(), f"no answer to {text!r}"
    return reply


def _events_of(stack: Stack, sender: str) -> int:
    path = make_url(stack.settings.tracker_store).database
    with sqlite3.connect(path) as db:
        return db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[
            0
        ]


def _sqlite_files(stack: Stack) -> list[str]:
    urls = [
        stack.settings.database,
        stack.settings.tracker_store,
        stack.council_services_database_url,
    ]
    return [make_url(url).database for url in urls if url.startswith("sqlite")]


def test_the_stack_restarts_on_the_same_data_after_hostile_input(stack: Stack) -> None:
    sender = conversation("web-restart")
    tag = uuid.uuid4().hex[:6]
    for text in HOSTILE:
        _say(stack, conversation("web-restart-noise"), text)
    huge = json.dumps({"sender": sender, "message": "a" * (10 * 1024 * 1024)})
    refused = httpx.post(
        f"{stack.settings.rasa_url}/webhooks/rest/webhook",
        content=huge,
        headers={"Content-Type": "application/json"},
        timeout=120,
    )
    assert refused.status_code < 500
    assert "what do you need help with" in _say(stack, sender, "can i speak to a real person")
    _say(stack, sender, f"a letter {SURROGATE}about my {ISOLATE}bill{POP} {tag}")
    reference = TRIAGE_REFERENCE.search(_say(stack, sender, "no"))
    assert reference, "no triage reference"
    with staff_client(stack) as staff:
        before = staff.get(f"/triage/{reference.group(1)}").json()
    events_before = _events_of(stack, sender)

    stack.stop()
    stack.start()

    for path in _sqlite_files(stack):
        with closing(sqlite3.connect(path)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",), path
    with staff_client(stack) as staff:
        after = staff.get(f"/triage/{reference.group(1)}").json()
    assert after["summary"] == before["summary"]
    assert after["transcript"] == before["transcript"]
    assert tag in json.dumps(after["transcript"])
    assert _events_of(stack, sender) == events_before
    # The conversation goes on where it was: one open case, not a new one.
    _say(stack, sender, "hello again")
    assert _events_of(stack, sender) > events_before
    assert [record["reference"] for record in triage_of(stack, sender)] == [reference.group(1)]
    for text in HOSTILE:
        _say(stack, conversation("web-restart-after"), text)
    assert all(service.running for service in stack.services)
