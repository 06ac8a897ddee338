"""A second request in one message, kept until the first is done (issue #16 item 9).

"Report a pothole on Leek Road and also ask about my council tax bill": the NLU gives the
message one intent (the pothole), and Rasa's multi-intent is not configured, nor can an
action run the NLU on part of a message. So the second request is found cheaply: the
message is split where two requests join ("and also", "as well", ...), and the part after
the join is matched against keyword lists in ``kb/conversation/remember.yml``; when no
keyword matches, an intent of another area ranked high enough by the NLU for the whole
message is taken instead. The request is kept in the ``pending_request`` slot (set by a
custom slot mapping that runs after every message) and offered when a journey ends:
"You also asked about your council tax bill. Shall we do that now?".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import deps, responses, slots
from actions.common.failsafe import FailSafe
from lib.yaml_files import load_yaml

OFFER_ACTION = "action_offer_pending_request"
#: An intent of another area ranked at least this high counts as a second request.
MIN_RANKED_CONFIDENCE = 0.2
#: Longer second requests are offered back by their topic's label, not in full.
MAX_LABEL_WORDS = 8
#: Intent prefixes, one per contract area: two intents in one area are one request.
_AREAS = (
    "report_", "check_report_status", "council_tax", "universal_credit", "find_", "book_",
    "broadband", "digital_skills", "human_handoff", "urgent_help", "signpost_",
)  # fmt: skip
_YOURS = {"my": "your", "i": "you", "me": "you", "mine": "yours", "i'm": "you're", "our": "your"}


@dataclass(frozen=True)
class Topic:
    """An area a second request can be in."""

    key: str
    intent: str
    start: str | None
    label: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class SecondRequests:
    """The ``second_request`` section of ``kb/conversation/remember.yml``."""

    joins: tuple[str, ...]
    lead_in: tuple[str, ...]
    topics: tuple[Topic, ...]

    def by_intent(self, intent: str) -> Topic | None:
        """The topic a given intent starts, if any."""
        return next((topic for topic in self.topics if topic.intent == intent), None)


@lru_cache(maxsize=4)
def load_second_requests(path: Path) -> SecondRequests:
    """Load the second-request words.

    Raises:
        ValueError: naming the file when a section is missing.
    """
    data: dict[str, Any] = load_yaml(path.read_text(encoding="utf-8")) or {}
    try:
        section = data["second_request"]
        return SecondRequests(
            joins=tuple(str(join).lower() for join in section["joins"]),
            lead_in=tuple(sorted((str(w).lower() for w in section["lead_in"]), key=len)[::-1]),
            topics=tuple(
                Topic(
                    key=str(key),
                    intent=str(topic["intent"]),
                    start=str(topic["start"]) if topic.get("start") else None,
                    label=str(topic["label"]),
                    keywords=tuple(str(word).lower() for word in topic["keywords"]),
                )
                for key, topic in section["topics"].items()
            ),
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path}: missing or malformed second_request section {error}") from error


def second_requests() -> SecondRequests:
    """The second-request words of ``kb/conversation/remember.yml``, loaded once."""
    return load_second_requests(deps.settings_kb_dir() / "conversation" / "remember.yml")


def area(intent: str) -> str:
    """The contract area an intent falls in (its prefix), or the intent itself."""
    return next((prefix for prefix in _AREAS if intent.startswith(prefix)), intent)


def _has(text: str, phrase: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text) is not None


def _in_their_words(rest: str, words: SecondRequests) -> str:
    """The second request in the resident's words, as said back: "your council tax bill"."""
    text = rest.strip(" .?!,")
    changed = True
    while changed:
        changed = False
        for lead in words.lead_in:
            if text == lead or text.startswith(lead + " "):
                text = text[len(lead) :].strip()
                changed = True
    return " ".join(_YOURS.get(word, word) for word in text.split())


