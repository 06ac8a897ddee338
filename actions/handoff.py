"""Hand-off to a person: fallback, "talk to a person", urgent help and the triage record.

Nothing the assistant cannot resolve is dropped: every hand-off ends in a triage record,
sent to the council's queue or, while that is down, kept in the outbox and delivered later.

The conversation stays live after a hand-off: the open case is the ``triage_reference``
slot, and the assistant keeps answering other questions. One conversation has one open
record: a later hand-off, an urgent message, a hardship journey or contact details given
later are added to it (:func:`file_case`), with its summary rebuilt from the whole
conversation. When staff resolve it, the council services close the case in the
conversation and the resident is told (``lib/case_updates.py``).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from enum import Enum
from typing import Any, cast

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.assisted import is_assisted
from actions.common.contact_memory import offers_remembered_contact
from actions.common.failsafe import FailSafe, council_values, track
from actions.common.form_repair import StopAware
from actions.common.form_skip import SkipAware
from actions.common.forms import reply_text, yes_no
from actions.common.journey_triage import journey_record
from actions.common.pending_request import offer_pending
from actions.common.triage import (
    intent_of,
    journey_intent,
    real_misses,
    resident_texts,
    said_lines,
    transcript,
)
from actions.common.validators import clean_text, has_words, looks_like_address, parse_contact
from integrations.outbox.kinds import BEHIND_FAILED, TRIAGE_ADDITION, TRIAGE_RECORD
from integrations.outbox.store import FAILED
from integrations.triage import (
    TriageAddition,
    TriageError,
    TriageRecord,
    TriageRejected,
    TriageUnavailable,
    new_reference,
)
from lib.references import spell_out

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


class ValidateHandoffForm(FailSafe, StopAware, SkipAware, FormValidationAction):
    """Checks the hand-off answers and asks only what applies.

    "I don't know" or "skip": what they need help with is required (said why, then asked
    again: this form is already the way to a person); a name too, once they have agreed to
    be contacted. Contact is optional: skipping any contact question takes the no-contact
    path (the case is still sent, and followed up with its reference); not knowing whether
    to be rung or texted means a call.
    """

    skippable = {
        slots.HANDOFF_CONSENT: responses.HANDOFF_CONTACT_SKIPPED,
        slots.HANDOFF_CONTACT: responses.HANDOFF_CONTACT_SKIPPED,
        slots.HANDOFF_PREFERRED: None,
        slots.HANDOFF_METHOD: responses.HANDOFF_CONTACT_SKIPPED,
        slots.HANDOFF_ADDRESS: responses.HANDOFF_CONTACT_SKIPPED,
    }
    required_because = {
        slots.HANDOFF_NEED: responses.HANDOFF_NEED_REQUIRED,
        slots.HANDOFF_NAME: responses.HANDOFF_NAME_REQUIRED,
    }
    offers_person = False

    def skipped(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """No contact after all, or a call when they don't mind how."""
        if slot == slots.HANDOFF_PREFERRED:
            return {slots.HANDOFF_PREFERRED: "phone"}
        dispatcher.utter_message(response=responses.HANDOFF_CONTACT_SKIPPED)
        return _no_contact()

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
        """No "what do you need" after urgent help; contact details only with consent.

        With a case already open (and no urgent message now), nothing is asked: staff have
        it, and ``action_create_triage`` adds the conversation to it and says so.
        """
        urgent = tracker.get_slot(slots.TRIAGE_URGENT)
        if tracker.get_slot(slots.TRIAGE_REFERENCE) and not urgent:
            return []
        required = [] if urgent else [slots.HANDOFF_NEED]
        required.append(slots.HANDOFF_CONSENT)
        if tracker.get_slot(slots.HANDOFF_CONSENT) is True:
            required.append(slots.HANDOFF_NAME)
            method = tracker.get_slot(slots.HANDOFF_METHOD)
            if method or tracker.get_slot(slots.HANDOFF_NO_PHONE):
                # No phone or e-mail: post (with an address), calling in, or the library.
                required.append(slots.HANDOFF_METHOD)
                if method == POST:
                    required.append(slots.HANDOFF_ADDRESS)
            else:
                required += [slots.HANDOFF_CONTACT, slots.HANDOFF_PREFERRED]
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
        """Yes or no; no means no contact details are kept.

        "She has no phone, please write to her by post" is a yes, by post; "I haven't got
        a phone" is a yes that asks how else staff can reach them (issue #16 item 5).
        """
        text = _reply_text(value, tracker)
        method = contact_method(text, is_assisted(tracker))
        if method is not None:
            return {slots.HANDOFF_CONSENT: True, **_method_chosen(method)}
        if says_no_phone(text):
            return {slots.HANDOFF_CONSENT: True, slots.HANDOFF_NO_PHONE: True}
        answer = yes_no(slots.HANDOFF_CONSENT, value, dispatcher)
        if answer[slots.HANDOFF_CONSENT] is False:
            return _no_contact()
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

    @offers_remembered_contact("handoff_form", slots.HANDOFF_CONTACT)
    async def validate_handoff_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A UK phone number or an email; an email alone means contact by email.

        No phone or e-mail is not a wrong answer asked again for ever (issue #16 item 5):
        "write to her by post" or "I'll call in" chooses that way; "she has no phone"
        asks how else staff can reach them.
        """
        text = str(value or "")
        parsed = parse_contact(text)
        if parsed is None:
            method = contact_method(text, is_assisted(tracker))
            if method is not None:
                return _method_chosen(method)
            if says_no_phone(text):
                return {slots.HANDOFF_CONTACT: None, slots.HANDOFF_NO_PHONE: True}
            dispatcher.utter_message(response=responses.HANDOFF_CONTACT_NOT_VALID)
            return {slots.HANDOFF_CONTACT: None}
        return _contact_given(*parsed)

    async def validate_handoff_preferred(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Phone call or text message (or, after all, a letter or calling in)."""
        method = contact_method(str(value or ""), is_assisted(tracker))
        if method is not None:
            return _method_chosen(method)
        text = clean_text(str(value or "")).lower()
        if any(word in text for word in ("text", "sms", "message")):
            return {slots.HANDOFF_PREFERRED: "text"}
        if any(word in text for word in ("call", "phone", "ring", "either", "any")):
            return {slots.HANDOFF_PREFERRED: "phone"}
        if "email" in text:
            return {slots.HANDOFF_PREFERRED: "email"}
        dispatcher.utter_message(response=responses.HANDOFF_PREFERRED_NOT_UNDERSTOOD)
        return {slots.HANDOFF_PREFERRED: None}

    async def validate_handoff_method(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """How to reach a resident without a phone or e-mail.

        By post, "I'll call in", through this library (assisted sessions only), a number
        or e-mail after all, or no contact at all.
        """
        text = _reply_text(value, tracker)
        method = contact_method(text, is_assisted(tracker))
        if method is not None:
            return _method_chosen(method)
        parsed = parse_contact(text)
        if parsed is not None:
            return {
                **_contact_given(*parsed),
                slots.HANDOFF_NO_PHONE: None,
                slots.HANDOFF_METHOD: None,
            }
        if declines_contact(text):
            return _no_contact()
        dispatcher.utter_message(response=responses.HANDOFF_METHOD_NOT_UNDERSTOOD)
        return {slots.HANDOFF_METHOD: None}

    async def validate_handoff_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A postal address: enough words to find the door."""
        address = clean_text(str(value or ""), MAX_ADDRESS_CHARS)
        if address.startswith("/") or not looks_like_address(address):
            dispatcher.utter_message(response=responses.HANDOFF_ADDRESS_NOT_VALID)
            return {slots.HANDOFF_ADDRESS: None}
        return {slots.HANDOFF_ADDRESS: address}


def _contact_given(kind: str, contact: str) -> dict[str, Any]:
    """The slots for a phone number or an e-mail address (an e-mail means contact by e-mail)."""
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


# --- no phone or e-mail (issue #16 item 5) -------------------------------------------------

#: Ways to reach a resident without a phone or e-mail (the ``handoff_method`` slot).
POST, IN_PERSON, LIBRARY = "post", "in_person", "library"
#: A postal address, as long as it may be.
MAX_ADDRESS_CHARS = 300

_POST = re.compile(r"\b(?:by post|post|posted|letter|letters|write|writing|written)\b")
_IN_PERSON = re.compile(
    r"\b(?:call in|calling in|pop in|popping in|drop in|come in|coming in|go in|walk in|"
    r"in person|face to face|visit|call round|call by)\b"
)
_LIBRARY = re.compile(r"\b(?:library|librarian|libraries)\b")
_NO_PHONE = re.compile(
    r"\b(?:no|not got an?|not got any|haven't got an?|havent got an?|hasn't got an?|"
    r"hasnt got an?|don't have an?|dont have an?|doesn't have an?|doesnt have an?|"
    r"without an?|can't use an?|cant use an?|no use of an?)\s*"
    r"(?:mobile phone|phone|mobile|telephone|number|e-?mail|email address)s?\b"
)
_DECLINE = re.compile(
    r"^(?:no|nope|no thanks|no thank you|none|nothing)$|"
    r"\b(?:no contact|don't contact|dont contact|do not contact|no need)\b"
)


def _lowered(text: str | None) -> str:
    return clean_text(text or "").lower().replace("’", "'").strip(" .!?")


def contact_method(text: str | None, assisted: bool) -> str | None:
    """A way to reach the resident without a phone or e-mail, named in the reply.

    Args:
        text: the reply.
        assisted: whether library staff are helping (only then is "through this
            library" a way).

    Returns:
        :data:`POST`, :data:`IN_PERSON`, :data:`LIBRARY` or None.
    """
    lowered = _lowered(text)
    if assisted and _LIBRARY.search(lowered):
        return LIBRARY
    if _POST.search(lowered):
        return POST
    if _IN_PERSON.search(lowered):
        return IN_PERSON
    return None


def says_no_phone(text: str | None) -> bool:
    """Whether the reply says there is no phone or e-mail ("she has no phone")."""
    return bool(_NO_PHONE.search(_lowered(text)))


def declines_contact(text: str | None) -> bool:
    """Whether the reply to "how can staff reach you?" means no contact at all."""
    lowered = _lowered(text)
    return lowered == "/deny" or bool(_DECLINE.search(lowered))


def _reply_text(value: Any, tracker: Tracker) -> str:
    """The reply as typed (see ``reply_text``), or "" when there is none."""
    return reply_text(value, tracker) or ""


def _method_chosen(method: str) -> dict[str, Any]:
    """The slots for a way without phone or e-mail; a letter is the record's preference."""
    return {
        slots.HANDOFF_METHOD: method,
        slots.HANDOFF_NO_PHONE: True,
        slots.HANDOFF_PREFERRED: "post" if method == POST else None,
    }


def _no_contact() -> dict[str, Any]:
    """No contact: nothing about how to reach the resident is kept."""
    return {
        slots.HANDOFF_CONSENT: False,
        slots.HANDOFF_NAME: None,
        slots.HANDOFF_CONTACT: None,
        slots.HANDOFF_PHONE: None,
        slots.HANDOFF_EMAIL: None,
        slots.HANDOFF_PREFERRED: None,
        slots.HANDOFF_NO_PHONE: None,
        slots.HANDOFF_METHOD: None,
        slots.HANDOFF_ADDRESS: None,
    }


#: What the staff summary says for each way (after "Contact by"); calling in is no
#: contact at all, so the summary says "no contact details" with the reference.
_SUMMARY_PREFERENCE = {
    POST: "post (a letter to the address given)",
    LIBRARY: "the library where the resident was helped",
}


def _contact(tracker: Tracker) -> dict[str, Any] | None:
    """The consented contact details for the record: only what was taken.

    A letter adds the postal address; calling in and the library add no way to reach
    the resident beyond the name.
    """
    if tracker.get_slot(slots.HANDOFF_CONSENT) is not True:
        return None
    method = tracker.get_slot(slots.HANDOFF_METHOD)
    contact = {
        "name": tracker.get_slot(slots.HANDOFF_NAME),
        "phone": tracker.get_slot(slots.HANDOFF_PHONE),
        "email": tracker.get_slot(slots.HANDOFF_EMAIL),
        "preferred": tracker.get_slot(slots.HANDOFF_PREFERRED),
    }
    if method == POST:
        contact.update({"preferred": "post", "address": tracker.get_slot(slots.HANDOFF_ADDRESS)})
    elif method in (IN_PERSON, LIBRARY):
        contact["preferred"] = None
    return contact


def _summary_preference(tracker: Tracker, contact: dict[str, Any] | None) -> str | None:
    """The contact preference as the staff summary words it."""
    method = tracker.get_slot(slots.HANDOFF_METHOD) if contact else None
    if method in _SUMMARY_PREFERENCE:
        return _SUMMARY_PREFERENCE[method]
    return (contact or {}).get("preferred")


def _created_response(tracker: Tracker, default: str) -> str:
    """What to say once staff have the case: never a promise of contact that was not taken."""
    if tracker.get_slot(slots.HANDOFF_CONSENT) is not True:
        return default
    return {
        POST: responses.HANDOFF_CREATED_POST,
        IN_PERSON: responses.HANDOFF_CREATED_CALL_IN,
        LIBRARY: responses.HANDOFF_CREATED_LIBRARY,
    }.get(tracker.get_slot(slots.HANDOFF_METHOD) or "", default)


def _last_failure(events: list[dict[str, Any]]) -> str | None:
    misses = real_misses(events)  # answers to a form's questions are not misses (issue #18)
    return f"{misses} message(s) not understood" if misses else None


def needs_given(events: list[dict[str, Any]]) -> str | None:
    """Every "what do you need" answer of the conversation, oldest first, joined."""
    needs: list[str] = []
    for event in events:
        if event.get("event") == "slot" and event.get("name") == slots.HANDOFF_NEED:
            value = event.get("value")
            if isinstance(value, str) and value and value not in needs:
                needs.append(value)
    return "; ".join(needs) or None


def asked_for_urgent_help(events: list[dict[str, Any]]) -> bool:
    """Whether the resident asked for urgent help anywhere in the conversation."""
    return any(e.get("event") == "user" and intent_of(e) == "urgent_help" for e in events)


def build_record(tracker: Tracker, reference: str, urgent: bool) -> TriageRecord:
    """The triage record for this conversation, ready to send.

    Built from the whole conversation, so that the same function rebuilds the record (and
    its summary) when a later part is added to the open case: every need given, urgent if
    the resident asked for urgent help at any point, and the contact details they gave.
    """
    rules = deps.triage_rules()
    events = tracker.events
    urgent = urgent or asked_for_urgent_help(events)
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
            need=needs_given(events),
            last_failure=last_failure,
            preferred=_summary_preference(tracker, contact),
        ),
        "transcript": transcript(events),
        "contact": contact,
        "journey": journey,
        "last_failure": last_failure,
        "interpreter": language != "en",
        "assisted": is_assisted(tracker),
    }


class ActionAskHandoffMethod(FailSafe, Action):
    """Asks how staff can reach a resident with no phone or e-mail (issue #16 item 5).

    "Contact me through this library" is offered only in a library assisted session, the
    only place where it works.
    """

    def name(self) -> str:
        """Registered name."""
        return "action_ask_handoff_method"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Offer post and calling in, and the library when staff there are helping."""
        assisted = is_assisted(tracker)
        dispatcher.utter_message(
            response=responses.ASK_HANDOFF_METHOD_ASSISTED
            if assisted
            else responses.ASK_HANDOFF_METHOD
        )
        return []


class Delivery(str, Enum):
    """What became of something sent to the triage queue."""

    SENT = "sent"
    #: The queue could not be reached: the outbox sends it when it is back.
    HELD = "held"
    #: The queue refused it: kept as failed, with the reason, on the staff's list of
    #: undelivered items. The resident must not be told it will be sent.
    REFUSED = "refused"


#: The record's fields an addition carries: the keys of its wire format.
ADDITION_FIELDS = tuple(TriageAddition.__annotations__)


def addition_from(record: TriageRecord) -> TriageAddition:
    """The body that adds a rebuilt record to the open one (its contact only when given)."""
    body = {
        key: record[key]  # type: ignore[literal-required]  # keys of the record's own shape
        for key in ADDITION_FIELDS
        if key in record
    }
    if body.get("contact") is None:
        body.pop("contact", None)
    return cast(TriageAddition, body)


def _keep(kind: str, payload: dict[str, Any], reference: str, reason: str | None) -> None:
    """Keep an item the queue did not take: held for the outbox, or failed with ``reason``."""
    outbox = deps.outbox()
    key = reference if kind == TRIAGE_RECORD else None
    held = outbox.hold(kind, payload, reference=key, group=reference)
    if reason is not None:
        outbox.mark_failed(held, 1, reason)


async def _send(payload: dict[str, Any], reference: str) -> Delivery:
    """Send a new record to the triage queue, or keep it in the outbox; what became of it."""
    flight = track(TRIAGE_RECORD, payload, reference)  # kept by the failsafe on any failure
    try:
        await deps.triage().create(payload)
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
    _keep(TRIAGE_RECORD, payload, reference, reason)
    flight.settle(reference)
    return delivery


#: What :func:`file_case` did: opened a record, opened one held in the outbox, added to
#: the open one (now or held behind it), or nothing, because the queue refused it.
CREATED, HELD, ADDED, REFUSED = "created", "held", "added", "refused"
#: Refusals that mean the open case cannot take more: resolved (409) or gone (403, 404).
CLOSED_CASE = frozenset({403, 404, 409})


async def _add(reference: str, record: TriageRecord) -> Delivery | None:
    """Add to the open case: what became of it, or None when the case is closed.

    An addition to a record still waiting in the outbox goes behind it, never before: the
    queue would refuse it for a record it does not have yet.
    """
    body = addition_from(record)
    payload = {**body, "reference": reference}
    flight = track(TRIAGE_ADDITION, payload, None)
    outbox = deps.outbox()
    waiting = outbox.undelivered(reference)
    if waiting is not None:
        held = outbox.hold(TRIAGE_ADDITION, payload, group=reference)
        if waiting == FAILED:
            outbox.mark_failed(held, 0, BEHIND_FAILED.format(blocker=reference))
        flight.settle(reference)
        logger.warning("addition held behind its record", extra={"reference": reference})
        return Delivery.REFUSED if waiting == FAILED else Delivery.HELD
    reason = None
    try:
        await deps.triage().add(reference, body)
        flight.settle(reference)
        return Delivery.SENT
    except TriageRejected as error:
        if error.status in CLOSED_CASE:
            flight.settle(reference)
            logger.info("open case closed; opening another", extra={"reference": reference})
            return None
        logger.error("triage queue refused an addition", extra={"reference": reference})
        reason = str(error) or type(error).__name__
    except TriageUnavailable as error:
        logger.warning("triage queue unavailable; addition held", extra={"error": str(error)})
    except TriageError as error:
        logger.error("triage queue refused an addition", extra={"reference": reference})
        reason = str(error) or type(error).__name__
    _keep(TRIAGE_ADDITION, payload, reference, reason)
    flight.settle(reference)
    return Delivery.REFUSED if reason is not None else Delivery.HELD


async def file_case(tracker: Tracker, record: TriageRecord) -> tuple[str, str]:
    """Add ``record`` to the conversation's open case, or open it as a new case.

    Args:
        tracker: the conversation (its ``triage_reference`` slot is the open case).
        record: the record rebuilt from the whole conversation, with a fresh reference.

    Returns:
        The case's reference, and :data:`ADDED`, :data:`CREATED`, :data:`HELD` or
        :data:`REFUSED`.
    """
    open_case = tracker.get_slot(slots.TRIAGE_REFERENCE)
    if open_case:
        added = await _add(open_case, record)
        if added is not None:
            return open_case, REFUSED if added is Delivery.REFUSED else ADDED
    reference = record["reference"]
    delivery = await _send(record, reference)
    outcome = {Delivery.SENT: CREATED, Delivery.HELD: HELD, Delivery.REFUSED: REFUSED}
    return reference, outcome[delivery]


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


async def file_journey_case(
    dispatcher: CollectingDispatcher, tracker: Tracker, journey: str, *, recorded: str, held: str
) -> list[EventType]:
    """File a journey's case for staff (or join the open one) and say what became of it.

    Args:
        dispatcher: where the reply goes.
        tracker: the conversation.
        journey: a key of the ``journeys`` section of ``kb/triage/rules.yml``.
        recorded: the response when staff have it now (or it joined the open case).
        held: the response when it waits in the outbox for the queue to come back.

    Returns:
        The slots to set: the case's reference and its response time.
    """
    record = journey_record(build_record(tracker, new_reference(), urgent=False), journey)
    reference, outcome = await file_case(tracker, record)
    response_time = deps.triage_rules().response_time(record["priority"])
    if outcome == REFUSED:
        say_refused(dispatcher, tracker, reference)
    else:
        dispatcher.utter_message(
            response=held if outcome == HELD else recorded,
            triage_reference=reference,
            triage_reference_spoken=spell_out(reference),
            response_time=response_time,
        )
    logger.info(
        "journey case",
        extra={"reference": reference, "priority": record["priority"], "outcome": outcome},
    )
    return [
        SlotSet(slots.TRIAGE_REFERENCE, reference),
        SlotSet(slots.RESPONSE_TIME, response_time),
    ]


def _reset_handoff() -> list[EventType]:
    """Ready for the next request; the contact details stay with the open case."""
    return [SlotSet(slots.HANDOFF_NEED, None), SlotSet(slots.TRIAGE_URGENT, False)]


#: Flags that mean the resident may be at risk from someone at home: the web chat then
#: shows GOV.UK's "Exit this page" (issue #18).
EXIT_PAGE_FLAGS = frozenset({"domestic_abuse", "forced_marriage", "risk_of_harm"})
#: The custom payload that tells the web chat to show it (``chat_relay.EXIT_PAGE_MARKER``).
EXIT_PAGE_MARKER = "exit_this_page"


def exit_page_marker(tracker: Tracker) -> dict[str, bool] | None:
    """The marker for the crisis reply when what the resident wrote shows risk from others."""
    flags = deps.triage_rules().flags_in(resident_texts(tracker.events))
    if any(flag.name in EXIT_PAGE_FLAGS for flag in flags):
        return {EXIT_PAGE_MARKER: True}
    return None


class ActionUrgentHelp(FailSafe, Action):
    """Safety information first, then a priority-1 case at once, with no questions.

    With a case already open in the conversation, the urgent message is added to it (its
    priority rises to 1): one conversation, one open record.
    """

    failure_kept_response = responses.ACTION_FAILED_URGENT
    keep_as = "safeguarding"
    keep_priority = 1

    def name(self) -> str:
        """Registered name."""
        return "action_urgent_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Give the crisis numbers, open (or raise) the urgent case; the form offers contact."""
        lines = deps.safety_lines()
        council = deps.profile()
        dispatcher.utter_message(
            response=responses.URGENT_HELP,
            # Sent after the text by the REST channel; the phone line drops it.
            json_message=exit_page_marker(tracker),
            emergency_phone=lines["emergency"]["phone"],
            emergency_phone_spoken=lines["emergency"]["phone_spoken"],
            samaritans_phone=lines["samaritans"]["phone"],
            samaritans_phone_spoken=lines["samaritans"]["phone_spoken"],
            domestic_abuse_phone=lines["domestic_abuse"]["phone"],
            domestic_abuse_phone_spoken=lines["domestic_abuse"]["phone_spoken"],
            emergency_housing_phone=council.emergency_phone,
        )
        record = build_record(tracker, new_reference(), urgent=True)
        # The crisis text just given is not in the tracker yet: the record holds it too.
        record["transcript"] += said_lines(
            dispatcher.messages,
            domain,
            tracker.get_latest_input_channel(),
            tracker.current_slot_values(),
        )
        reference, outcome = await file_case(tracker, record)
        logger.info("urgent triage case", extra={"reference": reference, "outcome": outcome})
        if outcome == REFUSED:
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
    """Opens the triage case, or adds to the one already open in this conversation."""

    keep_as = "other"

    def name(self) -> str:
        """Registered name."""
        return "action_create_triage"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the case, read the reference back, say what happens next.

        The conversation stays live: the resident can ask about anything else while staff
        have the case, and anything more about it joins the same record.
        """
        rules = deps.triage_rules()
        open_case = tracker.get_slot(slots.TRIAGE_REFERENCE)
        if tracker.get_slot(slots.TRIAGE_URGENT) and open_case:
            # Urgent help opened (or raised) the case already; the form offered contact.
            response_time = rules.response_time(1)
            if _contact(tracker):
                record = build_record(tracker, new_reference(), urgent=True)
                reference, outcome = await file_case(tracker, record)
                if outcome == REFUSED:
                    say_refused(dispatcher, tracker, reference)
                else:
                    dispatcher.utter_message(
                        response=_created_response(tracker, responses.HANDOFF_CONTACT_ADDED),
                        triage_reference=reference,
                        triage_reference_spoken=spell_out(reference),
                        response_time=response_time,
                    )
                return [
                    *_reset_handoff(),
                    SlotSet(slots.TRIAGE_REFERENCE, reference),
                    SlotSet(slots.RESPONSE_TIME, response_time),
                    *offer_pending(tracker),
                ]
            # No contact wanted: say so, rather than leave the "no" unanswered.
            dispatcher.utter_message(response=responses.HANDOFF_CONTACT_SKIPPED)
            return [
                *_reset_handoff(),
                SlotSet(slots.RESPONSE_TIME, response_time),
                *offer_pending(tracker),
            ]

        record = build_record(tracker, new_reference(), urgent=False)
        reference, outcome = await file_case(tracker, record)
        response_time = rules.response_time(record["priority"])
        if outcome == REFUSED:
            say_refused(dispatcher, tracker, reference)
        else:
            said = {
                ADDED: responses.HANDOFF_CASE_OPEN,
                CREATED: _created_response(tracker, responses.HANDOFF_CREATED),
                HELD: responses.HANDOFF_CREATED_HELD,
            }[outcome]
            dispatcher.utter_message(
                response=said,
                triage_reference=reference,
                triage_reference_spoken=spell_out(reference),
                response_time=response_time,
            )
        logger.info(
            "triage case",
            extra={"reference": reference, "priority": record["priority"], "outcome": outcome},
        )
        return [
            *_reset_handoff(),
            SlotSet(slots.TRIAGE_REFERENCE, reference),
            SlotSet(slots.RESPONSE_TIME, response_time),
            *offer_pending(tracker),
        ]
