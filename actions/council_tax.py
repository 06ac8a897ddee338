"""Council tax: account look-up with verification, three changes, and "I can't pay".

Every form here starts by proving the account is the resident's (reference, postcode and
surname, checked by the CRM together). A failure says only that the details don't match;
after three in a conversation nothing more is tried and a person is offered. The CRM also
locks an account after repeated failures across conversations. What a verified resident
may see lives in this conversation's slots only, which a new session clears.

A verification lasts ``COUNCIL_TAX_VERIFIED_MINUTES`` (``ct_verified_at`` holds when it
was made): after that every form asks for the details again, and nothing of the account
is shown or changed until they are given (issue #15).
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.failsafe import FailSafe
from actions.common.next_steps import say_next_steps
from actions.common.pending_request import offer_pending
from actions.common.values import format_date, format_pounds
from actions.handoff import file_journey_case
from bot.settings import settings
from integrations.crm import AccountSummary, CrmError, CrmUnavailable, Identity, NotVerified
from lib.references import spell_out
from lib.yaml_files import load_yaml

logger = logging.getLogger(__name__)

#: Failed verifications in one conversation before the assistant stops trying.
MAX_FAILURES = 3
IDENTITY_SLOTS = (slots.CT_ACCOUNT_REFERENCE, slots.CT_POSTCODE, slots.CT_SURNAME)
#: Everything a verification gives, forgotten together when it runs out.
ACCOUNT_SLOTS = (slots.CT_BAND, slots.CT_BALANCE, slots.CT_NEXT_DATE, slots.CT_NEXT_AMOUNT)
#: Clock skew allowed between action servers for a verification time in the future.
_SKEW_S = 60.0


def verification_is_current(tracker: Tracker, now: float | None = None) -> bool:
    """Whether the resident verified within ``COUNCIL_TAX_VERIFIED_MINUTES``.

    A verification without a time (made before times were kept) counts as run out.
    """
    if not tracker.get_slot(slots.CT_VERIFIED):
        return False
    try:
        verified_at = float(tracker.get_slot(slots.CT_VERIFIED_AT))
    except (TypeError, ValueError):
        return False
    age = (time.time() if now is None else now) - verified_at
    return -_SKEW_S <= age < settings.council_tax_verified_minutes * 60


def verification_has_run_out(tracker: Tracker, now: float | None = None) -> bool:
    """Whether the resident verified once but too long ago."""
    return bool(tracker.get_slot(slots.CT_VERIFIED)) and not verification_is_current(tracker, now)


def forget_verification() -> list[EventType]:
    """The events that forget a verification and everything it showed."""
    return [
        SlotSet(slots.CT_VERIFIED, False),
        SlotSet(slots.CT_VERIFIED_AT, None),
        *(SlotSet(slot, None) for slot in (*ACCOUNT_SLOTS, *IDENTITY_SLOTS)),
    ]


@lru_cache(maxsize=1)
def _expiry_wording() -> dict[str, str]:
    path = settings.kb_dir / "council_tax_verification.yml"
    return load_yaml(path.read_text(encoding="utf-8"))["expired"]


def say_verification_ran_out(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Tell the resident plainly that they need to give their details again."""
    wording = _expiry_wording()
    if tracker.get_latest_input_channel() == "twilio_voice":
        dispatcher.utter_message(text=wording["voice"])
        return
    minutes = settings.council_tax_verified_minutes
    shown = int(minutes) if float(minutes).is_integer() else minutes
    dispatcher.utter_message(text=wording["text"].format(minutes=shown))


def account_slots(summary: AccountSummary) -> list[EventType]:
    """The slots a verified resident's answers are filled from."""
    return [
        SlotSet(slots.CT_VERIFIED, True),
        SlotSet(slots.CT_VERIFIED_AT, time.time()),
        SlotSet(slots.CT_BAND, summary.band),
        SlotSet(slots.CT_BALANCE, format_pounds(summary.balance_pence)),
        SlotSet(
            slots.CT_NEXT_DATE,
            format_date(summary.next_instalment_date) if summary.next_instalment_date else None,
        ),
        SlotSet(
            slots.CT_NEXT_AMOUNT,
            format_pounds(summary.next_instalment_pence)
            if summary.next_instalment_pence is not None
            else None,
        ),
    ]


def identity_of(tracker: Tracker) -> Identity:
    """The details the resident verified with, as the CRM wants them."""
    return Identity(
        account_reference=str(tracker.get_slot(slots.CT_ACCOUNT_REFERENCE) or ""),
        postcode=str(tracker.get_slot(slots.CT_POSTCODE) or ""),
        surname=str(tracker.get_slot(slots.CT_SURNAME) or ""),
    )


