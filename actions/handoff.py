"""Hand-off to a person: fallback, "talk to a person", urgent help and the triage record.

Nothing the assistant cannot resolve is dropped: every hand-off ends in a triage record,
sent to the council's queue or, while that is down, kept in the outbox and delivered later.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.assisted import is_assisted
from actions.common.failsafe import FailSafe, council_values, track
from actions.common.forms import yes_no
from actions.common.triage import intent_of, journey_intent, resident_texts, transcript
from actions.common.validators import clean_text, has_words, parse_contact
from actions.common.values import spell_out
from integrations.outbox.store import FAILED
from integrations.outbox.worker import BEHIND_FAILED, TRIAGE_CONTACT, TRIAGE_RECORD
from integrations.triage import TriageError, TriageUnavailable, new_reference

logger = logging.getLogger(__name__)

#: Suggestions offered when the assistant is unsure, at most this many.
MAX_SUGGESTIONS = 3
MIN_SUGGESTION_CONFIDENCE = 0.05


#: Intents that mean the assistant could not help with a message: not understood, or
#: understood as something the council does not deal with.
MISSES = frozenset({"nlu_fallback", "out_of_scope"})


def consecutive_fallbacks(events: list[dict[str, Any]]) -> int:
    """How many of the resident's latest messages in a row the assistant could not help with."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        if intent_of(event) not in MISSES:
            break
        count += 1
    return count


def suggestions(ranking: list[dict[str, Any]], labels: dict[str, str]) -> list[dict[str, str]]:
    """Buttons for the likeliest intents that have a plain-English label."""
    buttons = []
    for entry in ranking:
        name = entry.get("name")
        if name in labels and (entry.get("confidence") or 0) >= MIN_SUGGESTION_CONFIDENCE:
            buttons.append({"title": labels[name], "payload": f"/{name}"})
        if len(buttons) == MAX_SUGGESTIONS:
            break
    return buttons


class ActionAnswerOutOfScope(FailSafe, Action):
    """Says the council does not deal with it; after two misses in a row, offers a person."""

    def name(self) -> str:
        """Registered name."""
        return "action_answer_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Signpost elsewhere, and offer a person when the last message was a miss too."""
        dispatcher.utter_message(response=responses.OUT_OF_SCOPE)
        if consecutive_fallbacks(tracker.events) >= 2:
            dispatcher.utter_message(response=responses.OUT_OF_SCOPE_OFFER_PERSON)
        return []


class ActionHandleFallback(FailSafe, Action):
    """First miss: best guesses as buttons. Second miss in a row: offer a person.

    In a conversation in another language every miss offers a person with an interpreter.
    """

    def name(self) -> str:
        """Registered name."""
        return "action_handle_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Suggest, or offer a person; in another language, a person with an interpreter."""
        if (tracker.get_slot(slots.LANGUAGE) or "en") != "en":
            # English suggestions would be guesses about text the model cannot read.
            dispatcher.utter_message(response=responses.INTERPRETER_OFFER)
            return []
        if consecutive_fallbacks(tracker.events) >= 2:
            dispatcher.utter_message(response=responses.FALLBACK_OFFER_PERSON)
            return []
        ranking = tracker.latest_message.get("intent_ranking") or []
        buttons = suggestions(ranking, deps.intent_labels())
        if buttons:
            dispatcher.utter_message(response=responses.FALLBACK_SUGGESTIONS, buttons=buttons)
        else:
            dispatcher.utter_message(response=responses.FALLBACK_REPHRASE)
        return []


