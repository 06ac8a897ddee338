"""Conversations in another language: the fallback and the triage record."""

from __future__ import annotations

import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionCreateTriage, ActionHandleFallback, ActionUrgentHelp
from tests.unit.actions.test_handoff import _responses, _tracker, _user, triage  # noqa: F401


def test_not_understood_in_another_language_offers_an_interpreter():
    events = [_user("Chciałbym zapłacić podatek", "nlu_fallback")]
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandleFallback().run(dispatcher, _tracker(events, {"language": "pl"}), {}))
    assert _responses(dispatcher) == ["utter_interpreter_offer"]


def test_not_understood_in_english_still_suggests():
    ranking = [{"name": "report_pothole", "confidence": 0.4}]
    events = [_user("hole thing", "nlu_fallback", ranking)]
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionHandleFallback().run(dispatcher, _tracker(events, {"language": "en"}), {}))
    assert _responses(dispatcher) == ["utter_fallback_suggestions"]


def test_urgent_help_in_urdu_makes_an_interpreter_record(triage):  # noqa: F811
    events = [_user("میرا شوہر مجھے مارتا ہے اور مجھے گھر جانے سے ڈر لگتا ہے", "urgent_help")]
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionUrgentHelp().run(dispatcher, _tracker(events, {"language": "ur"}), {}))
    record = triage.created[0]
    assert record["language"] == "ur" and record["interpreter"] is True
    assert record["priority"] == 1


def test_handoff_in_polish_makes_an_interpreter_record(triage):  # noqa: F811
    events = [_user("Potrzebuję pomocy z mieszkaniem", "nlu_fallback")]
    tracker = _tracker(events, {"language": "pl", "handoff_consent": False})
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionCreateTriage().run(dispatcher, tracker, {}))
    record = triage.created[0]
    assert record["language"] == "pl" and record["interpreter"] is True
    assert _responses(dispatcher) == ["utter_handoff_created"]


def test_english_record_needs_no_interpreter(triage):  # noqa: F811
    tracker = _tracker([_user("person please", "human_handoff")], {"handoff_consent": False})
    asyncio.run(ActionCreateTriage().run(CollectingDispatcher(), tracker, {}))
    assert triage.created[0]["interpreter"] is False
