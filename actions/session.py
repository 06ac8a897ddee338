"""Session start: the slots every conversation carries (channel, language, council)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import deps, slots
from actions.common.failsafe import FailSafe, example_slots
from lib import case_updates

CHANNELS = {"web", "library", "api", "ivr"}


def channel_for(metadata: dict[str, Any] | None) -> str:
    """The contract's channel for a conversation.

    Our input channels (``bot/channels``) put a checked ``channel`` into the message
    metadata; a request without one came straight through the API.
    """
    requested = (metadata or {}).get("channel")
    return requested if isinstance(requested, str) and requested in CHANNELS else "api"


def carried_over(tracker: Tracker) -> list[EventType]:
    """The open case, its contact details and an unheard case update, for the new session."""
    names = list(case_updates.CARRIED_OVER)
    if not tracker.get_slot(case_updates.OPEN_CASE):
        names = [name for name in names if name not in case_updates.CONTACT_SLOTS]
    return [
        SlotSet(name, tracker.get_slot(name))
        for name in names
        if tracker.get_slot(name) not in (None, False)
    ]


class ActionSessionStart(FailSafe, Action):
    """Starts a session and sets the council and channel slots."""

    def name(self) -> str:
        """Registered name (replaces Rasa's default)."""
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Set the session's slots; only an open case (and its contact details) carries over.

        A case staff still have, or the news that they resolved it, outlives the session:
        a caller who rings again hears the update (``lib/case_updates.py``).
        """
        metadata = tracker.get_slot(slots.SESSION_STARTED_METADATA) or {}
        council = deps.profile()
        return [
            SessionStarted(),
            # SessionStarted empties every slot; keep the checked metadata for the whole
            # session (it carries the library assisted mark, issue #6).
            SlotSet(slots.SESSION_STARTED_METADATA, metadata or None),
            SlotSet(slots.CHANNEL, channel_for(metadata)),
            SlotSet(slots.LANGUAGE, "en"),
            SlotSet(slots.COUNCIL_NAME, council.name),
            SlotSet(slots.COUNCIL_PHONE, council.phone),
            SlotSet(slots.COUNCIL_PHONE_SPOKEN, council.phone_spoken),
            SlotSet(slots.COUNCIL_HOURS, council.hours),
            *[SlotSet(name, value) for name, value in example_slots(council).items()],
            *carried_over(tracker),
            ActionExecuted("action_listen"),
        ]
