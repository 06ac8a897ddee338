"""Skip and "I don't know" in every form question, and a person after two misses.

A form's validator lists :class:`SkipAware` after ``StopAware`` and before
``FormValidationAction``, and names its questions in two class settings:

* ``skippable``: questions that can honestly go unanswered. "I don't know" (any phrase in
  ``kb/conversation/skip_phrases.yml``, in every supported language) records
  :data:`~actions.common.validators.UNKNOWN` and the form moves on; the response named
  beside the question (if any) says what happens without it.
* ``required_because``: questions the council needs. "I don't know" gets the response
  that says why, then the offer of a person.

Two more settings: ``counted_elsewhere`` names questions that count their own misses (the
report's place), and ``offers_person = False`` (the hand-off form, already the way to a
person) asks a required question again after saying why, and never offers a person.

Every other answer is validated as usual. Two misses in a row on the same question (the
validator set it to None) do not re-ask it a third time: ``requested_slot`` becomes
``form_offer_person``, so the form asks ``utter_ask_form_offer_person`` ("try again, or
talk to a person", with the hand-off button). The next answer is still checked against the
question that was missed; the button's ``/human_handoff`` goes to each form's hand-off
rule. The count lives in the ``form_misses`` slot (``{"slot": ..., "count": ...}``) and
resets when the question is answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import slots
from actions.common.stop_phrases import StopPhrases, cached_stop_phrases
from actions.common.validators import UNKNOWN
from bot.settings import settings

#: Misses in a row on one question before a person is offered instead of asking again.
MISSES_BEFORE_OFFER = 2
#: Intents a form leaves to its own rules (the hand-off button, a crisis).
LEFT_TO_RULES = frozenset({"human_handoff", "urgent_help"})


def skip_phrases() -> StopPhrases:
    """Ways to say "I don't know" or "skip" (``kb/conversation/skip_phrases.yml``)."""
    return cached_stop_phrases(settings.kb_dir / "conversation" / "skip_phrases.yml")


def says_skip(text: str | None) -> bool:
    """Whether the whole message means "I don't know" or "skip this", in any language."""
    return skip_phrases().matches(text)


def _misses(tracker: Tracker) -> dict[str, Any]:
    value = tracker.get_slot(slots.FORM_MISSES)
    return value if isinstance(value, dict) else {}


def _last_value(events: list[EventType], name: str) -> tuple[bool, Any]:
    """Whether ``events`` set slot ``name``, and the last value they set."""
    for event in reversed(events):
        if event.get("event") == "slot" and event.get("name") == name:
            return True, event.get("value")
    return False, None


def _offer(events: list[EventType], slot: str, count: int) -> list[EventType]:
    """The events with the form's next question replaced by the offer of a person."""
    kept = [
        event
        for event in events
        if not (event.get("event") == "slot" and event.get("name") == slots.REQUESTED_SLOT)
    ]
    return [
        *kept,
        SlotSet(slots.FORM_MISSES, {"slot": slot, "count": count}),
        SlotSet(slots.REQUESTED_SLOT, slots.FORM_OFFER_PERSON),
    ]


class SkipAware:
    """Mixin for a form's validator: "I don't know", skip, and a person after two misses."""

    #: Questions that may be left unknown, and the response said when they are (or None).
    skippable: ClassVar[Mapping[str, str | None]] = {}
    #: Questions the council needs, and the response that says why.
    required_because: ClassVar[Mapping[str, str]] = {}
    #: Questions that count their own misses and offer a person themselves.
    counted_elsewhere: ClassVar[frozenset[str]] = frozenset()
    #: False in the hand-off form, which is itself the way to a person: a required question
    #: is asked again after saying why, and misses are not turned into an offer.
    offers_person: ClassVar[bool] = True

    def skipped(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """The slots to set when a skippable question is skipped (override to add more)."""
        response = self.skippable.get(slot)
        if response:
            dispatcher.utter_message(response=response)
        return {slot: UNKNOWN}

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer a skip, re-route the answer after an offer, or validate and count misses."""
        requested = tracker.get_slot(slots.REQUESTED_SLOT)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        form_slots = self.domain_slots(domain)  # type: ignore[attr-defined]
        if intent in LEFT_TO_RULES:
            return await super().run(dispatcher, tracker, domain)  # type: ignore[misc]
        if requested == slots.FORM_OFFER_PERSON:
            return await self._after_offer(dispatcher, tracker, domain, form_slots)
        answered = requested in form_slots and requested in tracker.slots_to_validate()
        if answered and says_skip(tracker.latest_message.get("text")):
            return await self._skip(requested, dispatcher, tracker, domain)
        events = await super().run(dispatcher, tracker, domain)  # type: ignore[misc]
        if not answered:
            return events
        return self._count(requested, events, tracker)

    async def _next(
        self,
        events: list[EventType],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        """The events, then the next question when the validator chooses it itself."""
        tracker.add_slots(events)
        following = await self.next_requested_slot(dispatcher, tracker, domain)  # type: ignore[attr-defined]
        return [*events, following] if following else events

    async def _skip(
        self,
        slot: str,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        if slot in self.skippable:
            values = self.skipped(slot, dispatcher, tracker)
            events = [SlotSet(name, value) for name, value in values.items()]
            return await self._next([*events, SlotSet(slots.FORM_MISSES, None)],
                                    dispatcher, tracker, domain)  # fmt: skip
        reason = self.required_because.get(slot)
        if reason:
            dispatcher.utter_message(response=reason)
        if not self.offers_person:
            return await self._next([SlotSet(slot, None), SlotSet(slots.FORM_MISSES, None)],
                                    dispatcher, tracker, domain)  # fmt: skip
        return _offer([SlotSet(slot, None)], slot, MISSES_BEFORE_OFFER)

    def _count(self, slot: str, events: list[EventType], tracker: Tracker) -> list[EventType]:
        """Reset the count on an answer; on a miss, count it and offer a person at two."""
        was_set, value = _last_value(events, slot)
        moved_on, requested = _last_value(events, slots.REQUESTED_SLOT)
        if not was_set or requested == slots.FORM_STOP_CONFIRM or slot in self.counted_elsewhere:
            return events
        misses = _misses(tracker)
        # Cleared on purpose with another question next ("the place is wrong" at a check
        # screen) is not a miss.
        if value is not None or (moved_on and requested != slot):
            return [*events, SlotSet(slots.FORM_MISSES, None)] if misses else events
        count = int(misses.get("count", 0)) + 1 if misses.get("slot") == slot else 1
        if count >= MISSES_BEFORE_OFFER and self.offers_person:
            return _offer(events, slot, count)
        return [*events, SlotSet(slots.FORM_MISSES, {"slot": slot, "count": count})]

    async def _after_offer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        form_slots: list[str],
    ) -> list[EventType]:
        """The message after the offer of a person answers the question that was missed."""
        slot = _misses(tracker).get("slot")
        text = tracker.latest_message.get("text")
        if slot not in form_slots:
            # Nothing to go back to: the form asks its next question itself.
            return [SlotSet(slots.FORM_MISSES, None)]
        if says_skip(text):
            return await self._skip(slot, dispatcher, tracker, domain)
        validate = getattr(self, f"validate_{slot}", None)
        result = await validate(text, dispatcher, tracker, domain) if validate else {slot: text}
        events: list[EventType] = [SlotSet(name, value) for name, value in result.items()]
        if result.get(slot) is None:
            return self._count(slot, [*events, SlotSet(slot, None)], tracker)
        return await self._next([*events, SlotSet(slots.FORM_MISSES, None)],
                                dispatcher, tracker, domain)  # fmt: skip
