"""Check a report's status by reference: from the CRM, or from the outbox if held."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.failsafe import FailSafe
from actions.common.form_repair import StopAware
from bot.text import clean_number_text
from integrations.open311 import Open311NotFound, Open311Unavailable
from integrations.outbox.store import DELIVERED, HOLDING_PREFIX
from lib.references import find_references

logger = logging.getLogger(__name__)

#: After this many unreadable references, tell the resident who can look it up.
REFERENCE_ATTEMPTS = 3
#: Fills the slot when the resident could not give a reference, so the form ends.
NO_REFERENCE = "none"


class ValidateStatusForm(FailSafe, StopAware, FormValidationAction):
    """Checks that the resident gave something shaped like a reference."""

    def name(self) -> str:
        """Registered name."""
        return "validate_status_form"

    async def validate_status_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept ``SR-XXXXXX`` (CRM) or ``HR-XXXXXX`` (held) references in any case."""
        found = find_references(clean_number_text(str(value or "")))
        if found:
            return {slots.STATUS_REFERENCE: found[0].reference, slots.STATUS_ATTEMPTS: 0}
        attempts = (tracker.get_slot(slots.STATUS_ATTEMPTS) or 0) + 1
        if attempts >= REFERENCE_ATTEMPTS:
            dispatcher.utter_message(response=responses.REFERENCE_GIVE_UP)
            return {slots.STATUS_REFERENCE: NO_REFERENCE, slots.STATUS_ATTEMPTS: 0}
        dispatcher.utter_message(response=responses.REFERENCE_NOT_VALID)
        return {slots.STATUS_REFERENCE: None, slots.STATUS_ATTEMPTS: attempts}


class ActionCheckReportStatus(FailSafe, Action):
    """Tells the resident where their report has got to, in plain English."""

    def name(self) -> str:
        """Registered name."""
        return "action_check_report_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Look the reference up and answer."""
        reference = tracker.get_slot(slots.STATUS_REFERENCE)
        done = [SlotSet(slots.STATUS_REFERENCE, None)]
        if not reference or reference == NO_REFERENCE:
            return done
        if reference.startswith(f"{HOLDING_PREFIX}-"):
            held = deps.outbox().get(reference)
            if held is None:
                dispatcher.utter_message(
                    response=responses.STATUS_NOT_FOUND, status_reference=reference
                )
                return done
            if held.status != DELIVERED or not held.delivered_id:
                dispatcher.utter_message(
                    response=responses.STATUS_HELD_PENDING, status_reference=reference
                )
                return done
            dispatcher.utter_message(
                response=responses.STATUS_HELD_DELIVERED,
                status_reference=reference,
                report_reference=held.delivered_id,
            )
            reference = held.delivered_id
        try:
            report = await deps.open311().get_request(reference)
        except Open311NotFound:
            dispatcher.utter_message(
                response=responses.STATUS_NOT_FOUND, status_reference=reference
            )
            return done
        except Open311Unavailable as error:
            logger.warning("status check failed", extra={"error": str(error)})
            dispatcher.utter_message(response=responses.STATUS_UNAVAILABLE)
            return done
        category = deps.profile().problem_for_service(report.service_code)
        service = category.label if category else (report.service_name or "street")
        if report.is_open:
            response = (
                responses.STATUS_OPEN if report.status_notes else responses.STATUS_OPEN_NO_NOTES
            )
        else:
            response = (
                responses.STATUS_CLOSED if report.status_notes else responses.STATUS_CLOSED_NO_NOTES
            )
        dispatcher.utter_message(
            response=response,
            status_reference=report.service_request_id,
            status_service=service,
            status_notes=report.status_notes,
        )
        return done
