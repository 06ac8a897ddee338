"""Report a street problem: the form's validation and the submission to the CRM."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.assisted import is_assisted
from actions.common.forms import yes_no
from actions.common.locations import LocationResult, find_duplicate, resolve_location
from actions.common.validators import (
    CANCELLED,
    clean_description,
    parse_change_field,
    parse_contact,
)
from integrations.open311 import NewServiceRequest, Open311Error
from integrations.open311.errors import Open311Unavailable
from integrations.outbox.worker import OPEN311_REQUEST

logger = logging.getLogger(__name__)

#: After this many places that could not be found, offer a person.
LOCATION_ATTEMPTS_BEFORE_PERSON = 2


class ValidateReportForm(FormValidationAction):
    """Checks each answer of ``report_form`` and decides which questions remain."""

    def name(self) -> str:
        """Registered name."""
        return "validate_report_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """The questions still to ask, which depend on the answers so far."""
        required = [slots.PROBLEM_TYPE, slots.LOCATION]
        if tracker.get_slot(slots.DUPLICATE_OF):
            required.append(slots.FOLLOW_EXISTING)
            if tracker.get_slot(slots.FOLLOW_EXISTING) is True:
                return required
        required += [slots.DESCRIPTION, slots.DANGEROUS, slots.CONTACT_CONSENT]
        if tracker.get_slot(slots.CONTACT_CONSENT) is True:
            required.append(slots.CONTACT)
        required.append(slots.CONFIRM_REPORT)
        if tracker.get_slot(slots.CONFIRM_REPORT) is False:
            required.append(slots.CHANGE_FIELD)
        return required

    async def validate_problem_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept a problem the council handles and remember its plain-English label."""
        category = deps.profile().problem(str(value)) if value else None
        if category is None:
            return {slots.PROBLEM_TYPE: None}
        return {
            slots.PROBLEM_TYPE: category.problem_type,
            slots.PROBLEM_LABEL: category.label,
            # A new category means any duplicate found before no longer applies.
            slots.DUPLICATE_OF: None,
            slots.FOLLOW_EXISTING: None,
        }

    async def validate_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Locate a postcode (inside the council's area) or accept a street and landmark."""
        result: LocationResult = resolve_location(str(value or ""), deps.profile())
        if not result.ok:
            attempts = (tracker.get_slot(slots.LOCATION_ATTEMPTS) or 0) + int(
                result.counts_as_failure
            )
            dispatcher.utter_message(response=result.problem_response, **result.template_vars)
            if attempts >= LOCATION_ATTEMPTS_BEFORE_PERSON and result.counts_as_failure:
                dispatcher.utter_message(response=responses.OFFER_PERSON)
            return {
                slots.LOCATION: None,
                slots.LOCATION_ATTEMPTS: attempts,
                slots.LOCATION_POSTCODE: result.postcode,
            }
        events = {
            slots.LOCATION: result.display,
            slots.LOCATION_POSTCODE: result.postcode,
            slots.LOCATION_LAT: result.lat,
            slots.LOCATION_LONG: result.long,
            slots.LOCATION_ATTEMPTS: 0,
            slots.DUPLICATE_OF: None,
            slots.DUPLICATE_DISTANCE: None,
            slots.FOLLOW_EXISTING: None,
        }
        category = deps.profile().problem(tracker.get_slot(slots.PROBLEM_TYPE) or "")
        if category and result.lat is not None and result.long is not None:
            duplicate = await find_duplicate(
                deps.open311(), category.service_code, result.lat, result.long
            )
            if duplicate is not None:
                events[slots.DUPLICATE_OF] = duplicate.service_request_id
                events[slots.DUPLICATE_DISTANCE] = duplicate.distance_m
        return events

    async def validate_follow_existing(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes: follow the existing report. No: carry on with a new one."""
        return yes_no(slots.FOLLOW_EXISTING, value, dispatcher)

    async def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A few words that tell the team what they will find."""
        description = clean_description(value)
        if description is None:
            dispatcher.utter_message(response=responses.DESCRIPTION_EMPTY)
        return {slots.DESCRIPTION: description}

    async def validate_dangerous(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes or no."""
        return yes_no(slots.DANGEROUS, value, dispatcher)

    async def validate_contact_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes or no; saying no clears any details given before."""
        result = yes_no(slots.CONTACT_CONSENT, value, dispatcher)
        if result[slots.CONTACT_CONSENT] is False:
            result.update(
                {slots.CONTACT: None, slots.CONTACT_EMAIL: None, slots.CONTACT_PHONE: None}
            )
        return result

    async def validate_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An email address or a UK phone number."""
        parsed = parse_contact(str(value or ""))
        if parsed is None:
            dispatcher.utter_message(response=responses.CONTACT_NOT_VALID)
            return {slots.CONTACT: None}
        kind, contact = parsed
        return {
            slots.CONTACT: contact,
            slots.CONTACT_EMAIL: contact if kind == "email" else None,
            slots.CONTACT_PHONE: contact if kind == "phone" else None,
        }

    async def validate_confirm_report(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes sends the report; no asks what to change."""
        return yes_no(slots.CONFIRM_REPORT, value, dispatcher)

    async def validate_change_field(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Clear the answer the resident wants to change so the form asks it again."""
        field = parse_change_field(str(value or ""))
        if field is None:
            dispatcher.utter_message(response=responses.CHANGE_FIELD_NOT_UNDERSTOOD)
            return {slots.CHANGE_FIELD: None}
        if field == CANCELLED:
            return {slots.CHANGE_FIELD: CANCELLED, slots.CONFIRM_REPORT: CANCELLED}
        cleared: dict[str, Any] = {
            field: None,
            slots.CHANGE_FIELD: None,
            slots.CONFIRM_REPORT: None,
        }
        if field == slots.LOCATION:
            cleared.update({slots.DUPLICATE_OF: None, slots.FOLLOW_EXISTING: None})
        if field == slots.CONTACT_CONSENT:
            cleared.update(
                {slots.CONTACT: None, slots.CONTACT_EMAIL: None, slots.CONTACT_PHONE: None}
            )
        return cleared


def build_request(tracker: Tracker) -> NewServiceRequest:
    """The Open311 request for the answers in the tracker."""
    category = deps.profile().problem(tracker.get_slot(slots.PROBLEM_TYPE) or "")
    if category is None:
        raise ValueError("report form finished without a known problem type")
    dangerous = tracker.get_slot(slots.DANGEROUS) is True
    lat = tracker.get_slot(slots.LOCATION_LAT)
    long = tracker.get_slot(slots.LOCATION_LONG)
    return NewServiceRequest(
        service_code=category.service_code,
        description=tracker.get_slot(slots.DESCRIPTION) or "",
        lat=lat,
        long=long,
        address_string=tracker.get_slot(slots.LOCATION),
        email=tracker.get_slot(slots.CONTACT_EMAIL),
        phone=tracker.get_slot(slots.CONTACT_PHONE),
        attributes={
            "hazard": "yes" if dangerous else "no",
            # Only in a library assisted session (issue #6): staff can see who helped.
            **({"assisted": "yes"} if is_assisted(tracker) else {}),
        },
    )


def reset_report_slots() -> list[EventType]:
    """Forget the answers once the report is sent (or not), keeping the reference."""
    return [SlotSet(name, None) for name in slots.REPORT_FORM_SLOTS] + [
        SlotSet(slots.LOCATION_ATTEMPTS, 0)
    ]


class ActionSubmitReport(Action):
    """Sends the finished report to the CRM, or holds it in the outbox if the CRM is down."""

    def name(self) -> str:
        """Registered name."""
        return "action_submit_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Submit, follow an existing report, or drop a cancelled one."""
        if tracker.get_slot(slots.FOLLOW_EXISTING) is True:
            dispatcher.utter_message(
                response=responses.FOLLOWING_EXISTING,
                duplicate_of=tracker.get_slot(slots.DUPLICATE_OF),
            )
            return reset_report_slots()
        if tracker.get_slot(slots.CONFIRM_REPORT) is not True:
            dispatcher.utter_message(response=responses.REPORT_NOT_SENT)
            return reset_report_slots()

        request = build_request(tracker)
        try:
            reference = await deps.open311().submit(request)
        except Open311Unavailable as error:
            reference = deps.outbox().hold(OPEN311_REQUEST, request.to_dict())
            logger.warning(
                "report held in outbox", extra={"reference": reference, "error": str(error)}
            )
            response = responses.REPORT_HELD
        except Open311Error as error:
            # Refused by the CRM: keep it for a person rather than lose it.
            reference = deps.outbox().hold(OPEN311_REQUEST, request.to_dict())
            deps.outbox().mark_failed(reference, 1, str(error))
            logger.error(
                "report refused by CRM; kept", extra={"reference": reference, "error": str(error)}
            )
            response = responses.REPORT_KEPT_FOR_REVIEW
        else:
            logger.info("report submitted", extra={"service_request_id": reference})
            response = responses.REPORT_SUBMITTED
        dispatcher.utter_message(response=response, report_reference=reference)
        return [*reset_report_slots(), SlotSet(slots.REPORT_REFERENCE, reference)]
