"""Report a street problem: the check screen and the submission to the CRM.

The form that collects the report is validated in ``actions/report_problem.py``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from pydantic import ValidationError
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.assisted import is_assisted
from actions.common.failsafe import FailSafe, track
from actions.common.pending_request import offer_pending
from bot.councils.profile import ProblemCategory
from integrations.open311 import NewServiceRequest, Open311Error
from integrations.open311.errors import Open311Unavailable
from integrations.outbox.kinds import OPEN311_REQUEST
from integrations.sms import SmsError, SmsMessage
from integrations.sms.models import uk_mobile_e164
from lib.redaction import redact
from lib.references import spell_out

logger = logging.getLogger(__name__)


def _answers(tracker: Tracker, category: ProblemCategory) -> dict[str, Any]:
    """The answers to the problem's questions, by question."""
    return {question: tracker.get_slot(question) for question in category.question_names}


def _redacted(text: str | None) -> str | None:
    return redact(text) if text else text


def build_request(tracker: Tracker) -> NewServiceRequest:
    """The Open311 request for the answers in the tracker.

    The description and location are published by Open311, so they are redacted here,
    before the request is sent or held in the outbox.
    """
    category = deps.profile().problem(tracker.get_slot(slots.PROBLEM_TYPE) or "")
    if category is None:
        raise ValueError("report form finished without a known problem type")
    dangerous = tracker.get_slot(slots.DANGEROUS) is True
    lat = tracker.get_slot(slots.LOCATION_LAT)
    long = tracker.get_slot(slots.LOCATION_LONG)
    return NewServiceRequest(
        # One key for every attempt to send this report, held or not: no duplicates.
        idempotency_key=uuid.uuid4().hex,
        service_code=category.service_code,
        description=redact(tracker.get_slot(slots.DESCRIPTION) or ""),
        lat=lat,
        long=long,
        address_string=_redacted(tracker.get_slot(slots.LOCATION)),
        email=tracker.get_slot(slots.CONTACT_EMAIL),
        phone=tracker.get_slot(slots.CONTACT_PHONE),
        attributes={
            "hazard": "yes" if dangerous else "no",
            **deps.report_questions().attributes(category, _answers(tracker, category)),
            # Only in a library assisted session (issue #6): staff can see who helped.
            **({"assisted": "yes"} if is_assisted(tracker) else {}),
        },
    )


def reset_report_slots() -> list[EventType]:
    """Forget the answers once the report is sent (or not), keeping the reference."""
    return (
        [SlotSet(name, None) for name in slots.REPORT_FORM_SLOTS]
        + [SlotSet(question, None) for question in deps.report_questions()]
        + [SlotSet(slots.LOCATION_ATTEMPTS, 0)]
    )


def answer_labels(tracker: Tracker, category: ProblemCategory) -> str | None:
    """The answers to the problem's questions as the check screen shows them, or None."""
    questions = deps.report_questions()
    labels = [
        label
        for name, value in _answers(tracker, category).items()
        if value not in (None, "") and (label := questions.questions[name].label(str(value)))
    ]
    return questions.separator.join(labels) or None


def contact_line(tracker: Tracker) -> tuple[str, dict[str, Any]]:
    """The check screen's contact line: the details given with consent, or none given."""
    phone = tracker.get_slot(slots.CONTACT_PHONE)
    email = tracker.get_slot(slots.CONTACT_EMAIL)
    if tracker.get_slot(slots.CONTACT_CONSENT) is True and phone:
        return responses.CHECK_REPORT_CONTACT_PHONE, {
            "contact_phone": phone,
            "contact_phone_spoken": spell_out(phone),
        }
    if tracker.get_slot(slots.CONTACT_CONSENT) is True and email:
        return responses.CHECK_REPORT_CONTACT_EMAIL, {"contact_email": email}
    return responses.CHECK_REPORT_NO_CONTACT, {}


