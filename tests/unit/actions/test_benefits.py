"""Universal Credit hardship: a triage record with the priority from the rules."""

from __future__ import annotations

import asyncio

from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.benefits import ActionUniversalCreditHardship
from actions.common import deps, responses
from tests.unit.actions.trackers import response_names


class FakeTriage:
    def __init__(self):
        self.created = []

    async def create(self, record):
        self.created.append(record)
        return record["reference"]


def _tracker(text):
    message = {"text": text, "intent": {"name": "universal_credit_hardship", "confidence": 1.0}}
    user = {"event": "user", "text": text, "timestamp": 1_700_000_000.0, "parse_data": message}
    return Tracker(
        "resident-uc",
        {"channel": "ivr", "language": "en"},
        message,
        [user],
        False,
        None,
        {},
        "action_listen",
    )


def test_hardship_opens_a_priority_2_universal_credit_record(monkeypatch):
    triage = FakeTriage()
    monkeypatch.setattr(deps, "triage", lambda: triage)
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionUniversalCreditHardship().run(dispatcher, _tracker("my uc is late"), {}))
    record = triage.created[0]
    assert record["priority"] == 2 and record["category"] == "universal_credit"
    assert record["channel"] == "ivr" and "financial hardship" in record["vulnerability"]
    assert response_names(dispatcher) == [
        responses.UC_HARDSHIP_RECORDED,
        responses.UC_HARDSHIP_HELP,
    ]
    assert dispatcher.messages[0]["triage_reference_spoken"].startswith("F D, ")


def test_homelessness_in_the_same_words_keeps_the_housing_category(monkeypatch):
    triage = FakeTriage()
    monkeypatch.setattr(deps, "triage", lambda: triage)
    text = "my universal credit stopped and i'm being evicted"
    asyncio.run(ActionUniversalCreditHardship().run(CollectingDispatcher(), _tracker(text), {}))
    assert triage.created[0]["category"] == "housing"
    assert triage.created[0]["priority"] == 2


def test_a_request_made_alongside_hardship_is_offered_after_it(monkeypatch):
    monkeypatch.setattr(deps, "triage", lambda: FakeTriage())
    tracker = _tracker("my uc is late and also my council tax bill")
    tracker.slots["pending_request"] = {"intent": "council_tax_account", "label": "your bill"}
    events = asyncio.run(ActionUniversalCreditHardship().run(CollectingDispatcher(), tracker, {}))
    assert FollowupAction("action_offer_pending_request") in events
    assert FollowupAction("action_offer_pending_request") not in asyncio.run(
        ActionUniversalCreditHardship().run(CollectingDispatcher(), _tracker("my uc is late"), {})
    )
