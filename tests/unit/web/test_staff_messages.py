"""Staff write to the resident from the record (issue #18 item 1), and the record page.

A message goes into the web chat (a ``bot`` event marked as the staff member's, which the
page fetches like a case update) and, with consent and a UK mobile, through the SMS
gateway (the outbox). It is kept in the transcript with the sender's name and in the
audit log. The assistant's HTTP API is replaced by a recorder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from lib import case_updates
from tests.helpers import staff_sign_in
from tests.web_app import make_app
from web import assistant_link, chat_relay
from web.console_pages import references_in, verified_account
from web.core.config import DEV_STAFF_API_TOKEN, Settings
from web.crud_staff import create_staff
from web.models import SmsOutboxItem, TriageRecord
from web.roles import StaffRole

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class FakeRasa:
    """Records the HTTP API calls; answers each with ``status`` (or raises when down)."""

    def __init__(self) -> None:
        self.status = 200
        self.down = False
        self.calls: list[dict[str, Any]] = []

    def __call__(self, url: str, **kwargs: Any) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("down")
        self.calls.append({"url": url, **kwargs})
        return httpx.Response(self.status, request=httpx.Request("POST", url))


@pytest.fixture
def rasa(monkeypatch: pytest.MonkeyPatch) -> FakeRasa:
    fake = FakeRasa()
    monkeypatch.setattr(assistant_link.httpx, "post", fake)
    return fake


@pytest.fixture
def app(tmp_path: Path, rasa: FakeRasa) -> Iterator[Any]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'cs.db'}",
        environment="development",
        assistant_rasa_url="http://assistant.test:5005",
    )
    app = make_app(settings)
    with TestClient(app):
        with app.state.session_factory() as session:
            for role in StaffRole:
                create_staff(
                    session,
                    username=role.value,
                    password=PASSWORD,
                    role=role,
                    display_name=f"Sam {role.value.title()}",
                )
        yield app


@pytest.fixture
def api(app: Any) -> TestClient:
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {DEV_STAFF_API_TOKEN}"
    return client


def console(app: Any, role: StaffRole = StaffRole.CASEWORKER) -> TestClient:
    client = TestClient(app)
    assert staff_sign_in(client, role.value, PASSWORD).status_code == 303
    return client


def record(api: TestClient, channel: str = "web", contact: dict | None = None, **extra) -> str:
    body = {
        "conversation_id": f"{channel}-conversation-1",
        "channel": channel,
        "language": "en",
        "category": "street",
        "priority": 3,
        "summary": "Needs help with a pothole.",
        "transcript": [{"role": "resident", "text": "pothole", "at": "2026-11-23T10:00:00+00:00"}],
        **extra,
    }
    if contact is not None:
        body["contact"] = contact
    response = api.post("/api/v1/triage", json=body)
    assert response.status_code == 201, response.text
    return response.json()["reference"]


MOBILE = {"name": "Jo", "phone": "07700 900123", "preferred": "text"}


def outbox(app: Any) -> list[SmsOutboxItem]:
    with app.state.session_factory() as session:
        return list(session.execute(sa.select(SmsOutboxItem)).scalars())


def audit(api: TestClient, reference: str) -> list[tuple[str, str, str]]:
    entries = api.get(f"/api/v1/triage/{reference}/audit").json()["data"]
    return [(e["actor"], e["action"], e["detail"] or "") for e in entries]


# --- the API --------------------------------------------------------------------------------


def test_a_message_reaches_the_web_chat_and_is_kept_with_the_sender_s_name(
    api: TestClient, rasa: FakeRasa
) -> None:
    reference = record(api)
    response = api.post(
        f"/api/v1/triage/{reference}/messages",
        json={"text": "We have sent a crew today.", "sender_name": "Sam Jones"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["web_chat"], body["sms"]) == (True, False)
    assert body["line"]["role"] == "staff" and body["line"]["name"] == "Sam Jones"

    [call] = rasa.calls
    assert call["url"].endswith("/conversations/web-conversation-1/tracker/events")
    [event] = call["json"]
    assert event["event"] == "bot" and event["text"] == "We have sent a crew today."
    assert event["metadata"] == {
        case_updates.STAFF_MESSAGE: True,
        case_updates.STAFF_NAME: "Sam Jones",
    }

    stored = api.get(f"/api/v1/triage/{reference}").json()["transcript"]
    assert stored[-1]["role"] == "staff" and stored[-1]["name"] == "Sam Jones"
    assert stored[-1]["text"] == "We have sent a crew today."
    assert ("api-token", "message", "message to the resident by web chat") in audit(api, reference)
    assert outbox(api.app) == []


def test_a_text_message_needs_consent_and_a_mobile(api: TestClient, rasa: FakeRasa) -> None:
    without = record(api)
    refused = api.post(f"/api/v1/triage/{without}/messages", json={"text": "Hi", "sms": True})
    assert refused.status_code == 409 and "consent" in refused.json()["detail"]
    landline = record(api, contact={"phone": "01782 234567"})
    refused = api.post(f"/api/v1/triage/{landline}/messages", json={"text": "Hi", "sms": True})
    assert refused.status_code == 409
    assert rasa.calls == [] and outbox(api.app) == []

    reference = record(api, contact=MOBILE)
    response = api.post(
        f"/api/v1/triage/{reference}/messages",
        json={"text": "Crew booked.", "sender_name": "Sam Jones", "sms": True},
    )
    assert response.status_code == 201, response.text
    assert (response.json()["web_chat"], response.json()["sms"]) == (True, True)
    [sms] = outbox(api.app)
    assert sms.to_number == "+447700900123" and sms.status == "queued"
    assert sms.body.startswith("Crew booked.") and "Sam Jones" in sms.body
    assert reference in sms.body
    detail = "message to the resident by web chat and text message"
    assert ("api-token", "message", detail) in audit(api, reference)


def test_a_phone_caller_is_reached_only_by_text(api: TestClient, rasa: FakeRasa) -> None:
    caller = record(api, channel="ivr")
    refused = api.post(f"/api/v1/triage/{caller}/messages", json={"text": "Hello"})
    assert refused.status_code == 409 and "web chat" in refused.json()["detail"]

    with_mobile = record(api, channel="ivr", contact=MOBILE)
    sent = api.post(f"/api/v1/triage/{with_mobile}/messages", json={"text": "Hi", "sms": True})
    assert sent.status_code == 201 and sent.json()["web_chat"] is False
    assert rasa.calls == []  # nothing is put into a finished phone call
    assert len(outbox(api.app)) == 1


def test_an_unreachable_web_chat_stores_nothing(api: TestClient, rasa: FakeRasa) -> None:
    reference = record(api)
    rasa.down = True
    response = api.post(f"/api/v1/triage/{reference}/messages", json={"text": "Hello"})
    assert response.status_code == 503
    transcript = api.get(f"/api/v1/triage/{reference}").json()["transcript"]
    assert [line["role"] for line in transcript] == ["resident"]
    assert not [row for row in audit(api, reference) if row[1] == "message"]


def test_a_message_needs_words_and_the_token(api: TestClient) -> None:
    reference = record(api)
    assert api.post(f"/api/v1/triage/{reference}/messages", json={"text": "  "}).status_code == 422
    long = {"text": "x" * 501}
    assert api.post(f"/api/v1/triage/{reference}/messages", json=long).status_code == 422
    assert api.post("/api/v1/triage/FD-ZZZZZZ/messages", json={"text": "Hi"}).status_code == 404
    anonymous = TestClient(api.app)
    response = anonymous.post(f"/api/v1/triage/{reference}/messages", json={"text": "Hi"})
    assert response.status_code == 401


# --- the web chat fetches it ------------------------------------------------------------------


def test_the_web_chat_shows_a_staff_message_with_the_name() -> None:
    events = [
        {"event": "bot", "text": "Something else", "timestamp": 1.0, "metadata": {}},
        case_updates.staff_message_event("Crew booked.", "Sam Jones", 2.0),
        {"event": "bot", "text": "Forged", "timestamp": 3.0, "metadata": {"staff_message": "yes"}},
    ]
    updates, cursor = chat_relay.case_updates_in(events, None)
    assert updates == [{"text": "Sam Jones (council staff): Crew booked.", "at": 2.0}]
    assert cursor == 2.0
    assert chat_relay.case_updates_in(events, 2.0)[0] == []


# --- the console ------------------------------------------------------------------------------


def test_a_caseworker_replies_from_the_record_page(app: Any, api: TestClient, rasa) -> None:
    reference = record(api, contact=MOBILE)
    client = console(app)
    page = client.get(f"/staff/triage/{reference}")
    assert page.status_code == 200
    assert '<h2 id="message-the-resident">Message the resident</h2>' in page.text
    assert '<label for="reply">Your message</label>' in page.text
    assert '<label for="send_sms">Also send it as a text message to +447700900123' in page.text
    token = CSRF.search(page.text).group(1)

    forged = client.post(
        f"/staff/triage/{reference}/reply", data={"message": "Hi"}, follow_redirects=False
    )
    assert forged.status_code == 403 and rasa.calls == []

    empty = client.post(
        f"/staff/triage/{reference}/reply",
        data={"csrf_token": token, "message": "  "},
        follow_redirects=False,
    )
    assert empty.status_code == 400
    assert '<a href="#reply">Enter a message for the resident</a>' in empty.text

    sent = client.post(
        f"/staff/triage/{reference}/reply",
        data={"csrf_token": token, "message": "We fixed it <today>.", "send_sms": "1"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/staff/triage/{reference}?done=sent#banner-title"
    shown = client.get(sent.headers["location"].split("#")[0])
    assert '<h2 id="banner-title" tabindex="-1">Message sent</h2>' in shown.text
    assert "Staff (Sam Caseworker)" in shown.text
    assert "We fixed it &lt;today&gt;." in shown.text
    assert rasa.calls[0]["json"][0]["metadata"][case_updates.STAFF_NAME] == "Sam Caseworker"
    assert len(outbox(app)) == 1
    assert ("caseworker", "message", "message to the resident by web chat and text message") in (
        audit(api, reference)
    )


def test_without_a_way_to_reach_the_resident_there_is_no_form(app: Any, api: TestClient) -> None:
    reference = record(api, channel="ivr")
    page = console(app).get(f"/staff/triage/{reference}")
    assert "You cannot message this resident from here" in page.text
    assert 'name="message"' not in page.text


@pytest.mark.parametrize("role", [StaffRole.LIBRARY, StaffRole.MANAGER])
def test_only_caseworkers_and_admins_may_reply(app: Any, api: TestClient, rasa, role) -> None:
    reference = record(api)
    client = console(app, role)
    response = client.post(
        f"/staff/triage/{reference}/reply", data={"message": "Hi"}, follow_redirects=False
    )
    assert response.status_code == 403 and rasa.calls == []
    admin = console(app, StaffRole.ADMIN)
    token = CSRF.search(admin.get(f"/staff/triage/{reference}").text).group(1)
    ok = admin.post(
        f"/staff/triage/{reference}/reply",
        data={"csrf_token": token, "message": "Hi"},
        follow_redirects=False,
    )
    assert ok.status_code == 303


# --- the record page: links and the whole conversation --------------------------------------


def test_references_and_the_verified_account_are_shown_as_links(app: Any, api: TestClient) -> None:
    lines = [
        {"role": "system", "text": "Council tax account verified: 40012345",
         "at": "2026-11-23T10:00:00+00:00"},
        {"role": "assistant", "text": "Your report is SR-7K3Q9X. Booking PC-ABCDEF.",
         "at": "2026-11-23T10:01:00+00:00"},
        {"role": "resident", "text": "my old one was SR-2345AB", "at": "2026-11-23T10:02:00+00:00"},
        {"role": "assistant", "text": "Another case: FD-ABCDEF", "at": "2026-11-23T10:03:00+00:00"},
    ]  # fmt: skip
    reference = record(api, transcript=lines)
    with app.state.session_factory() as session:
        row = session.execute(
            sa.select(TriageRecord).where(TriageRecord.reference == reference)
        ).scalar_one()
        assert verified_account(row) == "40012345"
        assert references_in(row) == [
            ("SR-7K3Q9X", "street_report"),
            ("PC-ABCDEF", "pc_booking"),
            ("FD-ABCDEF", "triage"),
        ]
    page = console(app).get(f"/staff/triage/{reference}").text
    assert "<h2>References and account</h2>" in page
    assert "Council tax account <strong>40012345</strong>" in page
    assert '<a href="/open311/v2/requests/SR-7K3Q9X.json">SR-7K3Q9X</a>' in page
    assert '<a href="/staff/triage/FD-ABCDEF">FD-ABCDEF</a>' in page
    assert "SR-2345AB</a>" not in page  # typed by the resident: not one given here


def test_a_long_conversation_is_kept_whole_and_folded(app: Any, api: TestClient) -> None:
    at = "2026-11-23T10:{:02d}:{:02d}+00:00"
    lines = [
        {"role": "resident", "text": f"message {n}", "at": at.format(n // 60, n % 60)}
        for n in range(300)
    ]
    reference = record(api, transcript=lines)
    stored = api.get(f"/api/v1/triage/{reference}").json()["transcript"]
    assert len(stored) == 300  # the old limit kept the last 200 at most
    page = console(app).get(f"/staff/triage/{reference}").text
    assert "This is a long conversation: 300 messages." in page
    assert "<summary>Show the earlier 270 messages</summary>" in page
    assert 'start="271"' in page
    assert "message 0<" in page and "message 299<" in page
