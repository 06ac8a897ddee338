"""Signposts: where to go for the council services the assistant does not handle (issue #14).

Bins, parking, noise, housing repairs, planning, registrations, school admissions and the
council's own contact details are recognised (intents ``signpost_<topic>``) and answered
with ``utter_signpost_<topic>``: shared wording from the domain, with the link, phone number
and hours of the council's ``signposts.yml`` filled in. The values are also kept in slots,
so the phone line can offer to text the link.
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, slots
from actions.common.failsafe import FailSafe

logger = logging.getLogger(__name__)

INTENT_PREFIX = "signpost_"
RESPONSE_PREFIX = "utter_signpost_"
#: The topic answered when the intent names no topic the domain has a response for.
GENERAL_TOPIC = "contact"


def topic_of(intent: str | None) -> str:
    """The signpost topic of an intent: ``signpost_bins`` -> ``bins``.

    Any other intent (the action run by a rule after something else) gets the council's
    general contact details rather than nothing.
    """
    if intent and intent.startswith(INTENT_PREFIX) and len(intent) > len(INTENT_PREFIX):
        return intent[len(INTENT_PREFIX) :]
    return GENERAL_TOPIC


class ActionSignpost(FailSafe, Action):
    """Tells the resident where to go for a topic, with the council's link and number."""

    def name(self) -> str:
        """Registered name."""
        return "action_signpost"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Send the topic's response with the council's values, and keep them in slots."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        topic = topic_of(intent)
        if f"{RESPONSE_PREFIX}{topic}" not in (domain.get("responses") or {}):
            logger.error("no response for signpost topic %s", topic)
            topic = GENERAL_TOPIC
        signpost = deps.profile().signpost(topic)
        values = {
            slots.SIGNPOST_LINK: signpost.link,
            slots.SIGNPOST_PHONE: signpost.phone,
            slots.SIGNPOST_PHONE_SPOKEN: signpost.phone_spoken,
            slots.SIGNPOST_HOURS: signpost.hours,
        }
        # The slots set below are not yet on the tracker Rasa fills this response from, so
        # the values also go with the response itself.
        dispatcher.utter_message(response=f"{RESPONSE_PREFIX}{topic}", **values)
        logger.info("signpost given", extra={"topic": topic})
        return [
            SlotSet(slots.SIGNPOST_TOPIC, topic),
            *(SlotSet(name, value) for name, value in values.items()),
        ]
