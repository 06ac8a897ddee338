"""Staff pages name staff by their display names, never by the username they sign in with.

The text-message page (``/staff/sms``) and the undelivered page (``/staff/undelivered``)
are checked with rows on them, including a text a staff member sent from a record; then
every other console page without a path parameter is checked the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from lib.references import new_reference
from tests.helpers import staff_sign_in
from web import assistant_link, crud_delivery
from web.core.config import DEV_STAFF_API_TOKEN, Settings
from web.crud_staff import create_staff
from web.delivery_models import UndeliveredNotice
from web.main import create_app
from web.roles import StaffRole

PASSWORD = "correct horse battery"
USERNAME = "jbloggs"
DISPLAY_NAME = "Jo Bloggs"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TABLE_BODY = re.compile(r"<tbody>(.*?)</tbody>", re.S)


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # The assistant takes every staff message (its HTTP API is not running here).
    def accepted(url: str, **_: Any) -> httpx.Response:
        return httpx.Response(200, request=httpx.Request("POST", url))

    monkeypatch.setattr(assistant_link.httpx, "post", accepted)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'cs.db'}",
        environment="development",
        assistant_rasa_url="http://assistant.test:5005",
    )
    app = create_app(settings)
    with TestClient(app):
        with app.state.session_factory() as session:
            create_staff(
                session,
                username=USERNAME,
                password=PASSWORD,
                role=StaffRole.ADMIN,
                display_name=DISPLAY_NAME,
            )
        yield app


@pytest.fixture
def staff(app: Any) -> TestClient:
    client = TestClient(app)
    assert staff_sign_in(client, USERNAME, PASSWORD).status_code == 303
    return client


def _shows_the_display_name_only(page: str) -> None:
    assert f"<p>{DISPLAY_NAME}</p>" in page, "the signed-in name is missing"
    assert USERNAME not in page


def _triage_record(app: Any) -> str:
    api = TestClient(app)
    api.headers["Authorization"] = f"Bearer {DEV_STAFF_API_TOKEN}"
    body = {
        "conversation_id": "web-conversation-1",
        "channel": "web",
        "language": "en",
        "category": "street",
        "priority": 3,
        "summary": "Needs help with a pothole.",
        "transcript": [{"role": "resident", "text": "pothole", "at": "2026-11-23T10:00:00+00:00"}],
        "contact": {"name": "Sam", "phone": "07700 900123", "preferred": "text"},
    }
    response = api.post("/api/v1/triage", json=body)
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def test_the_text_messages_page_shows_the_sender_s_display_name(
    app: Any, staff: TestClient
) -> None:
    reference = _triage_record(app)
    token = CSRF.search(staff.get(f"/staff/triage/{reference}").text).group(1)
    sent = staff.post(
        f"/staff/triage/{reference}/reply",
        data={"csrf_token": token, "message": "The crew comes today.", "send_sms": "1"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    page = staff.get("/staff/sms")
    assert page.status_code == 200
    [rows] = TABLE_BODY.findall(page.text)
    assert "The crew comes today." in rows and DISPLAY_NAME in rows
    _shows_the_display_name_only(page.text)


def test_the_undelivered_page_shows_the_display_name(app: Any, staff: TestClient) -> None:
    held = new_reference("HR")
    at = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    with app.state.session_factory() as session:
        crud_delivery.save_undelivered(
            session,
            notice=UndeliveredNotice(
                reference=held,
                kind="open311_request",
                record_reference=held,
                reason="The council's system refused the report.",
                attempts=3,
                held_at=at,
                failed_at=at,
            ),
        )
    page = staff.get("/staff/undelivered")
    assert page.status_code == 200
    assert held in page.text
    _shows_the_display_name_only(page.text)


def test_no_console_page_shows_a_username(app: Any, staff: TestClient) -> None:
    paths = sorted(
        route.path
        for route in app.routes
        if isinstance(route, APIRoute)
        and route.path.startswith("/staff")
        and "GET" in route.methods
        and "{" not in route.path
        and route.path not in {"/staff/login", "/staff/logout"}
    )
    assert {"/staff/sms", "/staff/undelivered"} <= set(paths)
    checked = 0
    for path in paths:
        response = staff.get(path)
        if response.status_code != 200 or "text/html" not in response.headers["content-type"]:
            continue
        assert USERNAME not in response.text, path
        checked += 1
    assert checked >= 5
