"""The printed summary of a library assisted session (issue #18 item 5), against the stand-in.

Staff print, for a resident with no phone, the references given in the session, the
computer booking (place, day, time, address, opening hours) and what happens next. Checked:
what the page holds and what it leaves out, that it is print-ready, and that only library
and admin staff with the session's tokens can open it. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator

import pytest

from tests.contract.web import test_assisted as base
from tests.contract.web.conftest import RunningServer
from tests.contract.web.test_assisted import (
    BOOKING_REFERENCE,
    AssistedSession,
    _attribute,
    open_weekday,
)
from tests.contract.web.test_staff_console import (
    StaffAccount,
    browser,
    create_staff_with_the_cli,
    csrf_of,
    sign_in,
)

SUMMARY = "/staff/assisted/summary"
# The signed-in librarian and the assisted session of test_assisted.py.
librarian = base.librarian
assisted = base.assisted


def _text(page: str) -> str:
    """The page's words, tags dropped, spaces folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_summary_has_the_booking_references_and_next_steps(
    assisted: AssistedSession,
) -> None:
    thursday = open_weekday(3, weeks_ahead=2)
    booked = assisted.book("city-central-library", thursday, "17:30", 60)
    assert booked.status_code == 201, booked.text
    reference = BOOKING_REFERENCE.search(booked.text).group(1)
    chat_refs = {"reference": ["SR-7K3Q9X", "sr 7k3q9x", "not-a-ref", "FD-23456A"]}
    response = assisted.client.post(SUMMARY, data={**assisted.fields(), **chat_refs})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    text = _text(response.text)
    assert f"{reference} Computer booking" in text
    assert "SR-7K3Q9X Street problem report" in text and text.count("SR-7K3Q9X") == 2
    assert "FD-23456A Request to speak to someone" in text
    assert "not-a-ref" not in text
    day = f"{thursday:%A} {thursday.day} {thursday:%B %Y}"
    assert f"When {day}, 5.30pm to 6.30pm" in text
    assert "Address " in text and "Open that day 9am to 7pm" in text
    assert f"{reference}: Arrive a few minutes early" in text
    assert "18:30" not in text and "km" not in text
    # Nothing about the resident beyond what they need: not the postcode searched for, nor
    # who helped them.
    assert "ST4 2DX" not in text
    assert "library-" not in response.text
    assert "Library Tester" not in text


def test_the_summary_is_print_ready(council_services: RunningServer, assisted: AssistedSession):
    response = assisted.client.post(SUMMARY, data=assisted.fields())
    assert response.status_code == 200
    assert "No references were given in this session." in response.text
    assert '<link rel="stylesheet" href="/staff/assisted/assisted.css">' in response.text
    assert 'class="summary-actions no-print"' in response.text and "data-print" in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    css = assisted.client.get("/staff/assisted/assisted.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "@media print" in css.text and ".no-print { display: none" in css.text


def test_the_panel_offers_the_summary(assisted: AssistedSession) -> None:
    start = assisted.client.get("/staff/assisted")
    page = assisted.client.post("/staff/assisted/start", data={"csrf_token": csrf_of(start)})
    assert f'action="{SUMMARY}" target="_blank"' in page.text
    assert "Print a summary for the resident" in page.text
    assert '<link rel="stylesheet" href="/staff/assisted/assisted.css">' in page.text


def test_one_sessions_summary_does_not_show_anothers_booking(
    council_services: RunningServer, assisted: AssistedSession, librarian: StaffAccount
) -> None:
    friday = open_weekday(4, weeks_ahead=2)
    booked = assisted.book("meir-library", friday, "10:00", 30)
    assert booked.status_code == 201, booked.text
    reference = BOOKING_REFERENCE.search(booked.text).group(1)
    start = assisted.client.get("/staff/assisted")
    page = assisted.client.post("/staff/assisted/start", data={"csrf_token": csrf_of(start)})
    other = {
        "csrf_token": _attribute(page.text, "data-csrf"),
        "conversation_id": _attribute(page.text, "data-conversation"),
        "assist_token": _attribute(page.text, "data-token"),
    }
    response = assisted.client.post(SUMMARY, data=other)
    assert response.status_code == 200
    assert reference not in response.text


def test_without_the_csrf_or_session_token_there_is_no_summary(
    assisted: AssistedSession,
) -> None:
    booked = assisted.book("meir-library", open_weekday(2, weeks_ahead=2), "11:00", 30)
    reference = BOOKING_REFERENCE.search(booked.text).group(1)
    for fields in [
        {**assisted.fields(), "csrf_token": "forged"},
        {**assisted.fields(), "assist_token": "9999999999.deadbeef"},
        {**assisted.fields(), "conversation_id": uuid.uuid4().hex},
    ]:
        response = assisted.client.post(SUMMARY, data=fields)
        assert response.status_code == 403
        assert reference not in response.text


@pytest.fixture
def admin_session(council_services: RunningServer) -> Iterator[AssistedSession]:
    account = StaffAccount(f"admin-{uuid.uuid4().hex[:8]}", "Admin Tester")
    create_staff_with_the_cli(council_services, account.username, "Admin Tester", role="admin")
    with browser(council_services) as client:
        assert sign_in(client, account).status_code == 303
        start = client.get("/staff/assisted")
        page = client.post("/staff/assisted/start", data={"csrf_token": csrf_of(start)})
        assert page.status_code == 200
        yield AssistedSession(
            client,
            _attribute(page.text, "data-csrf"),
            _attribute(page.text, "data-conversation"),
            _attribute(page.text, "data-token"),
        )


def test_an_admin_may_print_a_summary(admin_session: AssistedSession) -> None:
    assert admin_session.client.post(SUMMARY, data=admin_session.fields()).status_code == 200


@pytest.mark.parametrize("role", ["caseworker", "manager"])
def test_other_roles_may_not_print_a_summary(
    council_services: RunningServer, assisted: AssistedSession, role: str
) -> None:
    """A caseworker or manager with a library session's genuine tokens is still refused."""
    booked = assisted.book("meir-library", open_weekday(1, weeks_ahead=2), "14:00", 30)
    reference = BOOKING_REFERENCE.search(booked.text).group(1)
    account = StaffAccount(f"{role}-{uuid.uuid4().hex[:8]}", f"{role} tester")
    create_staff_with_the_cli(council_services, account.username, account.display_name, role=role)
    with browser(council_services) as client:
        assert sign_in(client, account).status_code == 303
        home = {"caseworker": "/staff", "manager": "/staff/insight"}[role]
        csrf = csrf_of(client.get(home))  # their own genuine token: only the role is wrong
        response = client.post(SUMMARY, data={**assisted.fields(), "csrf_token": csrf})
        assert response.status_code == 403
        assert reference not in response.text
