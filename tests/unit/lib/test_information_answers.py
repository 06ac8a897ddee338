"""lib/information_answers.py: which replies are information answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lib.information_answers import answered_last, information_responses

PATTERNS = information_responses(Path(__file__).resolve().parents[3] / "kb")


def user(text: str = "hi") -> dict[str, Any]:
    return {"event": "user", "text": text}


def bot(response: str) -> dict[str, Any]:
    return {"event": "bot", "text": "...", "metadata": {"utter_action": response}}


def test_the_information_answers_are_the_self_served_responses() -> None:
    assert "utter_council_tax/*" in PATTERNS and "utter_places_found" in PATTERNS
    assert "utter_report_submitted" not in PATTERNS  # a task, not an answer


@pytest.mark.parametrize(
    ("events", "ask"),
    [
        ([user(), bot("utter_council_tax/ways_to_pay")], True),
        ([user(), bot("utter_council_tax/ways_to_pay"), {"event": "action"}], True),
        ([user(), bot("utter_places_found"), bot("utter_anything_else")], True),
        ([user(), bot("utter_greet")], False),
        ([user(), bot("utter_report_submitted")], False),
        ([bot("utter_council_tax/ways_to_pay"), user("thanks"), bot("utter_welcome")], False),
        ([], False),
        (None, False),
    ],
)
def test_only_a_reply_since_the_last_message_counts(events: Any, ask: bool) -> None:
    assert answered_last(events, PATTERNS) is ask


def test_rasas_event_objects_are_read_back_to_the_last_message_only() -> None:
    from collections import deque

    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    def said(response: str) -> BotUttered:
        return BotUttered("...", metadata={"utter_action": response})

    answer = deque([UserUttered("how do i pay"), said("utter_council_tax/ways_to_pay")])
    assert answered_last(answer, PATTERNS) is True
    assert answered_last([*answer, ActionExecuted("action_listen")], PATTERNS) is True
    later = [*answer, UserUttered("thanks"), said("utter_welcome")]
    assert answered_last(later, PATTERNS) is False
