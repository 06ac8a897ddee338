"""Council tax forms: verification shared by every form, and each change's own questions.

The resident proves the account is theirs with the reference, postcode and surname, which
the CRM checks together. A failure says only that the details don't match; after three in
a conversation the forms ask nothing more and a person is offered. A verification that has
run out (``COUNCIL_TAX_VERIFIED_MINUTES``) is forgotten when a form next runs, the resident
is told why, and the form asks for the details again.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.failsafe import FailSafe
from actions.common.form_repair import StopAware
from actions.common.form_skip import SkipAware
from actions.common.forms import yes_no
from actions.common.validators import looks_like_address
from actions.common.values import parse_account_reference, parse_surname
from actions.council_tax import (
    IDENTITY_SLOTS,
    MAX_FAILURES,
    account_slots,
    forget_verification,
    say_verification_ran_out,
    verification_has_run_out,
    verification_is_current,
)
from actions.council_tax_dates import check_alone_since, check_moving_date
from bot.text import clean_number_text, clean_text
from integrations.crm import CrmError, Identity, NotVerified
from lib.postcodes.normalise import find_postcodes

logger = logging.getLogger(__name__)

#: Every council tax question is needed: "I don't know" gets why, then a person is offered
#: (``SkipAware``). A class setting of each validator, as ``SkipAware`` comes first in the MRO.
REQUIRED_BECAUSE = {
    slots.CT_ACCOUNT_REFERENCE: responses.CT_ACCOUNT_REFERENCE_REQUIRED,
    slots.CT_POSTCODE: responses.CT_POSTCODE_REQUIRED,
    slots.CT_SURNAME: responses.CT_SURNAME_REQUIRED,
    slots.CT_ALONE_SINCE: responses.CT_ALONE_SINCE_REQUIRED,
    slots.CT_MOVING_DATE: responses.CT_MOVING_DATE_REQUIRED,
    slots.CT_NEW_ADDRESS: responses.CT_NEW_ADDRESS_REQUIRED,
    slots.CT_CONFIRM: responses.CT_CONFIRM_REQUIRED,
}


class CouncilTaxFormValidation:
    """Verification shared by every council tax form; subclasses add their own slots.

    A mixin, not a ``FormValidationAction``: rasa-sdk registers every action subclass by name.
    """

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Validate as usual, unless the verification has run out: then start it again.

        The stored details are not checked again on the resident's behalf: the slots are
        forgotten, the resident is told why, and the form asks for the account reference.
        Whatever this turn's message said is left for after the new verification.
        """
        if verification_has_run_out(tracker):
            logger.info("council tax verification ran out; asking again")
            say_verification_ran_out(dispatcher, tracker)
            return [*forget_verification(), SlotSet("requested_slot", slots.CT_ACCOUNT_REFERENCE)]
        return await super().run(dispatcher, tracker, domain)  # type: ignore[misc]

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Nothing once stopped; no identity questions while a verification is current."""
        if tracker.get_slot(slots.CT_STOPPED) or (
            (tracker.get_slot(slots.CT_FAILURES) or 0) >= MAX_FAILURES
        ):
            return []
        if verification_is_current(tracker):
            return [slot for slot in domain_slots if slot not in IDENTITY_SLOTS]
        return domain_slots

    async def validate_ct_account_reference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Eight digits, spaces allowed."""
        reference = parse_account_reference(str(value or ""))
        if reference is None:
            dispatcher.utter_message(response=responses.CT_REFERENCE_NOT_VALID)
        return {slots.CT_ACCOUNT_REFERENCE: reference}

    async def validate_ct_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A full UK postcode, in any common form."""
        found = find_postcodes(clean_number_text(str(value or ""), 100))
        if not found:
            dispatcher.utter_message(response=responses.CT_POSTCODE_NOT_VALID)
            return {slots.CT_POSTCODE: None}
        return {slots.CT_POSTCODE: found[0].postcode}

    async def validate_ct_surname(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The last detail: ask the CRM whether the three prove the account."""
        surname = parse_surname(str(value or ""))
        if surname is None:
            dispatcher.utter_message(response=responses.CT_SURNAME_NOT_VALID)
            return {slots.CT_SURNAME: None}
        identity = Identity(
            str(tracker.get_slot(slots.CT_ACCOUNT_REFERENCE) or ""),
            str(tracker.get_slot(slots.CT_POSTCODE) or ""),
            surname,
        )
        try:
            # The conversation is the caller: its failures lock out only itself.
            summary = await deps.crm().verify(identity, tracker.sender_id)
        except NotVerified:
            return self._failed(dispatcher, tracker)
        except CrmError as error:
            logger.warning("council tax verification unavailable", extra={"error": str(error)})
            dispatcher.utter_message(response=responses.CT_UNAVAILABLE)
            return {slots.CT_SURNAME: surname, slots.CT_STOPPED: True}
        dispatcher.utter_message(response=responses.CT_VERIFIED)
        filled = {event["name"]: event["value"] for event in account_slots(summary)}
        return {slots.CT_SURNAME: surname, slots.CT_FAILURES: 0, **filled}

    def _failed(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        failures = int(tracker.get_slot(slots.CT_FAILURES) or 0) + 1
        logger.info("council tax verification failed", extra={"failures": failures})
        cleared = {slot: None for slot in IDENTITY_SLOTS}
        if failures >= MAX_FAILURES:
            dispatcher.utter_message(response=responses.CT_VERIFICATION_STOPPED)
            return {**cleared, slots.CT_FAILURES: failures, slots.CT_STOPPED: True}
        dispatcher.utter_message(response=responses.CT_NOT_VERIFIED)
        return {**cleared, slots.CT_FAILURES: failures}

    async def validate_ct_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes or no before anything is sent."""
        return yes_no(slots.CT_CONFIRM, value, dispatcher)


class ValidateCouncilTaxAccountForm(
    FailSafe, StopAware, SkipAware, CouncilTaxFormValidation, FormValidationAction
):
    """Look-up: verification only."""

    required_because = REQUIRED_BECAUSE

    def name(self) -> str:
        """Registered name."""
        return "validate_council_tax_account_form"


class ValidateCouncilTaxInstalmentsForm(
    FailSafe, StopAware, SkipAware, CouncilTaxFormValidation, FormValidationAction
):
    """Switch to 12 instalments: verification and a yes."""

    required_because = REQUIRED_BECAUSE

    def name(self) -> str:
        """Registered name."""
        return "validate_council_tax_instalments_form"


class ValidateCouncilTaxDiscountForm(
    FailSafe, StopAware, SkipAware, CouncilTaxFormValidation, FormValidationAction
):
    """Single person discount: verification, the date they started living alone, a yes."""

    required_because = REQUIRED_BECAUSE

    def name(self) -> str:
        """Registered name."""
        return "validate_council_tax_discount_form"

    async def validate_ct_alone_since(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A real date, not in the future, not before council tax began."""
        result = check_alone_since(str(value or ""), deps.knowledge("council_tax"))
        if result.problem:
            dispatcher.utter_message(response=result.problem, **result.template_vars)
            return {slots.CT_ALONE_SINCE: None}
        return {slots.CT_ALONE_SINCE: result.display}


class ValidateCouncilTaxMovingForm(
    FailSafe, StopAware, SkipAware, CouncilTaxFormValidation, FormValidationAction
):
    """Moving home: verification, the moving date, the new address, a yes."""

    required_because = REQUIRED_BECAUSE

    def name(self) -> str:
        """Registered name."""
        return "validate_council_tax_moving_form"

    async def validate_ct_moving_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A real date within the window the council accepts here."""
        result = check_moving_date(str(value or ""), deps.knowledge("council_tax"))
        if result.problem:
            dispatcher.utter_message(response=result.problem, **result.template_vars)
            return {slots.CT_MOVING_DATE: None}
        return {slots.CT_MOVING_DATE: result.display}

    async def validate_ct_new_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An address with a house name or number and a street."""
        address = clean_text(str(value or ""), 300)
        if address.startswith("/") or not looks_like_address(address):
            dispatcher.utter_message(response=responses.CT_ADDRESS_NOT_VALID)
            return {slots.CT_NEW_ADDRESS: None}
        return {slots.CT_NEW_ADDRESS: address}