class ValidateHandoffForm(FailSafe, FormValidationAction):
    """Checks the hand-off answers and asks only what applies."""

    def name(self) -> str:
        """Registered name."""
        return "validate_handoff_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """No "what do you need" after urgent help; contact details only with consent."""
        required = [] if tracker.get_slot(slots.TRIAGE_URGENT) else [slots.HANDOFF_NEED]
        required.append(slots.HANDOFF_CONSENT)
        if tracker.get_slot(slots.HANDOFF_CONSENT) is True:
            required += [slots.HANDOFF_NAME, slots.HANDOFF_CONTACT, slots.HANDOFF_PREFERRED]
        return required

    async def validate_handoff_need(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Anything with words; a button payload is not a description."""
        text = clean_text(str(value or ""), 500)
        if not has_words(text) or text.startswith("/"):
            return {slots.HANDOFF_NEED: None}
        return {slots.HANDOFF_NEED: text}

    async def validate_handoff_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes or no; no means no contact details are kept."""
        answer = yes_no(slots.HANDOFF_CONSENT, value, dispatcher)
        if answer[slots.HANDOFF_CONSENT] is False:
            return {
                slots.HANDOFF_CONSENT: False,
                slots.HANDOFF_NAME: None,
                slots.HANDOFF_CONTACT: None,
                slots.HANDOFF_PHONE: None,
                slots.HANDOFF_EMAIL: None,
                slots.HANDOFF_PREFERRED: None,
            }
        return answer

    async def validate_handoff_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A name: some letters, not too long."""
        name = clean_text(str(value or ""), 80)
        if not has_words(name) or name.startswith("/"):
            dispatcher.utter_message(response=responses.HANDOFF_NAME_NOT_VALID)
            return {slots.HANDOFF_NAME: None}
        return {slots.HANDOFF_NAME: name}

    async def validate_handoff_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A UK phone number or an email; an email alone means contact by email."""
        parsed = parse_contact(str(value or ""))
        if parsed is None:
            dispatcher.utter_message(response=responses.HANDOFF_CONTACT_NOT_VALID)
            return {slots.HANDOFF_CONTACT: None}
        kind, contact = parsed
        if kind == "email":
            return {
                slots.HANDOFF_CONTACT: contact,
                slots.HANDOFF_EMAIL: contact,
                slots.HANDOFF_PHONE: None,
                slots.HANDOFF_PREFERRED: "email",
            }
        return {
            slots.HANDOFF_CONTACT: contact,
            slots.HANDOFF_PHONE: contact,
            slots.HANDOFF_EMAIL: None,
        }

    async def validate_handoff_preferred(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Phone call or text message."""
        text = clean_text(str(value or "")).lower()
        if any(word in text for word in ("text", "sms", "message")):
            return {slots.HANDOFF_PREFERRED: "text"}
        if any(word in text for word in ("call", "phone", "ring", "either", "any")):
            return {slots.HANDOFF_PREFERRED: "phone"}
        if "email" in text:
            return {slots.HANDOFF_PREFERRED: "email"}
        dispatcher.utter_message(response=responses.HANDOFF_PREFERRED_NOT_UNDERSTOOD)
        return {slots.HANDOFF_PREFERRED: None}


def _contact(tracker: Tracker) -> dict[str, Any] | None:
    if tracker.get_slot(slots.HANDOFF_CONSENT) is not True:
        return None
    return {
        "name": tracker.get_slot(slots.HANDOFF_NAME),
        "phone": tracker.get_slot(slots.HANDOFF_PHONE),
        "email": tracker.get_slot(slots.HANDOFF_EMAIL),
        "preferred": tracker.get_slot(slots.HANDOFF_PREFERRED),
    }


def _last_failure(events: list[dict[str, Any]]) -> str | None:
    misses = sum(1 for e in events if e.get("event") == "user" and intent_of(e) == "nlu_fallback")
    return f"{misses} message(s) not understood" if misses else None


