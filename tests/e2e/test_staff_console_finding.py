"""Finding and working a case in the staff console, in real headless Chromium (issue #18).

A caseworker signs in, filters the queue to overdue records, opens one, sees plain-English
labels and the record linked from the same conversation, claims it and lands on a success
banner that has focus; axe-core finds no serious or critical problem on either page.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from tests.e2e.browser import create_staff, serious_violations

pytestmark = pytest.mark.e2e

PASSWORD = "finding browser password"


def _hand_off(stack, conversation: str, **fields) -> str:
    body = {
        "conversation_id": conversation,
        "channel": "web",
        "language": "pl",
        "category": "council_tax",
        "priority": 2,
        "vulnerability": ["hardship"],
        "summary": "Resident cannot pay their council tax this month.",
        "transcript": [],
        "journey": "council_tax_cant_pay",
        **fields,
    }
    response = httpx.post(
        f"{stack.settings.council_services_url}/api/v1/triage",
        json=body,
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def test_a_caseworker_finds_an_overdue_case_and_claims_it(page, stack):
    conversation = f"finding-{uuid.uuid4().hex[:12]}"
    long_ago = datetime.now(timezone.utc) - timedelta(days=9)
    late = _hand_off(stack, conversation, created_at=long_ago.isoformat())
    later = _hand_off(stack, conversation)
    username = f"casey-{uuid.uuid4().hex[:8]}"
    create_staff(stack.council_services_database_url, username, PASSWORD,
                 name="Casey Worker", role="caseworker")  # fmt: skip

    page.goto("/staff/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff")

    page.get_by_label("Due by").select_option("overdue")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/staff?*due=overdue*")
    row = page.get_by_role("row").filter(has_text=late)
    assert "Overdue" in row.inner_text()
    assert page.get_by_role("link", name=later).count() == 0
    assert serious_violations(page) == []

    page.get_by_role("link", name=late).click()
    page.wait_for_url(f"**/staff/triage/{late}")
    text = page.locator("main").inner_text()
    assert "Polish" in text and "I can't pay my council tax" in text
    assert "council_tax_cant_pay" not in text
    assert page.get_by_role("link", name=f"Triage record {later}").count() == 1

    page.get_by_role("button", name="Claim this record").click()
    page.wait_for_url(f"**/staff/triage/{late}?done=claimed#banner-title")
    banner = page.get_by_role("status")
    assert "Record claimed" in banner.inner_text()
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused == "banner-title"
    assert "Casey Worker" in page.locator("main").inner_text()
    assert serious_violations(page) == []
