"""Conversation repair: answer another request made in the middle of a form.

The form's validator has kept the message out of its slots and rejected it
(``actions/common/digression.py``); the form's rule in ``data/rules/repair.yml`` runs
this action, then the form again, which offers to carry on.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import responses
from actions.common.digression import FAQ_INTENTS, SIGNPOST_PREFIX, STATUS_INTENT
from actions.common.failsafe import FailSafe
from actions.report_status import ActionCheckReportStatus
from actions.signpost import ActionSignpost

logger = logging.getLogger(__name__)

#: The response selector's key when it was trained for every retrieval intent at once.
DEFAULT_SELECTOR = "default"


def faq_response(message: dict[str, Any], intent: str) -> str | None:
    """The FAQ answer the response selector chose for a retrieval intent, if any.

    As Rasa's own ``utter_<intent>`` action reads it: the intent's selector, else the
    default one.
    """
    selectors = message.get("response_selector") or {}
    selected = selectors.get(intent) or selectors.get(DEFAULT_SELECTOR) or {}
    response = (selected.get("response") or {}).get("utter_action")
    if isinstance(response, str) and response.startswith(f"utter_{intent}/"):
        return response
    return None


class ActionAnswerDigression(FailSafe, Action):
    """Answers a status check, an FAQ or a signpost asked inside a form, as outside it."""

    def name(self) -> str:
        """Registered name."""
        return "action_answer_digression"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Answer with the journey's own action or FAQ response."""
        intent = str((tracker.latest_message.get("intent") or {}).get("name") or "")
        logger.info("digression answered", extra={"intent": intent})
        if intent == STATUS_INTENT:
            return await ActionCheckReportStatus().run(dispatcher, tracker, domain)
        if intent.startswith(SIGNPOST_PREFIX):
            return await ActionSignpost().run(dispatcher, tracker, domain)
        response = faq_response(tracker.latest_message, intent) if intent in FAQ_INTENTS else None
        if response and response in (domain.get("responses") or {}):
            dispatcher.utter_message(response=response)
            return []
        logger.warning("digression with no answer", extra={"intent": intent})
        dispatcher.utter_message(response=responses.NO_ANSWER)
        return []
