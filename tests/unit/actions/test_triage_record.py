"""The triage record the hand-off actions build (issue #18): one staff can trust.

Runs the real actions against trackers, with the real domain's responses and rules, and
checks the record sent to the queue.
"""

import asyncio
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff
from actions.common import deps
from actions.handoff import ActionUrgentHelp
from integrations.outbox import Outbox
from tests.helpers import domain_section

#: Every response of the domain folder, variants of one name joined.
DOMAIN = {"responses": domain_section("responses")}


def _user(text, intent, ts=1_700_000_000.0):
    return {
        "event": "user",
        "text": text,
        "timestamp": ts,
        "parse_data": {"intent": {"name": intent}, "intent_ranking": []},
        "input_channel": "rest",
    }


def _tracker(events, slots=None):
    return Tracker(
        "resident-1",
        {"channel": "web", "language": "en", **(slots or {})},
        events[-1]["parse_data"] if events else {},
        events,
        False,
        None,
        {},
        "action_listen",
    )


class FakeTriage:
    def __init__(self):
        self.created = []

    async def create(self, record):
        self.created.append(record)
        return record["reference"]

    async def add(self, reference, addition):
        return reference


@pytest.fixture
def triage(monkeypatch, tmp_path: Path):
    fake = FakeTriage()
    outbox = Outbox(f"sqlite:///{tmp_path / 'o.db'}")
    monkeypatch.setattr(deps, "triage", lambda: fake)
    monkeypatch.setattr(deps, "outbox", lambda: outbox)
    return fake


@pytest.mark.parametrize("language,words", [("en", "Samaritans"), ("pl", "999")])
def test_an_urgent_record_holds_the_crisis_text_the_resident_was_given(triage, language, words):
    slots = {"language": language, "council_name": "Sample City Council"}
    tracker = _tracker([_user("nowhere to sleep tonight", "urgent_help")], slots)
    asyncio.run(ActionUrgentHelp().run(CollectingDispatcher(), tracker, DOMAIN))
    record = triage.created[0]
    said = [line["text"] for line in record["transcript"] if line["role"] == "assistant"]
    assert said, record["transcript"]
    assert words in said[0] and "{" not in said[0]
    assert record["transcript"][0] == {
        "role": "resident",
        "text": "nowhere to sleep tonight",
        "at": record["transcript"][0]["at"],
    }


def test_form_answers_are_not_counted_as_not_understood(triage):
    events = [
        {"event": "active_loop", "name": "report_form"},
        *[_user(f"answer {n}", "nlu_fallback") for n in range(23)],
        {"event": "active_loop", "name": None},
        _user("blah blah", "nlu_fallback"),
        _user("a person please", "human_handoff"),
    ]
    record = handoff.build_record(_tracker(events), "FD-ABC234", urgent=False)
    assert record["last_failure"] == "1 message(s) not understood"


def test_a_polish_pothole_report_is_a_street_case_raised_by_its_danger_words(triage):
    events = [
        _user("Na Leek Road jest dziura, bardzo niebezpieczna", "universal_credit"),
        {"event": "active_loop", "name": "report_form"},
        _user("ST4 1AA", "universal_credit"),
        {"event": "active_loop", "name": None},
        _user("chcę rozmawiać z człowiekiem", "human_handoff"),
    ]
    record = handoff.build_record(_tracker(events, {"language": "pl"}), "FD-ABC234", False)
    assert (record["category"], record["priority"]) == ("street", 2)
    assert "danger to the public" in record["vulnerability"]
    assert record["journey"] == "report_problem"
