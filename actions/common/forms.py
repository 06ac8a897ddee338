"""Form-validation glue shared by the journeys' validators."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.common import responses
from actions.common.validators import parse_yes_no


def yes_no(slot: str, value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
    """Fill ``slot`` with True or False, or re-ask (None) after saying it was not understood."""
    answer = parse_yes_no(value)
    if answer is None:
        dispatcher.utter_message(response=responses.YES_NO_NOT_UNDERSTOOD)
    return {slot: answer}
