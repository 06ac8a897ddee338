"""The council services go down mid-conversation: the report is kept and delivered."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from integrations.outbox import Outbox
from integrations.outbox.store import DELIVERED
from tests.helpers import Resident

pytestmark = pytest.mark.e2e

HOLDING = re.compile(r"\b(HR-[2-9A-HJ-NP-Z]{6})\b")


def test_report_made_during_an_outage_is_delivered_later(stack, open311):
    resident = Resident(stack.settings.rasa_url)
    description = f"Cracked paving slabs sticking up {uuid.uuid4().hex[:6]}"
    resident.say_text("the pavement is broken outside my house")
    resident.say_text("ST4 2DX")

    stack.council_services.stop()
    try:
        resident.say_text(description)
        resident.say_text("no")
        resident.say_text("no")
        reply = resident.say_text("yes")
        assert "isn't answering" in reply, reply
        holding = HOLDING.search(reply).group(1)
        outbox = Outbox(stack.settings.database)
        assert outbox.get(holding).status == "pending"
        assert "waiting to be sent" in Resident(stack.settings.rasa_url).say_text(
            f"status of {holding}"
        )
    finally:
        stack.council_services.start(stack.settings.var_dir / "logs")
        stack.wait_healthy(stack.council_services, time.monotonic() + 60)

    deadline = time.monotonic() + 90  # a deadline for slow, loaded machines; not a timing
    while outbox.get(holding).status != DELIVERED and time.monotonic() < deadline:
        time.sleep(0.5)
    item = outbox.get(holding)
    assert item.status == DELIVERED, item
    found = open311.get("/requests.json", params={"service_request_id": item.delivered_id}).json()
    assert found[0]["service_code"] == "PAVEMENT"
    assert description in found[0]["description"]

    reply = Resident(stack.settings.rasa_url).say_text(f"check {holding}")
    assert item.delivered_id in reply, reply
