"""Broadband vouchers: the eligibility check and, for eligible businesses, the application.

The rules (how many staff, how slow, how much) are facts in ``kb/facts/broadband.yml``; the
form stops at the first rule the business does not meet and the outcome names that rule.
Residents are told what help exists for them instead.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.applicant_words import RemembersApplicant
from actions.common.failsafe import FailSafe
from actions.common.form_repair import StopAware
from actions.common.form_skip import SkipAware
from actions.common.forms import yes_no
from actions.common.next_steps import say_next_steps
from actions.common.pending_request import offer_pending
from actions.common.validators import UNKNOWN
from actions.common.validators import parse_number as parse_any_number
from bot.content.knowledge import ServiceKnowledge
from bot.text import clean_number_text, clean_text
from integrations.crm import CrmError
from integrations.crm.models import ApplicationRequest
from lib.postcodes.errors import PostcodeDataUnavailable, PostcodeNotFound
from lib.postcodes.normalise import find_postcodes
from lib.references import spell_out

logger = logging.getLogger(__name__)

# Outcomes, in the order the rules are checked.
RESIDENT = "resident"
TOO_MANY_STAFF = "too_many_staff"
OUTSIDE_AREA = "outside_area"
FAST_ENOUGH = "fast_enough"
BUILD_PLANNED = "build_planned"
SPEED_UNKNOWN = "speed_unknown"
ELIGIBLE = "eligible"

OUTCOME_RESPONSES = {
    RESIDENT: responses.BB_FOR_RESIDENTS,
    TOO_MANY_STAFF: responses.BB_TOO_MANY_STAFF,
    OUTSIDE_AREA: responses.BB_OUTSIDE_AREA,
    FAST_ENOUGH: responses.BB_FAST_ENOUGH,
    BUILD_PLANNED: responses.BB_BUILD_PLANNED,
    SPEED_UNKNOWN: responses.BB_SPEED_UNKNOWN,
}
#: The step of ``kb/next_steps.yml`` said after the application's reference.
NEXT_STEP = "broadband_application"
_BUSINESS = re.compile(
    r"\b(business|company|firm|shop|office|work|sole trader|self[- ]employed|ltd)\b", re.I
)
_HOME = re.compile(r"\b(home|house|flat|me|myself|personal|resident|household)\b", re.I)
#: Answers to "how many people" that are a number without one.
_ONE_PERSON = re.compile(r"\b(just|only) (me|myself)\b|^me$|^myself$", re.I)


def parse_applicant(text: str) -> str | None:
    """``business`` or ``resident`` from the resident's answer, or None."""
    cleaned = clean_text(text, 200)
    if _BUSINESS.search(cleaned):
        return "business"
    if _HOME.search(cleaned):
        return RESIDENT
    return None


def parse_number(text: str) -> float | None:
    """The first number in the answer: "10", "about 10", "10 mbps", "ten", "just me" (1)."""
    if _ONE_PERSON.search(clean_text(text, 100).strip()):
        return 1.0
    return parse_any_number(text)


def staff_outcome(staff: int, knowledge: ServiceKnowledge) -> str | None:
    """TOO_MANY_STAFF above the scheme's limit, else None (carry on)."""
    return TOO_MANY_STAFF if staff > int(knowledge.fact("max_staff")) else None


def speed_outcome(mbps: float, knowledge: ServiceKnowledge) -> str | None:
    """FAST_ENOUGH at or above the scheme's threshold, else None (carry on)."""
    return FAST_ENOUGH if mbps >= float(knowledge.fact("slow_speed_mbps")) else None


