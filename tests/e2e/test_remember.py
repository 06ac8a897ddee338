"""What the resident already said is confirmed, not asked again, end to end (issue #16).

Through the REST channel the web chat uses: the place in the first message, a postcode
kept with its street and landmark, contact details offered again, references offered as
buttons, and a second request offered when the first is done.
"""

from __future__ import annotations

import re

import pytest

from tests.helpers import Resident

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"\b((?:SR|HR)-[2-9A-HJ-NP-Z]{6})\b")


def _to_the_check_screen(resident: Resident, reply: str, contact: str) -> str:
    """From the place's answer to the check screen, giving ``contact`` ("" for none)."""
    if "Is it the same problem" in reply:
        reply = resident.say_text("/deny")
    assert "describe the problem" in reply, reply
    assert "dangerous" in resident.say_text("A deep hole by the kerb")
    asked = resident.say_text("no")
    assert "contact you" in asked, asked
    if not contact:
        return resident.say_text("no thanks")
    resident.say_text("yes")
    return resident.say_text(contact)


def test_the_place_in_the_first_message_is_confirmed_and_sent(resident: Resident, open311):
    reply = resident.say_text("there's a pothole on Leek Road near the co-op")
    assert "Is it on Leek Road, near the Co-op?" in reply, reply
    assert "Where is the" not in reply, reply
    check = _to_the_check_screen(resident, resident.say_text("yes"), "")
    assert "Leek Road, near the Co-op" in check, check
    reference = REFERENCE.search(resident.say_text("yes")).group(1)
    if reference.startswith("SR-"):
        [found] = open311.get("/requests.json", params={"service_request_id": reference}).json()
        assert found["address"] == "Leek Road, near the Co-op"


def test_a_postcode_keeps_its_street_and_landmark(resident: Resident, open311):
    assert "Where is the" in resident.say_text("I want to report a pothole")
    reply = resident.say_text("outside the Co-op, Leek Road, ST4 2DX")
    check = _to_the_check_screen(resident, reply, "")
    assert "outside the Co-op, Leek Road, ST4 2DX" in check, check
    reference = REFERENCE.search(resident.say_text("yes")).group(1)
    if reference.startswith("SR-"):
        [found] = open311.get("/requests.json", params={"service_request_id": reference}).json()
        assert found["address"] == "outside the Co-op, Leek Road, ST4 2DX"


def test_contact_details_and_references_are_offered_again(resident: Resident):
    resident.say_text("I want to report a pothole")
    reply = resident.say_text("ST4 2DX")
    _to_the_check_screen(resident, reply, "07700 900123")
    reference = REFERENCE.search(resident.say_text("yes")).group(1)
    # A second report in the same chat: the number is offered, not asked for.
    resident.say_text("I want to report a pothole")
    reply = resident.say_text("ST6 3JJ")
    if "Is it the same problem" in reply:
        resident.say_text("/deny")
    resident.say_text("Another deep hole")
    resident.say_text("no")
    offered = resident.say_text("yes")
    assert "Shall we use 07700 900123 again?" in offered, offered
    resident.say_text("stop")
    resident.say_text("yes")
    replies = resident.say("what's happening with my report")
    titles = [button["title"] for reply in replies for button in reply.get("buttons") or []]
    assert reference in titles, replies


def test_a_second_request_is_offered_when_the_first_is_done(resident: Resident):
    reply = resident.say_text(
        "report a pothole on Leek Road and also ask about my council tax bill"
    )
    assert "Is it on Leek Road?" in reply, reply
    _to_the_check_screen(resident, resident.say_text("yes"), "")
    done = resident.say_text("yes")
    assert "You also asked about your council tax bill. Shall we do that now?" in done, done
