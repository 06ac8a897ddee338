"""Hand-off to a person, urgent help and fallback, over the REST channel."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from tests.helpers import Resident

pytestmark = pytest.mark.e2e

TRIAGE_REF = re.compile(r"\b(FD-[2-9A-HJ-NP-Z]{6})\b")


@pytest.fixture
def staff(stack) -> httpx.Client:
    with httpx.Client(
        base_url=f"{stack.settings.council_services_url}/api/v1",
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
    ) as client:
        yield client


def test_handoff_with_consented_contact_creates_a_record(resident: Resident, staff):
    assert "what do you need help with" in resident.say_text("can i speak to a real person please")
    resident.say_text("I've had a letter about my bill and I don't understand it")
    assert "name" in resident.say_text("yes").lower()
    resident.say_text("Jo Bloggs")
    assert "text message" in resident.say_text("my number is 07700 900123")
    reply = resident.say_text("text message")
    reference = TRIAGE_REF.search(reply).group(1)
    assert "contact you" in reply

    record = staff.get(f"/triage/{reference}").json()
    assert record["reference"] == reference
    assert record["conversation_id"] == resident.sender
    assert record["channel"] == "web" and record["language"] == "en"
    assert record["priority"] == 3 and record["status"] == "new"
    assert record["contact"] == {
        "name": "Jo Bloggs",
        "phone": "07700900123",
        "email": None,
        "preferred": "text",
    }
    assert "letter about my bill" in record["summary"]
    texts = " ".join(line["text"] for line in record["transcript"])
    assert "07700 900123" not in texts and "[phone]" in texts
    assert {line["role"] for line in record["transcript"]} == {"resident", "assistant"}


def test_urgent_help_in_the_middle_of_a_report(resident: Resident, staff):
    assert "Where is the" in resident.say_text("there's a pothole on my road")
    reply = resident.say_text("my partner has just hit me and i'm scared to go home")
    for number in ("999", "116 123", "0808 2000 247"):
        assert number in reply, reply
    reference = TRIAGE_REF.search(reply).group(1)
    record = staff.get(f"/triage/{reference}").json()
    assert record["priority"] == 1
    assert record["category"] == "safeguarding"
    assert "domestic abuse" in record["vulnerability"]
    assert record["contact"] is None
    # The conversation goes on: the resident is offered contact, not cut off.
    assert "contact you" in reply
    resident.say_text("no")
    assert resident.say_text("thank you")


def test_fallback_suggests_then_recovers_after_rephrasing(resident: Resident):
    replies = resident.say("flibble wibble sprocket")
    assert replies and (
        "not sure what you mean" in replies[0]["text"] or "say it another way" in replies[0]["text"]
    )
    assert "Where is the" in resident.say_text("there's a big hole in the road outside my house")


def test_two_misses_in_a_row_offer_a_person(resident: Resident):
    resident.say("flibble wibble sprocket")
    replies = resident.say("zxqv plonk wubwub")
    assert any(
        button["payload"] == "/human_handoff"
        for reply in replies
        for button in reply.get("buttons", [])
    ), replies


def test_handoff_while_the_council_services_are_down_is_delivered_later(stack, staff):
    resident = Resident(stack.settings.rasa_url)
    resident.say_text("I want to talk to someone")
    stack.council_services.stop()
    try:
        resident.say_text("I need help with a council tax letter")
        reply = resident.say_text("no")
        assert "isn't answering" in reply, reply
        reference = TRIAGE_REF.search(reply).group(1)
    finally:
        stack.council_services.start(stack.settings.var_dir / "logs")
        stack.wait_healthy(stack.council_services, time.monotonic() + 60)
    deadline = time.monotonic() + 90  # a deadline for slow, loaded machines; not a timing
    response = staff.get(f"/triage/{reference}")
    while response.status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
        response = staff.get(f"/triage/{reference}")
    assert response.status_code == 200, response.text
    assert response.json()["reference"] == reference


def test_a_handed_over_conversation_stays_live_and_hears_the_outcome(
    stack, resident: Resident, staff
):
    resident.say_text("put me through to an advisor")
    resident.say_text("question about my council tax band")
    created = resident.say_text("no thanks")
    reference = TRIAGE_REF.search(created).group(1)
    assert "anything else" in created, created  # what happens meanwhile is said
    # Still live: other questions are answered as usual.
    assert "Hello" in resident.say_text("hello")
    # Asking for a person again joins the same case: staff have it.
    again = resident.say_text("can I speak to a person")
    assert "already have your case" in again and reference in again, again
    mine = [
        record
        for record in staff.get("/triage", params={"limit": 200}).json()["data"]
        if record["conversation_id"] == resident.sender
    ]
    assert [record["reference"] for record in mine] == [reference]

    note = "Your band is correct; we have written to you."
    response = staff.patch(
        f"/triage/{reference}",
        json={"status": "resolved", "resolution_note": "Checked.", "resident_note": note},
    )
    assert response.status_code == 200, response.text
    tracker = httpx.get(
        f"{stack.settings.rasa_url}/conversations/{resident.sender}/tracker",
        headers={"Authorization": f"Bearer {stack.settings.rasa_api_token.get_secret_value()}"},
    ).json()
    said = [event.get("text") or "" for event in tracker["events"] if event["event"] == "bot"]
    assert any(reference in text and note in text for text in said), said[-3:]
    assert tracker["slots"]["triage_reference"] is None
