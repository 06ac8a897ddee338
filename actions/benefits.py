"""Universal Credit and benefits: hardship goes to a person, with signposting.

The answers to questions come from the knowledge base through the ResponseSelector
(``universal_credit/*``); this module owns only what needs an action.
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.failsafe import FailSafe
from actions.common.journey_triage import journey_record
from actions.common.values import spell_out
from actions.handoff import HELD, REFUSED, file_case, say_refused
from integrations.triage import new_reference

logger = logging.getLogger(__name__)


class ActionUniversalCreditHardship(FailSafe, Action):
    """Hardship: a triage record (priority from the rules, at least 2), then where help is."""

    keep_as = "universal_credit"
    keep_priority = 2

    def name(self) -> str:
        """Registered name."""
        return "action_universal_credit_hardship"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Open the record, read the reference back, then signpost."""
        reference = new_reference()
        record = journey_record(tracker, reference, "universal_credit_hardship")
        # One conversation, one open case: with one open, this joins it.
        reference, outcome = await file_case(tracker, record)
        response_time = deps.triage_rules().response_time(record["priority"])
        if outcome == REFUSED:
            say_refused(dispatcher, tracker, reference)
        else:
            dispatcher.utter_message(
                response=responses.UC_HARDSHIP_RECORDED
                if outcome != HELD
                else responses.UC_HARDSHIP_HELD,
                triage_reference=reference,
                triage_reference_spoken=spell_out(reference),
                response_time=response_time,
            )
        dispatcher.utter_message(response=responses.UC_HARDSHIP_HELP)
        logger.info(
            "universal credit hardship record",
            extra={"reference": reference, "priority": record["priority"]},
        )
        return [
            SlotSet(slots.TRIAGE_REFERENCE, reference),
            SlotSet(slots.RESPONSE_TIME, response_time),
        ]
