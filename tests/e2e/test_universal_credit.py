"""Universal Credit over the REST channel: answers from the knowledge base, hardship to triage."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.helpers import Resident

pytestmark = pytest.mark.e2e

TRIAGE_REF = re.compile(r"\b(FD-[2-9A-HJ-NP-Z]{6})\b")


def test_how_to_claim_is_answered_with_the_28_day_window(resident: Resident):
    reply = resident.say_text("how do i apply for universal credit")
    assert "online" in reply and "28 days" in reply, reply


def test_advances_are_answered(resident: Resident):
    reply = resident.say_text("can i get an advance on my universal credit")
    assert "advance" in reply and "24 months" in reply, reply


def test_hardship_routes_to_triage_with_priority_2(stack, resident: Resident):
    reply = resident.say_text("i'm on universal credit and i've got no money left")
    reference = TRIAGE_REF.search(reply).group(1)
    assert "0800 144 8 444" in reply, reply
    # No contact details given: no promise of contact, but how to follow it up.
    assert "can't contact you yet" in reply and "01782 234234" in reply, reply
    with httpx.Client(
        base_url=f"{stack.settings.council_services_url}/api/v1",
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
    ) as staff:
        record = staff.get(f"/triage/{reference}").json()
    assert record["priority"] == 2 and record["category"] == "universal_credit"
    assert record["conversation_id"] == resident.sender
