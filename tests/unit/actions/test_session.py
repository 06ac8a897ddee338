"""Session start (``actions/session.py``): the channel, language and council slots."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk.events import ActionExecuted, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart
from tests.unit.actions.trackers import load_tracker, slot_values

pytestmark = pytest.mark.usefixtures("council")


def start(metadata: Any) -> tuple[list, CollectingDispatcher]:
    """Run ``action_session_start`` with the message metadata Rasa stored."""
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("session_start", slots={"session_started_metadata": metadata})
    events = asyncio.run(ActionSessionStart().run(dispatcher, tracker, {}))
    return events, dispatcher


def test_session_starts_then_listens():
    events, dispatcher = start({"channel": "web"})
    assert events[0] == SessionStarted()
    assert events[-1] == ActionExecuted("action_listen")
    assert [event["event"] for event in events[1:-1]] == ["slot"] * (len(events) - 2)
    assert dispatcher.messages == []


def test_session_carries_the_council_and_language():
    events, _ = start({"channel": "web"})
    assert slot_values(events) == {
        "session_started_metadata": {"channel": "web"},
        "channel": "web",
        "language": "en",
        "council_name": "Stoke-on-Trent City Council",
        "council_phone": "01782 234234",
        "council_phone_spoken": "0 1 7 8 2, 2 3 4, 2 3 4",
        "council_hours": "Monday to Friday, 8.30am to 5pm",
        # The council's own examples, for "Type the postcode, like {example_postcode}".
        "example_postcode": "ST4 2DX",
        "example_place": "Leek Road, outside the Co-op",
        "example_library": "Tunstall Library",
        "example_address": "12 Leek Road, ST4 2DX",
    }


@pytest.mark.parametrize(
    "metadata,channel",
    [
        ({"channel": "web"}, "web"),
        ({"channel": "library"}, "library"),
        ({"channel": "ivr"}, "ivr"),
        ({"channel": "api"}, "api"),
        ({"channel": "bogus"}, "api"),
        ({"channel": "WEB"}, "api"),
        ({"channel": 7}, "api"),
        ({"channel": None}, "api"),
        ({"other": "web"}, "api"),
        ({}, "api"),
        (None, "api"),
    ],
)
def test_channel_comes_from_checked_metadata(metadata, channel):
    events, _ = start(metadata)
    assert slot_values(events)["channel"] == channel


def test_the_assisted_mark_outlives_session_start():
    # SessionStarted empties the slots: the metadata must be set again after it.
    events, _ = start({"channel": "library", "assisted": True})
    names = [event.get("name") or event.get("event") for event in events]
    assert names.index("session_started_metadata") > names.index("session_started")
    assert slot_values(events)["session_started_metadata"] == {
        "channel": "library",
        "assisted": True,
    }


def _started(slots: dict[str, Any]) -> dict[str, Any]:
    tracker = load_tracker("session_start", slots={"session_started_metadata": None, **slots})
    events = asyncio.run(ActionSessionStart().run(CollectingDispatcher(), tracker, {}))
    return slot_values(events)


def test_an_open_case_and_its_contact_details_outlive_the_session():
    values = _started(
        {"triage_reference": "FD-ABC234", "handoff_consent": True, "handoff_phone": "07700900123"}
    )
    assert values["triage_reference"] == "FD-ABC234"
    assert values["handoff_consent"] is True and values["handoff_phone"] == "07700900123"


def test_an_unheard_case_update_outlives_the_session_but_no_stray_contact_details():
    values = _started(
        {
            "case_update_pending": True,
            "triage_resolved_reference": "FD-ABC234",
            "triage_resolution_note": "Done.",
            "handoff_phone": "07700900123",
        }
    )
    assert values["case_update_pending"] is True
    assert values["triage_resolution_note"] == "Done."
    assert "handoff_phone" not in values and "triage_reference" not in values
