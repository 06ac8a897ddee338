"""Fuzzing the assistant through the REST channel with hostile and odd messages.

Generated messages (any unicode, right-to-left scripts, 10 kB walls of text, control
characters, SQL and HTML injection strings, button-payload look-alikes) go to the running
stack. Every message must get a reply, no process may die, and injected markup that
reaches a triage record must show as text, never as HTML, in the staff console.
The number of messages is bounded (``FUZZ_MESSAGES``) and the seed fixed, so a failure
can be replayed.
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.browser import create_staff
from tests.helpers import Resident, staff_sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FUZZ_MESSAGES = 60
TRIAGE_REF = re.compile(r"\b(FD-[2-9A-HJ-NP-Z]{6})\b")

INJECTIONS = [
    "'; DROP TABLE events; --",
    "1 OR 1=1",
    "Robert'); DELETE FROM triage_records;--",
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(1)",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "/restart",
    '/human_handoff{"name": "x"}',
    '/inform{"postcode": "ST4 2DX"}',
    "\u202eevil\u202c",
    "\x00\x01\x02\x1b[31mred",
    "%00%0d%0aSet-Cookie: x=y",
]
RIGHT_TO_LEFT = st.text(
    alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), min_size=1, max_size=80
) | st.text(alphabet=st.characters(min_codepoint=0x0590, max_codepoint=0x05FF), max_size=80)
MESSAGES = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(max_size=200),
    RIGHT_TO_LEFT,
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=50),
    st.integers(min_value=1, max_value=10_240).map(lambda n: ("pothole " * 2000)[:n]),
    st.builds(lambda s: s * 1000, st.text(min_size=10, max_size=12)),
)


def _post(stack, sender: str, message: str) -> httpx.Response:
    return httpx.post(
        f"{stack.settings.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message, "metadata": {"channel": "web"}},
        timeout=60,
    )


def test_every_generated_message_gets_a_reply_and_nothing_dies(stack):
    sender = f"fuzz-{uuid.uuid4().hex[:10]}"
    sent = []

    @settings(
        max_examples=FUZZ_MESSAGES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(MESSAGES)
    def one_message(message: str) -> None:
        sent.append(message)
        response = _post(stack, sender, message)
        assert response.status_code == 200, (message[:80], response.text[:200])
        replies = response.json()
        assert replies and any(r.get("text") for r in replies), message[:80]

    one_message()
    assert len(sent) >= FUZZ_MESSAGES // 2
    for service in stack.services:
        assert service.running, f"{service.name} died:\n{service.log_tail()}"
    # And the assistant still works for the next resident.
    assert "Where is the" in Resident(stack.settings.rasa_url).say_text("pothole on my street")


def test_injected_markup_shows_as_text_in_the_staff_console(stack, resident: Resident):
    payload = f"<script>alert('{uuid.uuid4().hex[:6]}')</script><img src=x onerror=alert(1)>"
    assert "what do you need help with" in resident.say_text("can i speak to a real person")
    described = resident.say_text(f"my landlord wrote {payload} on my door")
    reply = resident.say_text("no")
    assert "not sure how to help" not in reply, reply
    # The case reference comes after the "no"; or before it, when the crisis safety net
    # read the description as urgent (about 3% of random payloads) and opened the case.
    found = TRIAGE_REF.search(reply) or TRIAGE_REF.search(described)
    assert found, (described, reply)
    reference = found.group(1)

    username, password = f"fuzz-{uuid.uuid4().hex[:8]}", "fuzz console password"
    create_staff(stack.council_services.env["COUNCIL_SERVICES_DATABASE_URL"], username, password,
                 name="Fuzz Tester", role="caseworker")  # fmt: skip
    base = stack.settings.council_services_url
    with httpx.Client(base_url=base, timeout=10) as browser:
        signed_in = staff_sign_in(browser, username, password)
        assert signed_in.status_code == 303
        page = browser.get(f"/staff/triage/{reference}")
        assert page.status_code == 200
        assert "<script>alert(" not in page.text and "<img src=x" not in page.text
        assert "&lt;script&gt;alert(" in page.text
        queue = browser.get("/staff")
        assert "<script>alert(" not in queue.text
