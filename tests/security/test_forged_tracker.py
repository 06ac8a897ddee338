"""A forged tracker, even with the secret, cannot change another conversation's records.

The secret proves a call comes from Rasa, not that its tracker is honest: the slots a
resident's messages fill can be made to name someone else's reference. The council
services check the conversation itself (issue #15, item 1).
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import httpx
import pytest

from bot.launcher.stack import Stack
from tests.security.calls import (
    action_call,
    conversation,
    post_action,
    staff_client,
    with_secret,
)

pytestmark = pytest.mark.e2e

VICTIM_CONTACT = {"name": "Jo Bloggs", "phone": "07700900123", "email": None, "preferred": "phone"}


def _victims_urgent_record(stack: Stack) -> dict:
    with staff_client(stack) as staff:
        created = staff.post(
            "/triage",
            json={
                "conversation_id": conversation("web-victim"), "channel": "web",
                "language": "en", "category": "safeguarding", "priority": 1,
                "vulnerability": ["domestic abuse"], "summary": "URGENT: domestic abuse.",
                "transcript": [], "contact": VICTIM_CONTACT,
            },
        )  # fmt: skip
    assert created.status_code == 201, created.text
    return created.json()


def test_a_forged_tracker_cannot_change_another_conversations_triage_contact(
    stack: Stack,
) -> None:
    victim = _victims_urgent_record(stack)
    attacker = conversation("web-attacker")
    forged = action_call(
        "action_create_triage", attacker, "07700 900666",
        triage_urgent=True, triage_reference=victim["reference"], handoff_consent=True,
        handoff_name="Mallory", handoff_phone="07700900666", handoff_preferred="phone",
    )  # fmt: skip
    answered = post_action(stack, forged, with_secret(stack))
    assert answered.status_code == 200, answered.text
    # The council services refuse to add to a record another conversation opened (403), so
    # the attacker's words go into a record of the attacker's own, never into the victim's.
    slots = {e["name"]: e["value"] for e in answered.json()["events"] if e["event"] == "slot"}
    assert slots["triage_reference"] != victim["reference"]
    with staff_client(stack) as staff:
        stored = staff.get(f"/triage/{victim['reference']}").json()
        audit = staff.get(f"/triage/{victim['reference']}/audit").json()["data"]
    assert stored["contact"] == VICTIM_CONTACT
    assert "Mallory" not in json.dumps(stored)
    actions = [entry["action"] for entry in audit]
    assert "update" not in actions and "add" not in actions


def _next_monday() -> date:
    today = date.today()
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def test_a_forged_tracker_cannot_cancel_another_conversations_booking(stack: Stack) -> None:
    base = stack.settings.council_services_url
    booked = httpx.post(
        f"{base}/api/v1/places/city-central-library/bookings",
        json={"date": _next_monday().isoformat(), "time": "15:00", "minutes": 30,
              "conversation_id": conversation("web-victim")},
    )  # fmt: skip
    assert booked.status_code == 201, booked.text
    reference = booked.json()["reference"]
    forged = action_call(
        "action_prepare_cancel", conversation("web-attacker"), f"cancel booking {reference}"
    )
    answer = post_action(stack, forged, with_secret(stack))
    assert answer.status_code == 200
    # Not this conversation's booking: the place's own number to ring, and nothing cancelled.
    assert [r["response"] for r in answer.json()["responses"]] in (
        ["utter_booking_cancel_not_yours_place"],
        ["utter_booking_cancel_not_yours"],
    )
    assert httpx.get(f"{base}/api/v1/bookings/{reference}").json()["status"] == "booked"
    # A forged "yes" to a forged read-back cancels nothing either: the directory checks the
    # conversation that made the booking.
    forged_yes = action_call(
        "action_cancel_booking", conversation("web-attacker"), "yes",
        cancel_booking={"reference": reference}, cancel_confirm=True,
    )  # fmt: skip
    answer = post_action(stack, forged_yes, with_secret(stack))
    assert answer.status_code == 200
    assert [r["response"] for r in answer.json()["responses"]] == ["utter_booking_cancel_not_yours"]
    assert httpx.get(f"{base}/api/v1/bookings/{reference}").json()["status"] == "booked"