class ActionAskConfirmReport(FailSafe, Action):
    """Shows the report to check before it is sent: one line per answer (issue #16 item 7).

    GOV.UK "check your answers" style: the problem, the answers about it, the place, the
    description, whether it is dangerous and the contact details, each its own line
    (a short sentence on the phone line), then "Is this right?".
    """

    def name(self) -> str:
        """Registered name."""
        return "action_ask_confirm_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Show each answer on its own line, then ask whether it is right."""
        category = deps.profile().problem(tracker.get_slot(slots.PROBLEM_TYPE) or "")
        label = category.label if category else tracker.get_slot(slots.PROBLEM_LABEL)
        dispatcher.utter_message(response=responses.CHECK_REPORT_HEADING)
        dispatcher.utter_message(response=responses.CHECK_REPORT_PROBLEM, problem_label=label)
        answers = answer_labels(tracker, category) if category else None
        if answers:
            dispatcher.utter_message(
                response=responses.CHECK_REPORT_ANSWERS, report_answers=answers
            )
        dispatcher.utter_message(
            response=responses.CHECK_REPORT_PLACE, location=tracker.get_slot(slots.LOCATION)
        )
        dispatcher.utter_message(
            response=responses.CHECK_REPORT_DESCRIPTION,
            description=tracker.get_slot(slots.DESCRIPTION),
        )
        dangerous = tracker.get_slot(slots.DANGEROUS) is True
        dispatcher.utter_message(
            response=responses.CHECK_REPORT_DANGER_YES
            if dangerous
            else responses.CHECK_REPORT_DANGER_NO
        )
        contact_response, contact_values = contact_line(tracker)
        dispatcher.utter_message(response=contact_response, **contact_values)
        dispatcher.utter_message(response=responses.ASK_CONFIRM_REPORT)
        return []


class ActionSubmitReport(FailSafe, Action):
    """Sends the finished report to the CRM, or holds it in the outbox if the CRM is down."""

    keep_as = "street"

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
            return [*reset_report_slots(), *offer_pending(tracker)]
        if tracker.get_slot(slots.CONFIRM_REPORT) is not True:
            dispatcher.utter_message(response=responses.REPORT_NOT_SENT)
            return [*reset_report_slots(), *offer_pending(tracker)]

        request = build_request(tracker)
        flight = track(OPEN311_REQUEST, request.to_dict())  # kept by the failsafe if need be
        submitted = False
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
            submitted = True
        flight.settle(reference)
        dispatcher.utter_message(response=response, report_reference=reference)
        if submitted:
            notice = await service_notice(reference)
            if notice:
                dispatcher.utter_message(response=responses.REPORT_NEXT, service_notice=notice)
        await say_follow_up(dispatcher, tracker, domain, reference)
        return [
            *reset_report_slots(),
            SlotSet(slots.REPORT_REFERENCE, reference),
            *offer_pending(tracker),
        ]


async def service_notice(reference: str) -> str | None:
    """What happens next, in the Open311 service's own words (its ``service_notice``)."""
    try:
        sent = await deps.open311().get_request(reference)
    except Open311Error as error:
        logger.warning("service notice not read", extra={"error": str(error)})
        return None
    return sent.service_notice.strip() or None


async def say_follow_up(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, reference: str
) -> None:
    """How the resident hears about the report: as they chose, or how to check on it.

    A text with the reference goes only to a mobile number given with consent, and is
    mentioned only once the gateway took it; nothing promises contact that was not taken.
    """
    consent = tracker.get_slot(slots.CONTACT_CONSENT) is True
    phone = tracker.get_slot(slots.CONTACT_PHONE) if consent else None
    email = tracker.get_slot(slots.CONTACT_EMAIL) if consent else None
    values = {
        "report_reference": reference,
        "report_reference_spoken": spell_out(reference),
    }
    if phone and await text_reference(tracker, domain, phone, reference):
        dispatcher.utter_message(response=responses.REPORT_TEXT_SENT, contact_phone=phone, **values)
    elif phone:
        dispatcher.utter_message(response=responses.REPORT_FOLLOW_UP_PHONE, **values)
    elif email:
        dispatcher.utter_message(
            response=responses.REPORT_FOLLOW_UP_EMAIL, contact_email=email, **values
        )
    else:
        dispatcher.utter_message(response=responses.REPORT_FOLLOW_UP_NONE, **values)


async def text_reference(tracker: Tracker, domain: DomainDict, phone: str, reference: str) -> bool:
    """Text the report's reference to a UK mobile; whether the gateway took it."""
    if uk_mobile_e164(phone) is None:
        return False
    variants = (domain.get("responses") or {}).get(responses.SMS_REPORT_REFERENCE) or []
    plain = [variant for variant in variants if not variant.get("channel")]
    if not plain:
        return False
    body = str(plain[0].get("text", "")).format(
        report_reference=reference,
        council_name=tracker.get_slot(slots.COUNCIL_NAME) or deps.profile().name,
    )
    try:
        message = SmsMessage(to=phone, body=body, conversation_id=tracker.sender_id)
        await asyncio.to_thread(deps.sms().send, message)
    except (SmsError, ValidationError) as error:
        logger.warning("reference text not sent", extra={"error": str(error)})
        return False
    return True
