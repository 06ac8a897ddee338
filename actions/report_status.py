"""Check the status of any Front Door reference in the system that issued it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.failsafe import FailSafe
from actions.common.form_repair import StopAware
from actions.common.form_skip import SkipAware
from actions.common.pending_request import offer_pending
from bot.text import clean_number_text
from integrations.crm.errors import CrmNotFound, CrmRejected, CrmUnavailable
from integrations.directory.errors import DirectoryRejected, DirectoryUnavailable
from integrations.open311 import Open311NotFound, Open311Unavailable
from integrations.outbox.store import DELIVERED
from integrations.triage.errors import TriageRejected, TriageUnavailable
from lib.references import find_references, normalise_reference, reference_kind

logger = logging.getLogger(__name__)

#: After this many unreadable references, tell the resident who can look it up.
REFERENCE_ATTEMPTS = 3
#: Fills the slot when the resident could not give a reference, so the form ends.
NO_REFERENCE = "none"


class ValidateStatusForm(FailSafe, StopAware, SkipAware, FormValidationAction):
    """Checks that the resident gave something shaped like a reference.

    "I don't know my reference" says where to find it, then offers a person.
    """

    required_because = {slots.STATUS_REFERENCE: responses.STATUS_REFERENCE_REQUIRED}
    #: Misreadings are counted here (three, then the council's number), not by the mixin.
    counted_elsewhere = frozenset({slots.STATUS_REFERENCE})

    def name(self) -> str:
        """Registered name."""
        return "validate_status_form"

    async def validate_status_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept a reference of any kind (``lib.references``), in any case."""
        found = find_references(clean_number_text(str(value or "")))
        if found:
            return {slots.STATUS_REFERENCE: found[0].reference, slots.STATUS_ATTEMPTS: 0}
        attempts = (tracker.get_slot(slots.STATUS_ATTEMPTS) or 0) + 1
        if attempts >= REFERENCE_ATTEMPTS:
            dispatcher.utter_message(response=responses.REFERENCE_GIVE_UP)
            return {slots.STATUS_REFERENCE: NO_REFERENCE, slots.STATUS_ATTEMPTS: 0}
        dispatcher.utter_message(response=responses.REFERENCE_NOT_VALID)
        return {slots.STATUS_REFERENCE: None, slots.STATUS_ATTEMPTS: attempts}


#: At most this many references are offered as buttons (the newest).
MAX_REFERENCE_BUTTONS = 5
#: Slots holding references this conversation issued, offered as buttons when asked.
ISSUED_REFERENCE_SLOTS = (
    slots.REPORT_REFERENCE,
    slots.TRIAGE_REFERENCE,
    slots.BOOKING_REFERENCE,
    slots.CT_CASE_REFERENCE,
    slots.BB_REFERENCE,
)


def issued_references(tracker: Tracker) -> list[str]:
    """The references given to the resident in this conversation, newest first, canonical.

    Read from every time a reference slot was set in this session, not only its value
    now: a second report replaces the first's slot, but the resident may ask about either.
    """
    found: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") in ("session_started", "restart"):
            break
        if event.get("event") != "slot" or event.get("name") not in ISSUED_REFERENCE_SLOTS:
            continue
        reference = normalise_reference(event.get("value"))
        if reference and reference not in found:
            found.append(reference)
    for name in ISSUED_REFERENCE_SLOTS:
        # A slot set by the session's own start (carried over) has no event here.
        reference = normalise_reference(tracker.get_slot(name))
        if reference and reference not in found:
            found.append(reference)
    return found[:MAX_REFERENCE_BUTTONS]


