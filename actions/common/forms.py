"""Form-validation glue shared by the journeys' validators."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import responses
from actions.common.validators import parse_yes_no


def yes_no(slot: str, value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """Fill ``slot`` with True or False, or re-ask (None) after saying it was not understood."""
    answer = parse_yes_no(value)
    if answer is None:
        dispatcher.utter_message(response=responses.YES_NO_NOT_UNDERSTOOD)
    return {slot: answer}


def slot_before_latest_message(tracker: Tracker, name: str) -> Any:
    """A slot's value before the latest user message (before this turn's candidates).

    The tracker a validation action gets already holds the values extracted from the
    latest message; this reads the value the conversation had before it.
    """
    events = tracker.events
    latest_user = max(
        (index for index, event in enumerate(events) if event.get("event") == "user"),
        default=len(events),
    )
    value = None
    for event in events[:latest_user]:
        if event.get("event") in ("restart", "session_started"):
            value = None
        elif event.get("event") == "slot" and event.get("name") == name:
            value = event.get("value")
    return value


def reply_text(value: Any, tracker: Tracker) -> str | None:
    """The reply as typed: an intent mapping gives True or False, the message says more."""
    if isinstance(value, str):
        return value
    text = tracker.latest_message.get("text")
    if isinstance(text, str) and text and not text.startswith("/"):
        return text
    if isinstance(value, bool):
        return "yes" if value else "no"
    return None
