"""Universal Credit and benefits: hardship goes to a person, with signposting.

The answers to questions come from the knowledge base through the response selector
(``universal_credit/*``); this module owns only what needs an action.
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import responses
from actions.common.failsafe import FailSafe
from actions.common.pending_request import offer_pending
from actions.handoff import file_journey_case

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
        # One conversation, one open case: with one open, this joins it.
        events = await file_journey_case(
            dispatcher,
            tracker,
            "universal_credit_hardship",
            recorded=responses.UC_HARDSHIP_RECORDED,
            held=responses.UC_HARDSHIP_HELD,
        )
        dispatcher.utter_message(response=responses.UC_HARDSHIP_HELP)
        return [*events, *offer_pending(tracker)]