class ActionAskStatusReference(FailSafe, Action):
    """Asks for the reference, offering those issued in this conversation as buttons."""

    def name(self) -> str:
        """Registered name."""
        return "action_ask_status_reference"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask; each button sends the status intent with its reference."""
        buttons = [
            {"title": reference, "payload": f'/check_report_status{{"reference":"{reference}"}}'}
            for reference in issued_references(tracker)
        ]
        if buttons:
            dispatcher.utter_message(response=responses.ASK_STATUS_REFERENCE, buttons=buttons)
        else:
            dispatcher.utter_message(response=responses.ASK_STATUS_REFERENCE)
        return []


class ActionCheckReportStatus(FailSafe, Action):
    """Tells the resident where their report, case or booking has got to, in plain English.

    Each kind of reference is looked up in the system that issued it (``lib.references``):
    SR in Open311, HR in the outbox, FD in the triage queue, PC in the directory's bookings,
    CT and BB in the CRM. "Not found" is only said after asking the right system.
    """

    def name(self) -> str:
        """Registered name."""
        return "action_check_report_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Look the reference up and answer."""
        reference = tracker.get_slot(slots.STATUS_REFERENCE)
        done = [SlotSet(slots.STATUS_REFERENCE, None), *offer_pending(tracker)]
        if not reference or reference == NO_REFERENCE:
            return done
        kind = reference_kind(reference)
        if kind == "held_report":
            reference = self._held(dispatcher, reference)
            if reference is None:
                return done
            kind = "street_report"
        if kind == "street_report":
            await self._street_report(dispatcher, reference)
            return done
        lookup = _LOOKUPS.get(kind or "")
        if lookup is None:
            dispatcher.utter_message(
                response=responses.STATUS_NOT_FOUND, status_reference=reference
            )
            return done
        try:
            status = await lookup(reference)
        except _NOT_FOUND:
            dispatcher.utter_message(
                response=responses.STATUS_NOT_FOUND, status_reference=reference
            )
            return done
        except _UNAVAILABLE as error:
            logger.warning("status check failed", extra={"kind": kind, "error": str(error)})
            dispatcher.utter_message(response=responses.STATUS_UNAVAILABLE)
            return done
        _say(dispatcher, kind, reference, status)
        return done

    @staticmethod
    def _held(dispatcher: CollectingDispatcher, reference: str) -> str | None:
        """Answer for a held report; the council reference to look up next, if delivered."""
        held = deps.outbox().get(reference)
        if held is None:
            dispatcher.utter_message(
                response=responses.STATUS_NOT_FOUND, status_reference=reference
            )
            return None
        if held.status != DELIVERED or not held.delivered_id:
            _say(dispatcher, "held_report", reference, held.status)
            return None
        dispatcher.utter_message(
            response=responses.STATUS_HELD_DELIVERED,
            status_reference=reference,
            report_reference=held.delivered_id,
        )
        return held.delivered_id

    @staticmethod
    async def _street_report(dispatcher: CollectingDispatcher, reference: str) -> None:
        """Answer for a street report from Open311."""
        try:
            report = await deps.open311().get_request(reference)
        except Open311NotFound:
            dispatcher.utter_message(
                response=responses.STATUS_NOT_FOUND, status_reference=reference
            )
            return
        except Open311Unavailable as error:
            logger.warning("status check failed", extra={"error": str(error)})
            dispatcher.utter_message(response=responses.STATUS_UNAVAILABLE)
            return
        if not report.is_open:
            _say(
                dispatcher,
                "street_report",
                report.service_request_id,
                "closed",
                report.status_notes,
            )
            return
        category = deps.profile().problem_for_service(report.service_code)
        service = category.label if category else (report.service_name or "street")
        dispatcher.utter_message(
            response=(
                responses.STATUS_OPEN if report.status_notes else responses.STATUS_OPEN_NO_NOTES
            ),
            status_reference=report.service_request_id,
            status_service=service,
            status_notes=report.status_notes,
        )


def _say(
    dispatcher: CollectingDispatcher, kind: str, reference: str, status: str, notes: str = ""
) -> None:
    """Say what a status means and what to do next, from ``kb/statuses.yml``."""
    wording = deps.status_wordings().describe(kind, status, notes)
    if wording is None:
        logger.warning("status with no wording", extra={"kind": kind, "status": status})
        dispatcher.utter_message(response=responses.STATUS_UNAVAILABLE)
        return
    dispatcher.utter_message(
        response=responses.STATUS_SUMMARY_NOTES if notes else responses.STATUS_SUMMARY,
        status_reference=reference,
        status_meaning=wording.meaning,
        status_next_step=wording.next_step,
        status_notes=notes,
    )


async def _triage_status(reference: str) -> str:
    try:
        record = await deps.triage().get(reference)
    except TriageRejected as error:
        if error.status == 404:
            raise _Missing(reference) from error
        raise
    return str(record.get("status") or "")


async def _booking_status(reference: str) -> str:
    try:
        return (await deps.directory().booking(reference)).status
    except DirectoryRejected as error:
        if error.status == 404:
            raise _Missing(reference) from error
        raise


async def _case_status(reference: str) -> str:
    return (await deps.crm().get_case(reference)).status


async def _application_status(reference: str) -> str:
    return (await deps.crm().get_application(reference)).status


class _Missing(Exception):
    """The right system has no record with this reference."""


_LOOKUPS: dict[str, Callable[[str], Awaitable[str]]] = {
    "triage": _triage_status,
    "pc_booking": _booking_status,
    "council_tax_case": _case_status,
    "broadband_application": _application_status,
}
_NOT_FOUND = (_Missing, CrmNotFound)
_UNAVAILABLE = (
    TriageUnavailable,
    TriageRejected,
    DirectoryUnavailable,
    DirectoryRejected,
    CrmUnavailable,
    CrmRejected,
)