class ValidateBroadbandForm(
    FailSafe, StopAware, SkipAware, RemembersApplicant, FormValidationAction
):
    """Asks one rule at a time and stops at the first the business does not meet.

    "I don't know" the speed ends the check with how to find it out (the vouchers depend on
    it, and the council's system takes no application without it); "I don't know" about a
    planned build counts as no, as its button says. The other answers are needed: "I don't
    know" gets why, and the offer of a person.
    """

    skippable = {slots.BB_SPEED: None, slots.BB_BUILD_PLANNED: None}
    required_because = {
        slots.BB_APPLICANT: responses.BB_APPLICANT_REQUIRED,
        slots.BB_STAFF: responses.BB_STAFF_REQUIRED,
        slots.BB_POSTCODE: responses.BB_POSTCODE_REQUIRED,
        slots.BB_BUSINESS_NAME: responses.BB_BUSINESS_NAME_REQUIRED,
        slots.BB_CONFIRM: responses.BB_CONFIRM_REQUIRED,
    }

    def skipped(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """An unknown speed ends the check; an unknown build plan counts as none planned."""
        if slot == slots.BB_SPEED:
            return {slots.BB_SPEED: UNKNOWN, slots.BB_OUTCOME: SPEED_UNKNOWN}
        dispatcher.utter_message(response=responses.BB_ELIGIBLE)
        return {slots.BB_BUILD_PLANNED: UNKNOWN, slots.BB_OUTCOME: ELIGIBLE}

    def name(self) -> str:
        """Registered name."""
        return "validate_broadband_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Nothing more once an outcome that ends the check is known."""
        outcome = tracker.get_slot(slots.BB_OUTCOME)
        if outcome and outcome != ELIGIBLE:
            return []
        return domain_slots

    async def validate_bb_applicant(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Business or home."""
        applicant = parse_applicant(str(value or ""))
        if applicant is None:
            dispatcher.utter_message(response=responses.BB_APPLICANT_NOT_UNDERSTOOD)
            return {slots.BB_APPLICANT: None}
        if applicant == RESIDENT:
            return {slots.BB_APPLICANT: applicant, slots.BB_OUTCOME: RESIDENT}
        return {slots.BB_APPLICANT: applicant}

    async def validate_bb_staff(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A whole number of people, at least one."""
        number = parse_number(str(value or ""))
        if number is None or number < 1 or number != int(number) or number > 1_000_000:
            dispatcher.utter_message(response=responses.BB_STAFF_NOT_VALID)
            return {slots.BB_STAFF: None}
        outcome = staff_outcome(int(number), deps.knowledge("broadband"))
        return {slots.BB_STAFF: int(number), **({slots.BB_OUTCOME: outcome} if outcome else {})}

    async def validate_bb_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A full postcode; outside the council's area ends the check."""
        found = find_postcodes(clean_number_text(str(value or ""), 100))
        if not found:
            dispatcher.utter_message(response=responses.CT_POSTCODE_NOT_VALID)
            return {slots.BB_POSTCODE: None}
        postcode = found[0].postcode
        try:
            place = deps.postcodes().lookup(postcode)
        except PostcodeNotFound:
            dispatcher.utter_message(
                response=responses.POSTCODE_NOT_FOUND, location_postcode=postcode
            )
            return {slots.BB_POSTCODE: None}
        except PostcodeDataUnavailable:
            # The council checks the address itself; the resident is not turned away.
            logger.error("postcode data unavailable; area not checked")
            return {slots.BB_POSTCODE: postcode}
        if not deps.profile().covers(place.local_authority_code):
            return {slots.BB_POSTCODE: postcode, slots.BB_OUTCOME: OUTSIDE_AREA}
        return {slots.BB_POSTCODE: postcode}

    async def validate_bb_speed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A speed in Mbps; at or above the threshold ends the check."""
        number = parse_number(str(value or ""))
        if number is None or number > 100_000:
            dispatcher.utter_message(response=responses.BB_SPEED_NOT_VALID)
            return {slots.BB_SPEED: None}
        outcome = speed_outcome(number, deps.knowledge("broadband"))
        return {slots.BB_SPEED: number, **({slots.BB_OUTCOME: outcome} if outcome else {})}

    async def validate_bb_build_planned(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes ends the check; no (or don't know) makes the business eligible."""
        text = clean_text(str(value or ""), 100).lower()
        if "know" in text or "not sure" in text or "unsure" in text:
            answer: bool | None = False
        else:
            answer = yes_no(slots.BB_BUILD_PLANNED, value, dispatcher)[slots.BB_BUILD_PLANNED]
        if answer is None:
            return {slots.BB_BUILD_PLANNED: None}
        if answer:
            return {slots.BB_BUILD_PLANNED: True, slots.BB_OUTCOME: BUILD_PLANNED}
        dispatcher.utter_message(response=responses.BB_ELIGIBLE)
        return {slots.BB_BUILD_PLANNED: False, slots.BB_OUTCOME: ELIGIBLE}

    async def validate_bb_business_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A name with some letters or digits."""
        name = clean_text(str(value or ""), 200).strip()
        if len(name) < 2 or name.startswith("/") or not any(ch.isalnum() for ch in name):
            dispatcher.utter_message(response=responses.BB_BUSINESS_NAME_NOT_VALID)
            return {slots.BB_BUSINESS_NAME: None}
        return {slots.BB_BUSINESS_NAME: name}

    async def validate_bb_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes or no before the application is sent."""
        return yes_no(slots.BB_CONFIRM, value, dispatcher)


class ActionBroadbandOutcome(FailSafe, Action):
    """Says why a business can't get a voucher, or sends the eligible business's application."""

    keep_as = "broadband"

    def name(self) -> str:
        """Registered name."""
        return "action_broadband_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Answer, then clear the form for another check."""
        reset = [
            *(SlotSet(slot, None) for slot in slots.BROADBAND_FORM_SLOTS),
            *offer_pending(tracker),
        ]
        outcome = tracker.get_slot(slots.BB_OUTCOME)
        if outcome in OUTCOME_RESPONSES:
            knowledge = deps.knowledge("broadband")
            dispatcher.utter_message(
                response=OUTCOME_RESPONSES[outcome],
                bb_speed_test_url=knowledge.fact("speed_test_url"),
                bb_slow_speed=knowledge.facts["slow_speed_mbps"].text,
                bb_slow_speed_spoken=knowledge.facts["slow_speed_mbps"].voice,
            )
            return reset
        if outcome != ELIGIBLE or tracker.get_slot(slots.BB_CONFIRM) is not True:
            dispatcher.utter_message(response=responses.BB_APPLICATION_NOT_SENT)
            return reset
        application: ApplicationRequest = {
            "business_name": tracker.get_slot(slots.BB_BUSINESS_NAME),
            "postcode": tracker.get_slot(slots.BB_POSTCODE),
            "staff_count": int(tracker.get_slot(slots.BB_STAFF)),
            "current_speed_mbps": float(tracker.get_slot(slots.BB_SPEED)),
            "voucher_pounds": int(deps.knowledge("broadband").fact("voucher_max")),
            "conversation_id": tracker.sender_id,
        }
        try:
            created = await deps.crm().create_application(application)
        except CrmError as error:
            logger.warning("broadband application not sent", extra={"error": str(error)})
            dispatcher.utter_message(response=responses.BB_UNAVAILABLE)
            return reset
        dispatcher.utter_message(
            response=responses.BB_APPLICATION_SENT,
            bb_reference=created.reference,
            bb_business_name=application["business_name"],
            bb_reference_spoken=spell_out(created.reference),
        )
        say_next_steps(dispatcher, NEXT_STEP, created.reference)
        logger.info("broadband application", extra={"reference": created.reference})
        return [*reset, SlotSet(slots.BB_REFERENCE, created.reference)]
