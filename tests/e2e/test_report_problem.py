"""A resident reports street problems over the REST channel; the CRM has them."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.helpers import Resident

pytestmark = pytest.mark.e2e

REFERENCE = re.compile(r"\b(SR-[2-9A-HJ-NP-Z]{6})\b")


def _report(resident: Resident, opening: str, place: str, description: str) -> str:
    """Walk the whole form and return the bot's last reply."""
    assert "Where is the" in resident.say_text(opening)
    reply = resident.say_text(place)
    if "Is it the same problem" in reply:
        # Another test of this session reported the same kind of problem there.
        reply = resident.say_text("/deny")
    assert "describe the problem" in reply, reply
    assert "dangerous" in resident.say_text(description)
    assert "contact you" in resident.say_text("yes")
    reply = resident.say_text("no thanks")
    assert "Please check your report" in reply and description in reply, reply
    return resident.say_text("yes")


def test_pothole_report_reaches_the_crm(resident: Resident, open311):
    description = f"Deep hole by the bus stop, about 20cm {uuid.uuid4().hex[:6]}"
    reply = _report(resident, "there's a massive pothole on my road", "ST6 3JJ", description)
    match = REFERENCE.search(reply)
    assert match, reply
    reference = match.group(1)

    found = open311.get("/requests.json", params={"service_request_id": reference}).json()
    assert len(found) == 1
    request = found[0]
    assert request["service_code"] == "POTHOLE"
    assert request["status"] == "open"
    assert description in request["description"]
    assert abs(float(request["lat"]) - 53.03773) < 0.001
    assert abs(float(request["long"]) - -2.19288) < 0.001


def test_a_nearby_open_report_is_offered_instead_of_a_duplicate(stack, open311):
    first = Resident(stack.settings.rasa_url)
    reply = _report(first, "fly tipping dumped on the pavement", "ST1 1HP", "Old sofa and bin bags")
    reference = REFERENCE.search(reply).group(1)
    before = len(open311.get("/requests.json", params={"service_code": "FLYTIP"}).json())

    second = Resident(stack.settings.rasa_url)
    second.say_text("someone's fly tipped a load of rubbish")
    reply = second.say_text("st11hp")
    assert "already reported" in reply and reference in reply, reply
    reply = second.say_text("yes")
    assert reference in reply and "haven't made a new report" in reply, reply
    after = len(open311.get("/requests.json", params={"service_code": "FLYTIP"}).json())
    assert after == before


def test_the_resident_can_correct_the_summary(resident: Resident, open311):
    resident.say_text("graffiti all over the bus shelter")
    resident.say_text("Leek Road, outside the Co-op in Bucknall")
    resident.say_text("Rude words sprayed on the shelter glass")
    resident.say_text("no")
    resident.say_text("no")
    assert "change" in resident.say_text("no")
    assert "Where is the" in resident.say_text("place")
    reply = resident.say_text("ST4 2DX")
    assert "Please check your report" in reply and "ST4 2DX" in reply, reply
    reference = REFERENCE.search(resident.say_text("yes")).group(1)
    request = open311.get(f"/requests/{reference}.json").json()[0]
    assert request["service_code"] == "GRAFFITI"
    assert request["lat"] is not None


def test_a_postcode_in_another_council_is_not_reported(resident: Resident):
    resident.say_text("pothole")
    reply = resident.say_text("ST5 2SX")
    assert "Newcastle-under-Lyme" in reply, reply
    assert "Where is the" in reply  # asked again, nothing reported


def test_repeated_bad_postcodes_offer_a_person(resident: Resident):
    resident.say_text("report a broken street light")
    first = resident.say_text("ZZ99")
    assert "postcode" in first.lower()
    second = resident.say_text("ST99 9ZZ")
    assert "talk to a person" in second.lower() or "01782 234234" in second, second


def test_unknown_postcode_is_explained(resident: Resident):
    resident.say_text("blocked drain flooding the road")
    reply = resident.say_text("ST3 9XX")
    assert "can't find the postcode ST3 9XX" in reply, reply


@pytest.mark.parametrize(
    "message",
    ["", "   ", "🙂🙂🙂", "\x00\x07\x1b[31m", "a" * 20_000, "<script>alert(1)</script>",
     "'; DROP TABLE events; --", "/restart{\"x\": 1}", "مرحبا", "\u202eevil"],
)  # fmt: skip
def test_bad_input_gets_a_reply_and_no_crash(stack, message):
    resident = Resident(stack.settings.rasa_url)
    replies = resident.say(message)
    assert replies, f"no reply to {message[:20]!r}"
    assert all("<script>" not in reply.get("text", "") for reply in replies)
    # The conversation still works afterwards.
    assert resident.say_text("hello")