def find_second_request(
    text: str, intent: str, ranking: list[dict[str, Any]], words: SecondRequests
) -> dict[str, str] | None:
    """The second request in a message, if it has one in another area than its intent.

    Args:
        text: the whole message.
        intent: the intent the NLU gave the message (the first request).
        ranking: the NLU's intent ranking for the message (``name``, ``confidence``).
        words: the joins, lead-ins and topics.

    Returns:
        ``{"intent", "label", "start"}`` for the request to offer later, or None.
    """
    lowered = " ".join(text.lower().replace("\u2019", "'").split()) + " "
    cut = min((lowered.find(join) for join in words.joins if join in lowered), default=-1)
    if cut < 0:
        return None
    rest = lowered[cut:]
    for join in words.joins:
        if rest.startswith(join):
            rest = rest[len(join) :]
            break
    first_area = area(intent)
    topic = next(
        (
            topic
            for topic in words.topics
            if area(topic.intent) != first_area and any(_has(rest, k) for k in topic.keywords)
        ),
        None,
    )
    own = _in_their_words(rest, words) if topic else ""
    if topic is None:
        for ranked in ranking:
            name = str(ranked.get("name") or "")
            confident = float(ranked.get("confidence") or 0) >= MIN_RANKED_CONFIDENCE
            candidate = words.by_intent(name)
            if confident and candidate and area(name) != first_area:
                topic = candidate
                break
    if topic is None:
        return None
    # The resident's own words when a keyword named the request ("your council tax
    # bill"); the topic's label when only the NLU's ranking did.
    label = own if own and len(own.split()) <= MAX_LABEL_WORDS else topic.label
    return {"intent": topic.intent, "label": label, "start": topic.start or ""}


def offer_pending(tracker: Tracker) -> list[EventType]:
    """Events that end a journey: offer the request the resident made alongside it, if any."""
    pending = tracker.get_slot(slots.PENDING_REQUEST)
    if isinstance(pending, dict) and pending.get("intent") and not pending.get("offered"):
        return [FollowupAction(OFFER_ACTION)]
    return []


class ActionNotePendingRequest(FailSafe, Action):
    """Keeps a second request from the latest message (a custom slot mapping: every turn)."""

    def name(self) -> str:
        """Registered name."""
        return "action_note_pending_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Set ``pending_request`` for a second request; clear it once it is started."""
        message = tracker.latest_message or {}
        text = str(message.get("text") or "")
        intent = str((message.get("intent") or {}).get("name") or "")
        pending = tracker.get_slot(slots.PENDING_REQUEST)
        if isinstance(pending, dict) and area(str(pending.get("intent"))) == area(intent):
            # The resident has started it themselves (or pressed "Yes").
            return [SlotSet(slots.PENDING_REQUEST, None)]
        if not text or text.startswith("/"):
            return []
        found = find_second_request(
            text, intent, list(message.get("intent_ranking") or []), second_requests()
        )
        return [SlotSet(slots.PENDING_REQUEST, found)] if found else []


class ActionOfferPendingRequest(FailSafe, Action):
    """Offers the second request once the first is done."""

    def name(self) -> str:
        """Registered name."""
        return OFFER_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say what else the resident asked for, with a button that starts it."""
        pending = tracker.get_slot(slots.PENDING_REQUEST)
        if not isinstance(pending, dict) or not pending.get("intent"):
            return []
        # The buttons are the response's own, in the resident's language; this fills in
        # the intent the "Yes" button starts.
        dispatcher.utter_message(
            response=responses.PENDING_REQUEST_OFFER,
            pending_label=pending.get("label"),
            pending_intent=pending["intent"],
        )
        return [SlotSet(slots.PENDING_REQUEST, {**pending, "offered": True})]


class ActionTakeUpPendingRequest(FailSafe, Action):
    """A typed "yes" to the offer: start the request, or offer its button again."""

    def name(self) -> str:
        """Registered name."""
        return "action_take_up_pending_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Start the form the request needs; a request that needs its own words is re-offered."""
        pending = tracker.get_slot(slots.PENDING_REQUEST)
        if not isinstance(pending, dict) or not pending.get("intent"):
            dispatcher.utter_message(response=responses.ANYTHING_ELSE)
            return []
        if pending.get("start"):
            return [SlotSet(slots.PENDING_REQUEST, None), FollowupAction(str(pending["start"]))]
        dispatcher.utter_message(
            response=responses.PENDING_REQUEST_PRESS,
            pending_label=pending.get("label"),
            pending_intent=pending["intent"],
        )
        return [SlotSet(slots.PENDING_REQUEST, None)]
