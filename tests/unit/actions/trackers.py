"""Tracker fixtures for action tests: load a recorded state, then adjust it.

The JSON files in ``tests/fixtures/trackers/`` are tracker states as Rasa sends them to
the action server. A test loads one and changes only what it is about: some slots, the
latest message, or the slot candidates a form asks its validation action to check.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.settings import REPO_ROOT

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "trackers"


def tracker_state(name: str) -> dict[str, Any]:
    """A fresh copy of a fixture's state (``tests/fixtures/trackers/<name>.json``)."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def load_tracker(
    name: str,
    *,
    slots: Mapping[str, Any] | None = None,
    text: str | None = None,
    intent: str | None = None,
    entities: list[dict[str, Any]] | None = None,
    candidates: Mapping[str, Any] | None = None,
) -> Tracker:
    """A tracker built from a fixture, with some parts replaced.

    Args:
        name: the fixture's file name without ``.json``.
        slots: slot values to set (the events are left alone).
        text: the latest message's text.
        intent: the latest message's intent (confidence 1.0).
        entities: the latest message's entities.
        candidates: slots the active form extracted from the latest message. They are
            added as Rasa adds them before calling the form's validation action: set by
            slot extraction after the user event, then again after the form's
            ``ActionExecuted``, so that ``Tracker.slots_to_validate()`` returns them.
    """
    state = tracker_state(name)
    state["slots"].update(slots or {})
    if text is not None or intent is not None or entities is not None:
        _replace_latest_message(state, text, intent, entities)
    if candidates:
        _add_slot_candidates(state, candidates)
    return Tracker.from_dict(state)


def _replace_latest_message(
    state: dict[str, Any],
    text: str | None,
    intent: str | None,
    entities: list[dict[str, Any]] | None,
) -> None:
    message = state["latest_message"]
    if text is not None:
        message["text"] = text
    if intent is not None:
        message["intent"] = {"name": intent, "confidence": 1.0}
        message["intent_ranking"] = [{"name": intent, "confidence": 1.0}]
    if entities is not None:
        message["entities"] = entities
    user_events = [event for event in state["events"] if event["event"] == "user"]
    if not user_events:
        raise ValueError("the fixture has no user message to replace")
    user_events[-1]["text"] = message["text"]
    user_events[-1]["parse_data"] = copy.deepcopy(message)


def _add_slot_candidates(state: dict[str, Any], candidates: Mapping[str, Any]) -> None:
    form = (state.get("active_loop") or {}).get("name")
    if not form:
        raise ValueError("slot candidates need a fixture with an active form")
    extracted = [SlotSet(name, value) for name, value in candidates.items()]
    state["events"] += [
        *extracted,
        ActionExecuted(form),
        *[SlotSet(name, value) for name, value in candidates.items()],
    ]
    state["slots"].update(candidates)


def entity(kind: str, value: str, text: str, original: str | None = None) -> dict[str, Any]:
    """An entity as the UK entity extractor reports it.

    Args:
        kind: the entity type (``postcode``, ``reference``, ``problem_type``).
        value: the canonical value.
        text: the message the entity was found in.
        original: the span as typed, when it differs from ``value``.
    """
    start = text.index(original or value)
    return {
        "entity": kind,
        "start": start,
        "end": start + len(original or value),
        "value": value,
        "confidence": 1.0,
        "extractor": "UKEntityExtractor",
    }


def response_names(dispatcher: CollectingDispatcher) -> list[str | None]:
    """The response names the action asked the dispatcher to send, in order."""
    return [message["response"] for message in dispatcher.messages]


def slot_values(events: list[EventType]) -> dict[str, Any]:
    """The slots the events set, the last value winning."""
    return {event["name"]: event["value"] for event in events if event["event"] == "slot"}


@lru_cache(maxsize=1)
def load_domain() -> dict[str, Any]:
    """The merged domain of ``domain/`` as the action server receives it (loaded once)."""
    from rasa.shared.core.domain import Domain

    with warnings.catch_warnings():
        # Rasa warns about auto-fill for every from_text mapping; not our concern here.
        warnings.simplefilter("ignore", UserWarning)
        return Domain.load(str(REPO_ROOT / "domain")).as_dict()
