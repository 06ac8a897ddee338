"""A way out of every form: "stop" or "cancel" ends it without sending anything.

Each form's validator lists :class:`StopAware` before ``FormValidationAction``. Its ``run``
looks at the message before any slot takes it. With answers already given it asks first
(``utter_ask_form_stop_confirm``, asked by the form because ``requested_slot`` becomes
``form_stop_confirm``); with none it stops at once.

Stopping returns ``ActiveLoop(None)``, ``requested_slot: None`` and
``FollowupAction("action_listen")``: Rasa 3.6's form treats either of the first two as done
(``FormAction.is_done``) and the processor runs a pending follow-up action before any policy
(``MessageProcessor._predict_next_with_tracker``), so no "form complete" rule submits it.
When a second request is waiting (``pending_request``), the follow-up offers it instead.

The same ``run`` handles digressions (another request, a person, a weak urgent signal):
see :mod:`actions.common.digression`.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import deps, digression, responses, slots
from actions.common.form_correction import last_answered
from actions.common.forms import slot_before_latest_message
from actions.common.pending_request import offer_pending
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


def _stop(
    form_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType]:
    """End the form; a request the resident made alongside it is offered next, if any."""
    dispatcher.utter_message(response=responses.FORM_STOPPED)
    after = offer_pending(tracker) or [FollowupAction("action_listen")]
    return [
        *(SlotSet(name, None) for name in form_slots),
        SlotSet(slots.FORM_STOP_CONFIRM, None),
        *digression.cleared(),
        ActiveLoop(None),
        SlotSet(slots.REQUESTED_SLOT, None),
        *after,
    ]


def stop_events(
    form_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker
) -> list[EventType] | None:
    """The events for a stop request or its confirmation, or None to validate as usual."""
    text = tracker.latest_message.get("text")
    if tracker.get_slot(slots.REQUESTED_SLOT) == slots.FORM_STOP_CONFIRM:
        answer = True if deps.stop_phrases().matches(text) else parse_yes_no(text)
        if answer:
            return _stop(form_slots, dispatcher, tracker)
        restored = _restore(form_slots, tracker)
        if answer is None:
            dispatcher.utter_message(response=responses.YES_NO_NOT_UNDERSTOOD)
            return _ask(form_slots, tracker)
        # No requested_slot event: the form finds and asks its next question itself.
        return [*restored, SlotSet(slots.FORM_STOP_CONFIRM, None)]
    if not deps.stop_phrases().matches(text):
        return None
    if not any(slot_before_latest_message(tracker, name) is not None for name in form_slots):
        return _stop(form_slots, dispatcher, tracker)
    return _ask(form_slots, tracker)


class StopAware:
    """Mixin for a form's validator: stop requests and digressions, before any slot is validated."""

    #: Questions whose own validation already handles "cancel" (left to it).
    stop_handled_by: ClassVar[frozenset[str]] = frozenset()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Handle a stop request or a digression, or validate as usual."""
        form: str = self.form_name()  # type: ignore[attr-defined]
        form_slots: list[str] = self.domain_slots(domain)  # type: ignore[attr-defined]
        asked = tracker.get_slot(slots.REQUESTED_SLOT)
        if not digression.answers_latest_message(tracker, form):
            return digression.coming_back(tracker) or await self._validate(
                [], dispatcher, tracker, domain, drop_candidates=False
            )
        kind = digression.kind_of_message(form, tracker)
        if kind == digression.STRONG_URGENT:
            # Each form's urgent-help rule takes over at once, as it always has.
            return digression.reject(
                form, [*digression.restored(form_slots, tracker), *digression.cleared()]
            )
        if kind == digression.HANDOFF:
            return self._hand_over(form, form_slots, dispatcher, tracker)
        if asked in self.stop_handled_by:
            return await self._validate([], dispatcher, tracker, domain, drop_candidates=False)
        if asked == slots.FORM_STOP_CONFIRM:
            events = stop_events(form_slots, dispatcher, tracker) or []
            if any(
                e.get("event") == "active_loop" or e.get("name") == slots.REQUESTED_SLOT
                for e in events
            ):
                return events
            # "No, carry on": the pending question again.
            return await self._validate(events, dispatcher, tracker, domain, drop_candidates=True)
        if asked == slots.FORM_DANGER_CHECK:
            return await self._danger_answer(form, form_slots, dispatcher, tracker, domain)
        if kind == digression.ANSWER:
            return digression.answer_elsewhere(form, form_slots, tracker)
        if kind == digression.WEAK_URGENT:
            return digression.ask_about_danger(form, form_slots, tracker)
        if asked == slots.FORM_RESUME_CONFIRM:
            return await self._resume_answer(form_slots, dispatcher, tracker, domain)
        events = stop_events(form_slots, dispatcher, tracker)
        if events is not None:
            return events
        corrected = await self._correction(asked, form_slots, dispatcher, tracker, domain)
        if corrected is not None:
            return corrected
        return await super().run(dispatcher, tracker, domain)  # type: ignore[misc]

    async def _correction(
        self,
        asked: str | None,
        form_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType] | None:
        """Correct the answer given last ("sorry, I meant …"), then ask the pending question.

        The rest of the message is validated as that question's answer by the validator's
        own ``validate_<slot>``. A refused value (the validator says why) or a phrase alone
        asks that question again. None when the message is no correction.
        """
        if asked not in form_slots:
            return None
        new_answer = deps.correction_phrases().new_answer(tracker.latest_message.get("text"))
        if new_answer is None:
            return None
        earlier = last_answered(tracker, form_slots, asked)
        if earlier is None:
            return None
        kept = _restore(form_slots, tracker)
        validate = getattr(self, f"validate_{earlier}", None)
        value: Any = new_answer or None
        extra: dict[str, Any] = {}
        if value is not None and validate is not None:
            # The validator reads the new answer alone, as if it were the whole message.
            seen = tracker.copy()
            seen.latest_message = {**seen.latest_message, "text": new_answer}
            seen.slots[earlier] = value
            result = validate(value, dispatcher, seen, domain)
            result = (await result if inspect.isawaitable(result) else result) or {}
            value = result.get(earlier)
            extra = {name: v for name, v in result.items() if name != earlier}
        if value is None:
            return [*kept, SlotSet(earlier, None), SlotSet(slots.REQUESTED_SLOT, earlier)]
        dispatcher.utter_message(response=responses.FORM_CORRECTED)
        changed = [SlotSet(earlier, value), *(SlotSet(n, v) for n, v in extra.items())]
        return [*kept, *changed, SlotSet(slots.REQUESTED_SLOT, asked)]

    async def _validate(
        self,
        events: list[EventType],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
        *,
        drop_candidates: bool,
        candidate: tuple[str, Any] | None = None,
    ) -> list[EventType]:
        """The events, then the usual validation on a tracker that has them.

        The usual validation also names the next question when the validator chooses its
        questions itself (``required_slots``); otherwise the form finds it.

        Args:
            events: events decided before validating; applied to the tracker first.
            dispatcher: for the validator's responses.
            tracker: the conversation.
            domain: the domain.
            drop_candidates: the latest message was a reply to the repair question ("yes, carry
                on"), so none of its slot candidates is validated.
            candidate: a slot and value to validate instead, as if just extracted.
        """
        if drop_candidates:
            while tracker.events and tracker.events[-1].get("event") == "slot":
                tracker.events.pop()
        for event in events:
            if event.get("event") == "slot":
                tracker.slots[event["name"]] = event["value"]
        if candidate is not None:
            digression.add_candidate(tracker, *candidate)
        return [*events, *await super().run(dispatcher, tracker, domain)]  # type: ignore[misc]

    def _hand_over(
        self,
        form: str,
        form_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
    ) -> list[EventType]:
        """Asked for a person: say what happens to the answers, then the hand-off rule runs."""
        if any(slot_before_latest_message(tracker, name) is not None for name in form_slots):
            dispatcher.utter_message(
                response=responses.FORM_LEFT_FOR_PERSON,
                form_task=digression.digression_words().task(form, tracker),
            )
        return digression.reject(
            form, [*digression.restored(form_slots, tracker), *digression.cleared()]
        )

    async def _resume_answer(
        self,
        form_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        """The answer to "Shall we carry on?": yes asks the pending question again, no stops."""
        text = tracker.latest_message.get("text")
        answer = False if deps.stop_phrases().matches(text) else parse_yes_no(text)
        if answer is False:
            return _stop(form_slots, dispatcher, tracker)
        kept = [*_restore(form_slots, tracker), *digression.cleared()]
        if answer is None:
            dispatcher.utter_message(response=responses.YES_NO_NOT_UNDERSTOOD)
            return [*kept, SlotSet(slots.REQUESTED_SLOT, slots.FORM_RESUME_CONFIRM)]
        return await self._validate(kept, dispatcher, tracker, domain, drop_candidates=True)

    async def _danger_answer(
        self,
        form: str,
        form_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        """The answer to "Is anyone hurt or in danger?".

        Yes: urgent help. No: carry on, the earlier message answering the pending question
        when that question takes the resident's words.
        """
        text = tracker.latest_message.get("text")
        if deps.stop_phrases().matches(text):
            return _stop(form_slots, dispatcher, tracker)
        answer = parse_yes_no(text)
        if answer is True:
            return digression.urgent_after_all(form, form_slots, tracker)
        if answer is None:
            dispatcher.utter_message(response=responses.YES_NO_NOT_UNDERSTOOD)
            return [
                *_restore(form_slots, tracker),
                SlotSet(slots.FORM_DANGER_CHECK, None),
                SlotSet(slots.REQUESTED_SLOT, slots.FORM_DANGER_CHECK),
            ]
        pending = tracker.get_slot(slots.FORM_PENDING_SLOT)
        earlier = tracker.get_slot(slots.FORM_URGENT_TEXT)
        kept = [*_restore(form_slots, tracker), *digression.cleared()]
        candidate = None
        if pending in form_slots and earlier and digression.takes_text(domain, pending, form):
            candidate = (pending, earlier)
        return await self._validate(
            kept, dispatcher, tracker, domain, drop_candidates=True, candidate=candidate
        )
