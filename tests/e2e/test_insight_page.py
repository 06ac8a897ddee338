"""The service insight dashboard in real headless Chromium: signed in, readable, accessible.

The figures themselves are checked over JSON in test_insight.py; here a staff member signs
in, opens ``/staff/insight`` and the unanswered questions, and axe-core finds no serious or
critical problem. The JSON behind the dashboard refuses a request without the staff token.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.browser import create_staff, serious_violations

pytestmark = pytest.mark.e2e

PASSWORD = "insight browser password"


def test_the_insight_json_needs_the_staff_token(stack):
    url = f"{stack.settings.council_services_url}/api/v1/insight"
    refused = httpx.get(url, timeout=10)
    assert refused.status_code == 401
    assert "containment" not in refused.text
    allowed = httpx.get(
        url,
        headers={"Authorization": f"Bearer {stack.settings.staff_api_token.get_secret_value()}"},
        timeout=10,
    )
    assert allowed.status_code == 200


def test_the_dashboard_is_readable_and_accessible(page, stack):
    username = f"insight-{uuid.uuid4().hex[:8]}"
    create_staff(stack.council_services_database_url, username, PASSWORD,
                 name="Insight Tester", role="manager")  # fmt: skip
    page.goto("/staff/insight")
    assert page.url.endswith("/staff/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/insight")  # a manager account lands on the dashboard
    assert page.get_by_role("heading", level=1).inner_text() == "Service insight"
    charts = page.locator("svg[role='img']")
    assert charts.count() >= 3
    assert page.locator("table caption").count() >= charts.count()
    assert "Estimated cost avoided" in page.content()
    assert serious_violations(page) == []

    page.goto("/staff/insight/unanswered")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Questions")
    assert serious_violations(page) == []