def build_record(tracker: Tracker, reference: str, urgent: bool) -> dict[str, Any]:
    """The triage record for this conversation, ready to send."""
    rules = deps.triage_rules()
    events = tracker.events
    texts = resident_texts(events)
    flags = rules.flags_in(texts)
    priority = rules.priority(flags, urgent=urgent)
    journey = journey_intent(events)
    category = rules.category(journey, flags, urgent)
    contact = _contact(tracker)
    channel = tracker.get_slot(slots.CHANNEL) or "api"
    language = tracker.get_slot(slots.LANGUAGE) or "en"
    vulnerability = [flag.label for flag in flags]
    if urgent and not vulnerability:
        vulnerability = ["asked for urgent help"]
    last_failure = _last_failure(events)
    return {
        "reference": reference,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "conversation_id": tracker.sender_id,
        "channel": channel,
        "language": language,
        "category": category,
        "priority": priority,
        "vulnerability": vulnerability,
        "summary": rules.summary(
            urgent=urgent,
            flags=flags,
            category=category,
            need=tracker.get_slot(slots.HANDOFF_NEED),
            last_failure=last_failure,
            preferred=(contact or {}).get("preferred"),
        ),
        "transcript": transcript(events),
        "contact": contact,
        "journey": journey,
        "last_failure": last_failure,
        "interpreter": language != "en",
        "assisted": is_assisted(tracker),
    }


class Delivery(str, Enum):
    """What became of something sent to the triage queue."""

    SENT = "sent"
    #: The queue could not be reached: the outbox sends it when it is back.
    HELD = "held"
    #: The queue refused it: kept as failed, with the reason, on the staff's list of
    #: undelivered items. The resident must not be told it will be sent.
    REFUSED = "refused"


async def _send(kind: str, payload: dict[str, Any], reference: str) -> Delivery:
    """Send to the triage queue, or keep it in the outbox; what became of it.

    Contact details for a record still waiting in the outbox go behind it, never before:
    the queue would refuse them for a record it does not have yet.
    """
    outbox_key = reference if kind == TRIAGE_RECORD else None
    flight = track(kind, payload, outbox_key)  # kept by the failsafe if anything below fails
    outbox = deps.outbox()
    waiting = outbox.undelivered(reference) if kind != TRIAGE_RECORD else None
    if waiting is not None:
        held = outbox.hold(kind, payload, group=reference)
        if waiting == FAILED:
            outbox.mark_failed(held, 0, BEHIND_FAILED.format(blocker=reference))
        flight.settle(reference)
        logger.warning("held behind its record", extra={"reference": reference})
        return Delivery.REFUSED if waiting == FAILED else Delivery.HELD
    try:
        if kind == TRIAGE_RECORD:
            await deps.triage().create(payload)
        else:
            await deps.triage().add_contact(
                reference, payload["contact"], payload.get("conversation_id")
            )
        flight.settle(reference)
        return Delivery.SENT
    except TriageUnavailable as error:
        logger.warning(
            "triage queue unavailable; held", extra={"reference": reference, "error": str(error)}
        )
        delivery = Delivery.HELD
        reason = None
    except TriageError as error:
        logger.error(
            "triage queue refused a record; kept as failed",
            extra={"reference": reference, "error": str(error)},
        )
        delivery = Delivery.REFUSED
        reason = str(error) or type(error).__name__
    held = outbox.hold(kind, payload, reference=outbox_key, group=reference)
    if reason is not None:
        outbox.mark_failed(held, 1, reason)
    flight.settle(reference)
    return delivery


async def send_record(record: dict[str, Any], reference: str) -> Delivery:
    """Send a triage record a journey built itself (or keep it); what became of it."""
    return await _send(TRIAGE_RECORD, record, reference)


def say_refused(dispatcher: CollectingDispatcher, tracker: Tracker, reference: str) -> None:
    """Tell the resident the truth when the queue refused what they sent.

    Not "it will be sent": it is kept for staff, who see it on their list of undelivered
    items, and the resident gets the reference and the council's number.
    """
    dispatcher.utter_message(
        response=responses.ACTION_FAILED_KEPT,
        triage_reference=reference,
        triage_reference_spoken=spell_out(reference),
        **council_values(tracker),
    )


def _reset_handoff() -> list[EventType]:
    return [SlotSet(name, None) for name in slots.HANDOFF_FORM_SLOTS] + [
        SlotSet(slots.TRIAGE_URGENT, False)
    ]


