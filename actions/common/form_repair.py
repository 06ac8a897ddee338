"""A way out of every form: "stop" or "cancel" ends it without sending anything.

Each form's validator lists :class:`StopAware` before ``FormValidationAction``. Its ``run``
looks at the message before any slot takes it. With answers already given it asks first
(``utter_ask_form_stop_confirm``, asked by the form because ``requested_slot`` becomes
``form_stop_confirm``); with none it stops at once.

Stopping returns ``ActiveLoop(None)``, ``requested_slot: None`` and
``FollowupAction("action_listen")``: Rasa 3.6's form treats either of the first two as done
(``FormAction.is_done``) and the processor runs a pending follow-up action before any policy
(``MessageProcessor._predict_next_with_tracker``), so no "form complete" rule submits it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import deps, responses, slots
from actions.common.forms import slot_before_latest_message
from actions.common.validators import parse_yes_no


def _restore(form_slots: list[str], tracker: Tracker) -> list[EventType]:
    """Put every form slot back as it was before this message (the text goes nowhere)."""
    return [SlotSet(name, slot_before_latest_message(tracker, name)) for name in form_slots]


def _ask(form_slots: list[str], tracker: Tracker) -> list[EventType]:
    """Keep the text out of the slots; the form then asks ``utter_ask_form_stop_confirm``."""
    return [
        *_restore(form_slots, tracker),
        SlotSet(slots.FORM_STOP_CONFIRM, None),
        SlotSet(slots.REQUESTED_SLOT, slots.FORM_STOP_CONFIRM),
    ]


def _stop(form_slots: list[str], dispatcher: CollectingDispatcher) -> list[EventType]:
    dispatcher.utter_message(response=responses.FORM_STOPPED)
    return [
        *(SlotSet(name, None) for name in form_slots),
        SlotSet(slots.FORM_STOP_CONFIRM, None),
        ActiveLoop(None),
        SlotSet(slots.REQUESTED_SLOT, None),
        FollowupAction("action_listen"),
    ]


def stop_events(
    form_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """The events for a stop request or its confirmation, or None to validate as usual."""
    text = tracker.latest_message.get("text")
    if tracker.get_slot(slots.REQUESTED_SLOT) == slots.FORM_STOP_CONFIRM:
        answer = True if deps.stop_phrases().matches(text) else parse_yes_no(text)
        if answer:
            return _stop(form_slots, dispatcher)
        restored = _restore(form_slots, tracker)
        if answer is None:
            dispatcher.utter_message(response=responses.YES_NO_NOT_UNDERSTOOD)
            return _ask(form_slots, tracker)
        # No requested_slot event: the form finds and asks its next question itself.
        return [*restored, SlotSet(slots.FORM_STOP_CONFIRM, None)]
    if not deps.stop_phrases().matches(text):
        return None
    if not any(slot_before_latest_message(tracker, name) is not None for name in form_slots):
        return _stop(form_slots, dispatcher)
    return _ask(form_slots, tracker)


class StopAware:
    """Mixin for a form's validator: catches a stop request before any slot is validated."""

    #: Questions whose own validation already handles "cancel" (left to it).
    stop_handled_by: ClassVar[frozenset[str]] = frozenset()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Handle a stop request, or validate as usual."""
        if tracker.get_slot(slots.REQUESTED_SLOT) in self.stop_handled_by:
            return await super().run(dispatcher, tracker, domain)  # type: ignore[misc]
        events = stop_events(self.domain_slots(domain), dispatcher, tracker)  # type: ignore[attr-defined]
        if events is not None:
            return events
        return await super().run(dispatcher, tracker, domain)  # type: ignore[misc]
