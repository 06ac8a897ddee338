"""case_updates.py: the events that close a case in the conversation and keep the note."""

from __future__ import annotations

from pathlib import Path

from actions.common import slots
from lib import case_updates
from lib.yaml_files import load_yaml

DOMAIN = Path(__file__).resolve().parents[3] / "domain"


def _slots(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_resolving_closes_the_case_and_keeps_the_note():
    events = case_updates.resolution_events("FD-ABC234", "Paid.", "web")
    assert events[0] == {"event": "resume"}  # lifts an old-style pause too
    assert events[-1] == {"event": "action", "name": "action_listen"}
    values = _slots(events)
    assert values[case_updates.OPEN_CASE] is None
    assert values[case_updates.RESOLVED_CASE] == "FD-ABC234"
    assert values[case_updates.NOTE] == "Paid."
    assert values[case_updates.PENDING] is False


def test_on_the_phone_the_update_is_pending_and_an_empty_note_is_none():
    values = _slots(case_updates.resolution_events("FD-ABC234", "", "ivr"))
    assert values[case_updates.PENDING] is True and values[case_updates.NOTE] is None
    assert case_updates.response_for("") == case_updates.RESOLVED_NO_NOTE
    assert case_updates.response_for("Paid.") == case_updates.RESOLVED


def test_the_names_match_the_assistant_s_slots_and_domain():
    assert case_updates.OPEN_CASE == slots.TRIAGE_REFERENCE
    assert set(case_updates.CONTACT_SLOTS) == set(slots.HANDOFF_FORM_SLOTS) - {slots.HANDOFF_NEED}
    domain = load_yaml((DOMAIN / "handoff.yml").read_text(encoding="utf-8"))
    for name in (case_updates.RESOLVED_CASE, case_updates.NOTE, case_updates.PENDING):
        assert name in domain["slots"]
    for name in case_updates.RESPONSES:
        assert "{triage_resolved_reference}" in domain["responses"][name][0]["text"]
    assert "{triage_resolution_note}" in domain["responses"][case_updates.RESOLVED][0]["text"]
