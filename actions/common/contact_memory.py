"""What the resident gave earlier in the session, offered again rather than asked again.

Contact details given in one journey ("07700 900123" for a pothole report) are offered in
the next one that needs them ("Shall we use 07700 900123 again?"), read from the slot
events of this session only. Also holds :func:`set_during_form`, which tells whether an
offer was made in the form that is running now (not in an earlier run of it).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import responses, slots
from actions.common.failsafe import FailSafe
from actions.common.validators import parse_contact, parse_yes_no

#: Slots that hold a phone number or an email a resident gave, in any journey.
CONTACT_SLOTS = {
    slots.CONTACT_PHONE: "phone",
    slots.CONTACT_EMAIL: "email",
    slots.HANDOFF_PHONE: "phone",
    slots.HANDOFF_EMAIL: "email",
}


#: How many of the resident's latest messages are searched for what they said before.
MESSAGES_SEARCHED = 5


@dataclass(frozen=True)
class Remembered:
    """A contact detail given earlier: its kind (``phone`` or ``email``), value and display."""

    kind: str
    value: str
    shown: str


def _session_events(tracker: Tracker) -> list[dict[str, Any]]:
    events = list(tracker.events)
    starts = [
        index
        for index, event in enumerate(events)
        if event.get("event") in ("session_started", "restart")
    ]
    return events[starts[-1] + 1 :] if starts else events


def shown_contact(kind: str, value: str) -> str:
    """How a remembered detail is shown back to the resident who gave it.

    A phone number is shown in full, so the resident can check it; an email keeps its
    first letter and domain, enough to recognise.
    """
    if kind == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}…@{domain}" if len(local) > 1 else value
    if len(value) == 11 and value.isdigit() and value.startswith("0"):
        return f"{value[:5]} {value[5:]}"  # 07700 900123, as numbers are written
    return value


def remembered_contact(tracker: Tracker) -> Remembered | None:
    """The latest phone number or email the resident gave in this session, if any."""
    for event in reversed(_session_events(tracker)):
        if event.get("event") != "slot" or event.get("name") not in CONTACT_SLOTS:
            continue
        value = event.get("value")
        if isinstance(value, str) and value.strip():
            kind = CONTACT_SLOTS[str(event.get("name"))]
            return Remembered(kind, value, shown_contact(kind, value))
    return None


def said_recently(tracker: Tracker, limit: int = MESSAGES_SEARCHED) -> list[str]:
    """The resident's latest messages in this session, most recent first (no button payloads)."""
    texts: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") in ("session_started", "restart"):
            break
        text = str(event.get("text") or "") if event.get("event") == "user" else ""
        if text and not text.startswith("/"):
            texts.append(text)
            if len(texts) >= limit:
                break
    return texts


def set_during_form(tracker: Tracker, slot: str, form: str) -> Any:
    """A slot's value if it was set since ``form`` last started, else None.

    An offer recorded in a slot belongs to one run of a form: a later run starts afresh.
    """
    value = None
    for event in tracker.events:
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            value = None
        elif kind == "active_loop" and event.get("name") == form:
            value = None
        elif kind == "slot" and event.get("name") == slot:
            value = event.get("value")
    return value


def contact_answer(value: Any, offered: str | None) -> str | None:
    """The contact to validate: the offered one for "yes", None for "no", else the answer.

    Args:
        value: the resident's reply to "Shall we use ... again?" (or to the usual question).
        offered: the detail offered in this form, or None when nothing was offered.

    Returns:
        The text to read as a contact, or None when the resident declined the offer.
    """
    text = str(value or "")
    if not offered or parse_contact(text) is not None:
        return text
    answer = parse_yes_no(text)
    if answer is True:
        return offered
    if answer is False:
        return None
    return text


Validator = Callable[..., Awaitable[dict[str, Any]]]


def offers_remembered_contact(form: str, slot: str) -> Callable[[Validator], Validator]:
    """Decorate a form's contact validator so it takes "yes" or "no" to the offer.

    Yes validates the detail offered, as if typed again; no clears the slot, so the
    form asks its usual question; anything else is validated as typed.

    Args:
        form: the form the validator belongs to.
        slot: the slot the validator fills.
    """

    def wrap(validate: Validator) -> Validator:
        @functools.wraps(validate)
        async def validated(
            self: Any, value: Any, dispatcher: Any, tracker: Tracker, domain: Any
        ) -> dict[str, Any]:
            offered = set_during_form(tracker, slots.CONTACT_OFFERED, form)
            answer = contact_answer(value, offered)
            if answer is None:
                return {slot: None, slots.CONTACT_OFFERED: ""}
            result = await validate(self, answer, dispatcher, tracker, domain)
            return {**result, slots.CONTACT_OFFERED: ""} if offered else result

        return validated

    return wrap


class _AskContactAgain(FailSafe):
    """Offers the detail given earlier in the session, or asks the form's question.

    A mixin, not an ``Action``: rasa-sdk registers every ``Action`` subclass by name.
    """

    form: str = ""
    question: str = ""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Offer "Shall we use 07700 900123 again?" once per form, else ask as usual."""
        offered = set_during_form(tracker, slots.CONTACT_OFFERED, self.form)
        if offered is None and tracker.get_slot(slots.LANGUAGE) in (None, "en"):
            # The offer is worded in English only; in another language the usual
            # (translated) question is asked.
            remembered = remembered_contact(tracker)
            offered = remembered.value if remembered else ""
        if offered:
            kind = "email" if "@" in offered else "phone"
            dispatcher.utter_message(
                response=responses.ASK_CONTACT_AGAIN, contact_shown=shown_contact(kind, offered)
            )
        else:
            dispatcher.utter_message(response=self.question)
        return [SlotSet(slots.CONTACT_OFFERED, offered or "")]


class ActionAskContact(_AskContactAgain, Action):
    """The report form's contact question."""

    form = "report_form"
    question = responses.ASK_CONTACT

    def name(self) -> str:
        """Registered name."""
        return "action_ask_contact"


class ActionAskHandoffContact(_AskContactAgain, Action):
    """The hand-off form's contact question."""

    form = "handoff_form"
    question = responses.ASK_HANDOFF_CONTACT

    def name(self) -> str:
        """Registered name."""
        return "action_ask_handoff_contact"
