"""Council tax over the REST channel: answers, look-up with verification, changes, "I can't pay"."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest

from tests.helpers import Resident

pytestmark = pytest.mark.e2e

CASE_REF = re.compile(r"\b(CT-[2-9A-HJ-NP-Z]{6})\b")
TRIAGE_REF = re.compile(r"\b(FD-[2-9A-HJ-NP-Z]{6})\b")


@pytest.fixture
def service(stack) -> httpx.Client:
    """The council services API with the service token."""
    with httpx.Client(
        base_url=f"{stack.settings.council_services_url}/api/v1",
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
    ) as client:
        yield client


def _verify(resident: Resident, reference: str, postcode: str, surname: str) -> str:
    assert "postcode" in resident.say_text(reference).lower()
    assert "surname" in resident.say_text(postcode).lower()
    return resident.say_text(surname)


def test_a_question_is_answered_from_the_knowledge_base(resident: Resident):
    reply = resident.say_text("do i get money off if i live by myself")
    assert "25%" in reply and "single person discount" in reply, reply


def test_look_up_with_a_failed_then_a_successful_verification(stack, resident: Resident):
    assert "account reference" in resident.say_text("what's my council tax balance")
    failed = _verify(resident, "40012345", "ST4 2DX", "Smith")
    assert "don't match" in failed and "account reference" in failed, failed
    # Nothing about the account was said.
    assert "£" not in failed and "band" not in failed.lower()
    reply = _verify(resident, "4001 2345", "st42dx", "bloggs")
    assert "found your account" in reply, reply
    assert "band B" in reply and "£842.50" in reply and "£168.50" in reply, reply
    assert "1 January 2027" in reply

    # Verified state belongs to that conversation only.
    other = Resident(stack.settings.rasa_url)
    reply = other.say_text("what's my council tax balance")
    assert "account reference" in reply and "£" not in reply, reply


def test_three_failed_verifications_reveal_nothing_and_offer_a_person(resident: Resident):
    assert "account reference" in resident.say_text("how much council tax do i owe")
    for surname in ("Jones", "Brown"):
        assert "don't match" in _verify(resident, "40024680", "ST1 1HP", surname)
    reply = _verify(resident, "40024680", "ST1 1HP", "Green")
    assert "can't confirm those details" in reply and "person" in reply, reply
    assert "£" not in reply
    # Asking again in the same conversation asks nothing and shows nothing.
    reply = resident.say_text("what's my council tax balance")
    assert "can't confirm those details" in reply and "£" not in reply, reply


def test_single_person_discount_application_is_in_the_crm(resident: Resident, service):
    assert "account reference" in resident.say_text(
        "i want to apply for the single person discount"
    )
    reply = _verify(resident, "40012345", "ST4 2DX", "Bloggs")
    assert "found your account" in reply and "only adult" in reply, reply
    future = (date.today() + timedelta(days=40)).strftime("%d/%m/%Y")
    assert "in the future" in resident.say_text(future)
    since = date.today() - timedelta(days=60)
    reply = resident.say_text(since.strftime("%d/%m/%Y"))
    assert "shall I send it" in reply, reply
    reply = resident.say_text("yes")
    reference = CASE_REF.search(reply).group(1)

    case = service.get(f"/council-tax/cases/{reference}").json()
    assert case["kind"] == "single_person_discount"
    assert case["account_reference"] == "40012345"
    assert case["details"] == {"living_alone_since": since.isoformat()}
    assert case["conversation_id"] == resident.sender and case["status"] == "open"


def test_cant_pay_creates_a_priority_2_triage_record(resident: Resident, service):
    reply = resident.say_text("i can't pay my council tax this month")
    reference = TRIAGE_REF.search(reply).group(1)
    assert "Citizens Advice" in reply, reply
    # No contact details given: no promise of contact, but how to follow it up.
    assert "can't contact you yet" in reply and "01782 234234" in reply, reply
    record = service.get(f"/triage/{reference}").json()
    assert record["priority"] == 2 and record["category"] == "council_tax"
    assert "financial hardship" in record["vulnerability"]
    assert record["conversation_id"] == resident.sender
    assert record["status"] == "new"
