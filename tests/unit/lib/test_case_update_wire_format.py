"""The case update on the wire: what the council services send, Rasa reads (issue #17).

``web/assistant_link.py`` appends events to a conversation's tracker and asks the
assistant to say a response, through Rasa's HTTP API. ``lib/case_updates.py`` types those
bodies. Rasa is the receiver: it builds each event with ``Event.from_parameters`` and
silently drops one it cannot read, and it sets a slot whatever the value's type. So each
body web sends must be one of the typed events, keep every key through Rasa's parser, and
set only slots of the domain (``domain/*.yml``) with values their type holds.
"""

from __future__ import annotations

import types
import typing
from typing import Any

import httpx
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationResumed,
    Event,
    Restarted,
    SlotSet,
)
from rasa.shared.core.trackers import DialogueStateTracker

from lib import case_updates
from lib.shared_settings import REPO_ROOT
from web import assistant_link
from web.core.config import Settings

SETTINGS = Settings(
    database_url="sqlite://", environment="test", assistant_rasa_url="http://assistant.test:5005"
)
#: The Rasa event each typed event becomes.
RASA_EVENTS: dict[type, type[Event]] = {
    case_updates.ResumeEvent: ConversationResumed,
    case_updates.RestartEvent: Restarted,
    case_updates.SlotEvent: SlotSet,
    case_updates.ActionEvent: ActionExecuted,
    case_updates.BotEvent: BotUttered,
}
#: The keys Rasa's ``POST /conversations/{id}/execute`` reads (``rasa/server.py``).
EXECUTE_KEYS = {"name", "policy", "confidence"}
#: The Python values each slot type of the domain holds (None empties any slot).
SLOT_VALUES: dict[str, tuple[type, ...]] = {
    "text": (str,),
    "bool": (bool,),
    "float": (int, float),
    "list": (list,),
    "any": (object,),
}


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain"))


def _sent() -> list[tuple[str, Any]]:
    """Every body web sends: a case resolved on the web and on the phone, with and without
    a note, a staff message and the end of a conversation."""
    calls: list[tuple[str, Any]] = []

    def post(url: str, **kwargs: Any) -> httpx.Response:
        calls.append((url.rsplit("/", 1)[-1], kwargs["json"]))
        return httpx.Response(200, request=httpx.Request("POST", url))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assistant_link.httpx, "post", post)
        for channel in ("web", "ivr"):
            for note in ("Paid in full.", None):
                assistant_link.tell_resident(
                    SETTINGS,
                    conversation_id="c-1",
                    reference="FD-ABC234",
                    channel=channel,
                    note=note,
                )
        assistant_link.send_staff_message(
            SETTINGS, conversation_id="c-1", text="We rang you.", name="Sam", timestamp=1.5
        )
        assistant_link.end_conversation(SETTINGS, "c-1")
    return calls


SENT = _sent()
EVENTS = [event for path, body in SENT if path == "events" for event in body]
EXECUTED = [body for path, body in SENT if path == "execute"]


def _typed_event(event: dict[str, Any]) -> type:
    """The TypedDict of ``TrackerEvent`` whose ``event`` literal this event carries."""
    for kind in typing.get_args(case_updates.TrackerEvent):
        if typing.get_args(typing.get_type_hints(kind)["event"]) == (event["event"],):
            return kind
    raise AssertionError(f"no typed event for {event}")


def _fits(value: Any, hint: Any) -> bool:
    """Whether a JSON value is one of the Python type ``hint`` (TypedDicts, unions, literals)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return value in args
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, arg) for arg in args)
    if typing.is_typeddict(hint):
        hints = typing.get_type_hints(hint)
        return set(value) == set(hints) and all(_fits(value[k], hints[k]) for k in hints)
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, hint)


def test_web_sends_every_kind_of_event_and_a_response_to_say() -> None:
    assert {_typed_event(event) for event in EVENTS} == set(RASA_EVENTS)
    assert len(EXECUTED) == 2  # on the web only: the phone line says it on the next turn


@pytest.mark.parametrize("event", EVENTS, ids=lambda event: event.get("name", event["event"]))
def test_each_event_is_one_of_the_typed_events(event: dict[str, Any]) -> None:
    assert _fits(event, _typed_event(event))


@pytest.mark.parametrize("event", EVENTS, ids=lambda event: event.get("name", event["event"]))
def test_rasa_reads_each_event_as_its_kind_keeping_every_key(event: dict[str, Any]) -> None:
    parsed = Event.from_parameters(event)
    assert type(parsed) is RASA_EVENTS[_typed_event(event)]
    read = parsed.as_dict()
    assert {key: read.get(key, "missing") for key in event} == event


@pytest.mark.parametrize(
    "event", [e for e in EVENTS if e["event"] == "slot"], ids=lambda event: event["name"]
)
def test_each_slot_is_a_domain_slot_and_the_value_fits_its_type(domain, event) -> None:
    slots = {slot.name: slot for slot in domain.slots}
    assert event["name"] in slots
    if event["value"] is not None:
        assert isinstance(event["value"], SLOT_VALUES[slots[event["name"]].type_name])


def test_the_tracker_holds_what_web_sent(domain) -> None:
    tracker = DialogueStateTracker.from_events(
        "c-1", [Event.from_parameters(e) for e in EVENTS if e["event"] != "restart"], domain.slots
    )
    last = {e["name"]: e["value"] for e in EVENTS if e["event"] == "slot"}
    assert {name: tracker.get_slot(name) for name in last} == last


@pytest.mark.parametrize("body", EXECUTED, ids=lambda body: body["name"])
def test_rasa_says_a_response_of_the_domain(domain, body) -> None:
    assert _fits(body, case_updates.ExecuteRequest)
    assert set(body) <= EXECUTE_KEYS
    assert body["name"] in domain.responses
    assert body["name"] in case_updates.RESPONSES


# --- the checks themselves can fail ---------------------------------------------------------


def test_a_retyped_slot_value_is_found(domain) -> None:
    flag = {"event": "slot", "name": case_updates.PENDING, "value": "yes"}
    slots = {slot.name: slot for slot in domain.slots}
    assert not isinstance(flag["value"], SLOT_VALUES[slots[case_updates.PENDING].type_name])
    assert "triage_reference_typo" not in slots


def test_an_event_rasa_cannot_read_or_a_key_it_drops_is_found() -> None:
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.from_parameters({"event": "slots", "name": "x", "value": 1})
    read = Event.from_parameters({"event": "action", "name": "action_listen", "policy_x": 1})
    assert "policy_x" not in read.as_dict()
    assert not _fits({"event": "slot", "name": "x"}, case_updates.SlotEvent)
    assert not _fits({"event": "slot", "name": "x", "value": 3}, case_updates.SlotEvent)