class ActionUrgentHelp(FailSafe, Action):
    """Safety information first, then a priority-1 record at once, with no questions."""

    failure_kept_response = responses.ACTION_FAILED_URGENT
    keep_as = "safeguarding"
    keep_priority = 1

    def name(self) -> str:
        """Registered name."""
        return "action_urgent_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Give the crisis numbers, open the urgent case, then the form offers contact."""
        lines = deps.safety_lines()
        council = deps.profile()
        dispatcher.utter_message(
            response=responses.URGENT_HELP,
            emergency_phone=lines["emergency"]["phone"],
            emergency_phone_spoken=lines["emergency"]["phone_spoken"],
            samaritans_phone=lines["samaritans"]["phone"],
            samaritans_phone_spoken=lines["samaritans"]["phone_spoken"],
            domestic_abuse_phone=lines["domestic_abuse"]["phone"],
            domestic_abuse_phone_spoken=lines["domestic_abuse"]["phone_spoken"],
            emergency_housing_phone=council.emergency_phone,
        )
        reference = tracker.get_slot(slots.TRIAGE_REFERENCE)
        if not (reference and tracker.get_slot(slots.TRIAGE_URGENT)):
            reference = new_reference()
            record = build_record(tracker, reference, urgent=True)
            delivery = await _send(TRIAGE_RECORD, record, reference)
            logger.info("urgent triage record", extra={"reference": reference})
        else:
            delivery = Delivery.SENT  # opened earlier in this conversation
        if delivery is Delivery.REFUSED:
            dispatcher.utter_message(
                response=responses.ACTION_FAILED_URGENT,
                triage_reference=reference,
                triage_reference_spoken=spell_out(reference),
                **council_values(tracker),
            )
        else:
            dispatcher.utter_message(
                response=responses.URGENT_CASE_OPENED, triage_reference=reference
            )
        return [
            SlotSet(slots.TRIAGE_REFERENCE, reference),
            SlotSet(slots.TRIAGE_URGENT, True),
            SlotSet(slots.RESPONSE_TIME, deps.triage_rules().response_time(1)),
        ]


class ActionCreateTriage(FailSafe, Action):
    """Creates the triage record (or adds contact details to the urgent one)."""

    keep_as = "other"

    def name(self) -> str:
        """Registered name."""
        return "action_create_triage"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the record, read the reference back, say when to expect contact."""
        rules = deps.triage_rules()
        reference = tracker.get_slot(slots.TRIAGE_REFERENCE)
        if tracker.get_slot(slots.TRIAGE_URGENT) and reference:
            contact = _contact(tracker)
            response_time = rules.response_time(1)
            if contact:
                # Only the conversation that opened the record may add to it: the council
                # services check this id against the record's.
                change = {
                    "reference": reference,
                    "contact": contact,
                    "conversation_id": tracker.sender_id,
                }
                delivery = await _send(TRIAGE_CONTACT, change, reference)
                if delivery is Delivery.REFUSED:
                    say_refused(dispatcher, tracker, reference)
                else:
                    dispatcher.utter_message(
                        response=responses.HANDOFF_CONTACT_ADDED,
                        triage_reference=reference,
                        response_time=response_time,
                    )
            return [*_reset_handoff(), SlotSet(slots.RESPONSE_TIME, response_time)]

        reference = new_reference()
        record = build_record(tracker, reference, urgent=False)
        response_time = rules.response_time(record["priority"])
        delivery = await _send(TRIAGE_RECORD, record, reference)
        if delivery is Delivery.REFUSED:
            say_refused(dispatcher, tracker, reference)
        else:
            dispatcher.utter_message(
                response=responses.HANDOFF_CREATED
                if delivery is Delivery.SENT
                else responses.HANDOFF_CREATED_HELD,
                triage_reference=reference,
                response_time=response_time,
            )
        logger.info("triage record", extra={"reference": reference, "priority": record["priority"]})
        events = [
            *_reset_handoff(),
            SlotSet(slots.TRIAGE_REFERENCE, reference),
            SlotSet(slots.RESPONSE_TIME, response_time),
        ]
        if delivery is Delivery.REFUSED:
            return events  # nobody has it in their queue: keep answering the resident
        # Handed over: the assistant stays quiet until staff resolve the record (the
        # council services then resume the conversation) or a new session starts.
        return [*events, ConversationPaused()]
