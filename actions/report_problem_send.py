"""Report a street problem: the check screen and the submission to the CRM.

The form that collects the report is validated in ``actions/report_problem.py``.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

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
from integrations.outbox.worker import OPEN311_REQUEST
from lib.redaction import redact

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


class ActionAskConfirmReport(FailSafe, Action):
    """Shows the report to check before it is sent, with the answers about the problem."""

    def name(self) -> str:
        """Registered name."""
        return "action_ask_confirm_report"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask to confirm, naming the problem as "litter (a full litter bin)"."""
        category = deps.profile().problem(tracker.get_slot(slots.PROBLEM_TYPE) or "")
        summary = (
            deps.report_questions().summary_of(category, _answers(tracker, category))
            if category is not None
            else tracker.get_slot(slots.PROBLEM_LABEL)
        )
        dispatcher.utter_message(response=responses.ASK_CONFIRM_REPORT, problem_summary=summary)
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
        flight.settle(reference)
        dispatcher.utter_message(response=response, report_reference=reference)
        return [
            *reset_report_slots(),
            SlotSet(slots.REPORT_REFERENCE, reference),
            *offer_pending(tracker),
        ]
