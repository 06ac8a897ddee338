"""Broadband vouchers over the REST channel: an ineligible and an eligible business."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.helpers import Resident

pytestmark = pytest.mark.e2e

APPLICATION_REF = re.compile(r"\b(BB-[2-9A-HJ-NP-Z]{6})\b")


def _start(resident: Resident) -> None:
    reply = resident.say_text("can I get a broadband voucher")
    assert "business, or for your home" in reply, reply
    assert "How many people" in resident.say_text("a business")


def test_a_business_said_in_the_first_message_is_not_asked_again(resident: Resident):
    reply = resident.say_text("can my business get a broadband voucher")
    assert "business, or for your home" not in reply, reply
    assert "How many people" in reply, reply


def test_a_business_with_fast_broadband_is_not_eligible(resident: Resident):
    _start(resident)
    assert "postcode" in resident.say_text("6")
    assert "download speed" in resident.say_text("ST4 2DX")
    reply = resident.say_text("about 80 mbps")
    assert "already get 30 Mbps or more" in reply, reply
    assert "BB-" not in reply


def test_a_business_outside_the_area_is_not_eligible(resident: Resident):
    _start(resident)
    resident.say_text("3")
    reply = resident.say_text("ST5 2SX")
    assert "outside" in reply and "area" in reply, reply


def test_an_eligible_business_application_is_in_the_crm(stack, resident: Resident):
    _start(resident)
    resident.say_text("12")
    resident.say_text("ST6 3JJ")
    assert "plan to bring faster broadband" in resident.say_text("8")
    reply = resident.say_text("no")
    assert "£3,000" in reply and "What is the business called" in reply, reply
    assert "Shall I send" in resident.say_text("Potteries Pots Ltd")
    reply = resident.say_text("yes")
    reference = APPLICATION_REF.search(reply).group(1)
    # No contact details were taken: the reply says how to follow it up instead.
    assert "contact you" not in reply and "give your reference" in reply, reply
    with httpx.Client(
        base_url=f"{stack.settings.council_services_url}/api/v1",
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
    ) as service:
        application = service.get(f"/broadband/applications/{reference}").json()
    assert application["business_name"] == "Potteries Pots Ltd"
    assert application["voucher_pounds"] == 3000 and application["staff_count"] == 12
    assert application["postcode"] == "ST6 3JJ"
    assert application["conversation_id"] == resident.sender


def test_a_resident_is_told_what_help_exists(resident: Resident):
    resident.say_text("can I get a broadband voucher")
    reply = resident.say_text("it's for my home")
    assert "social tariff" in reply, reply
