"""Library assisted sessions: triage records and Open311 reports carry the assisted mark."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions.common.assisted import is_assisted
from actions.handoff import build_record
from actions.report_problem_send import build_request


def _tracker(channel: str, metadata: dict | None, extra_slots: dict | None = None) -> Tracker:
    slots = {
        "channel": channel,
        "language": "en",
        "session_started_metadata": metadata,
        **(extra_slots or {}),
    }
    return Tracker("library-1", slots, {}, [], False, None, {}, "action_listen")


@pytest.mark.parametrize(
    "channel, metadata, expected",
    [
        ("library", {"channel": "library", "assisted": True}, True),
        ("library", {"channel": "library"}, False),
        ("library", {"channel": "library", "assisted": "yes"}, False),
        ("web", {"channel": "web", "assisted": True}, False),
        ("library", None, False),
    ],
)
def test_is_assisted(channel: str, metadata: dict | None, expected: bool) -> None:
    assert is_assisted(_tracker(channel, metadata)) is expected


def test_triage_records_carry_the_mark() -> None:
    assisted = _tracker("library", {"channel": "library", "assisted": True})
    assert build_record(assisted, "FD-7K3Q9X", urgent=False)["assisted"] is True
    unassisted = _tracker("library", {"channel": "library"})
    assert build_record(unassisted, "FD-7K3Q9X", urgent=False)["assisted"] is False


def test_reports_carry_the_mark() -> None:
    report = {
        "problem_type": "pothole",
        "description": "Deep hole",
        "location": "ST6 3JJ",
        "dangerous": False,
    }
    assisted = _tracker("library", {"channel": "library", "assisted": True}, report)
    assert build_request(assisted).attributes == {"hazard": "no", "assisted": "yes"}
    web = _tracker("web", {"channel": "web"}, report)
    assert build_request(web).attributes == {"hazard": "no"}
