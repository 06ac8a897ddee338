"""Actions the action server tests load instead of the product's: they leave a trace."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher


class ActionProbe(Action):
    """Writes the conversation id to ``$PROBE_FILE``: proof that it ran."""

    def name(self) -> str:
        return "action_probe"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        Path(os.environ["PROBE_FILE"]).write_text(tracker.sender_id)
        dispatcher.utter_message(response="utter_probe")
        return [SlotSet("probe", "ran")]


class ActionProbeResponses(Action):
    """Says how many responses its domain holds, and whether ``utter_greet`` is one."""

    def name(self) -> str:
        return "action_probe_responses"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        responses = domain.get("responses") or {}
        dispatcher.utter_message(text=f"{len(responses)} {'utter_greet' in responses}")
        return []