def _unverified(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """True when the form ended without a current verification (and the resident knows why)."""
    if verification_is_current(tracker) and not tracker.get_slot(slots.CT_STOPPED):
        return False
    if verification_has_run_out(tracker):
        say_verification_ran_out(dispatcher, tracker)
        return True
    if not tracker.get_slot(slots.CT_STOPPED):
        # The form asked nothing: verification already failed too often in this conversation.
        dispatcher.utter_message(response=responses.CT_VERIFICATION_STOPPED)
    return True


def _forget_if_run_out(tracker: Tracker) -> list[EventType]:
    return forget_verification() if verification_has_run_out(tracker) else []


class ActionCouncilTaxAccountSummary(FailSafe, Action):
    """Reads the verified account back: band, balance, next instalment."""

    def name(self) -> str:
        """Registered name."""
        return "action_council_tax_account_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say the summary, or nothing if verification stopped (already explained)."""
        if _unverified(dispatcher, tracker):
            return [*_forget_if_run_out(tracker), SlotSet(slots.CT_STOPPED, False)]
        if tracker.get_slot(slots.CT_NEXT_DATE):
            dispatcher.utter_message(response=responses.CT_BALANCE)
        else:
            dispatcher.utter_message(response=responses.CT_BALANCE_NOTHING_DUE)
        return offer_pending(tracker)


class _CaseAction(FailSafe):
    """Sends one kind of change to the CRM once the form is complete.

    A mixin, not an ``Action``: rasa-sdk registers every ``Action`` subclass by name.
    """

    kind = ""
    done_response = ""
    #: The step of ``kb/next_steps.yml`` said after the reference.
    next_step = ""
    form_slots: tuple[str, ...] = ()
    #: A change that fails unexpectedly is kept for staff as a council tax record.
    keep_as = "council_tax"

    def details(self, tracker: Tracker) -> dict[str, Any]:
        """The change's own details for the CRM."""
        return {}

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Create the case, read its reference back and say what happens next."""
        reset = [SlotSet(slot, None) for slot in (*self.form_slots, slots.CT_CONFIRM)]
        if _unverified(dispatcher, tracker):
            return [*reset, *_forget_if_run_out(tracker), SlotSet(slots.CT_STOPPED, False)]
        if tracker.get_slot(slots.CT_CONFIRM) is not True:
            dispatcher.utter_message(response=responses.CT_NOTHING_CHANGED)
            return reset
        try:
            case = await deps.crm().create_case(
                identity_of(tracker), self.kind, self.details(tracker), tracker.sender_id
            )
        except NotVerified:
            dispatcher.utter_message(response=responses.CT_VERIFICATION_STOPPED)
            return [*reset, SlotSet(slots.CT_VERIFIED, False)]
        except (CrmUnavailable, CrmError) as error:
            logger.warning("council tax case not sent", extra={"error": str(error)})
            dispatcher.utter_message(response=responses.CT_UNAVAILABLE)
            return reset
        dispatcher.utter_message(
            response=self.done_response,
            ct_case_reference=case.reference,
            ct_case_reference_spoken=spell_out(case.reference),
            report_change_days=deps.knowledge("council_tax").facts["report_change_days"].text,
        )
        say_next_steps(dispatcher, self.next_step, case.reference)
        return [
            *reset,
            SlotSet(slots.CT_CASE_REFERENCE, case.reference),
            SlotSet(slots.CT_CASE_REFERENCE_SPOKEN, spell_out(case.reference)),
            *offer_pending(tracker),
        ]


class ActionCouncilTaxChangeInstalments(_CaseAction, Action):
    """Asks for 12 monthly instalments."""

    kind = "twelve_instalments"
    next_step = "council_tax_instalments"
    done_response = responses.CT_INSTALMENTS_CASE_CREATED

    def name(self) -> str:
        """Registered name."""
        return "action_council_tax_change_instalments"


class ActionCouncilTaxApplyDiscount(_CaseAction, Action):
    """Applies for the single person discount from the date given."""

    kind = "single_person_discount"
    next_step = "council_tax_single_person_discount"
    done_response = responses.CT_DISCOUNT_CASE_CREATED
    form_slots = (slots.CT_ALONE_SINCE,)

    def name(self) -> str:
        """Registered name."""
        return "action_council_tax_apply_discount"

    def details(self, tracker: Tracker) -> dict[str, Any]:
        """The date they started living alone, as ISO 8601."""
        return {"living_alone_since": _iso(tracker.get_slot(slots.CT_ALONE_SINCE))}


class ActionCouncilTaxReportMove(_CaseAction, Action):
    """Reports a move: the date and the new address."""

    kind = "moving_home"
    next_step = "council_tax_moving_home"
    done_response = responses.CT_MOVE_CASE_CREATED
    form_slots = (slots.CT_MOVING_DATE, slots.CT_NEW_ADDRESS)

    def name(self) -> str:
        """Registered name."""
        return "action_council_tax_report_move"

    def details(self, tracker: Tracker) -> dict[str, Any]:
        """The moving date (ISO 8601) and the new address."""
        return {
            "moving_date": _iso(tracker.get_slot(slots.CT_MOVING_DATE)),
            "new_address": tracker.get_slot(slots.CT_NEW_ADDRESS),
        }


def _iso(display: str | None) -> str:
    from actions.common.values import parse_date

    parsed = parse_date(display)
    return parsed.isoformat() if parsed else ""


class ActionCouncilTaxCantPay(FailSafe, Action):
    """Says "I can't pay": a priority-2 triage record, then budgeting-support signposting."""

    keep_as = "council_tax"
    keep_priority = 2

    def name(self) -> str:
        """Registered name."""
        return "action_council_tax_cant_pay"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Open the record, read the reference back, then say where help is."""
        # One conversation, one open case: with one open, this joins it.
        events = await file_journey_case(
            dispatcher,
            tracker,
            "council_tax_cant_pay",
            recorded=responses.CT_CANT_PAY_RECORDED,
            held=responses.CT_CANT_PAY_HELD,
        )
        dispatcher.utter_message(response=responses.CT_CANT_PAY_HELP)
        return [*events, *offer_pending(tracker)]
