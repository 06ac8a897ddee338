"""The staff console (``/staff``) of the running stand-in, driven over HTTP like a browser.

A staff account is made with the real command line against the server's database, then
an ``httpx`` client signs in, works the queue, claims and resolves a record, and signs out.
Runs once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from markupsafe import escape

from tests.contract.web.conftest import REPO_ROOT
from tests.contract.web.triage_data import create_record as create
from tests.helpers import staff_sign_in

if TYPE_CHECKING:
    from conftest import RunningServer

PASSWORD = "console contract password"
ROW = re.compile(
    r'<tr><th scope="row"><a href="/staff/triage/(FD-\w{6})">.*?tag--p(\d).*?'
    r'<time datetime="([^"]+)">',
    re.DOTALL,
)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class StaffAccount:
    username: str
    display_name: str
    password: str = PASSWORD


def create_staff_with_the_cli(
    server: RunningServer, username: str, name: str, role: str = "caseworker"
) -> None:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(COUNCIL_SERVICES_DATABASE_URL=server.database_url, ENVIRONMENT="test")
    command = [
        sys.executable,
        "-m",
        "web",
        "create-staff",
        username,
        "--name",
        name,
        "--role",
        role,
        "--password-stdin",
    ]
    result = subprocess.run(
        command,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"Created staff account {username}" in result.stdout


@pytest.fixture(scope="session")
def staff_account(council_services: RunningServer) -> StaffAccount:
    """A staff account on this server's database, made with ``create-staff``."""
    username = f"console-{uuid.uuid4().hex[:8]}"
    display_name = "Console <b>Tester</b>"
    create_staff_with_the_cli(council_services, username, display_name)
    return StaffAccount(username, display_name)


def browser(server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=10.0, follow_redirects=False)


def sign_in(client: httpx.Client, account: StaffAccount) -> httpx.Response:
    return staff_sign_in(client, account.username, account.password)


@pytest.fixture
def console(council_services: RunningServer, staff_account: StaffAccount) -> Iterator[httpx.Client]:
    """A browser signed in as the staff account."""
    with browser(council_services) as client:
        response = sign_in(client, staff_account)
        assert response.status_code == 303, response.text
        yield client


def csrf_of(page: httpx.Response) -> str:
    match = CSRF.search(page.text)
    assert match, page.text
    return match.group(1)


def api_record(server: RunningServer, reference: str) -> dict[str, Any]:
    response = httpx.get(
        f"{server.base_url}/api/v1/triage/{reference}", headers=server.staff_headers
    )
    assert response.status_code == 200
    return response.json()


def api_audit(server: RunningServer, reference: str) -> list[tuple[str, str]]:
    response = httpx.get(
        f"{server.base_url}/api/v1/triage/{reference}/audit", headers=server.staff_headers
    )
    return [(entry["actor"], entry["action"]) for entry in response.json()["data"]]


# --- signing in -------------------------------------------------------------------------------


def test_pages_without_a_session_redirect_to_sign_in(council_services: RunningServer) -> None:
    with browser(council_services) as client:
        for response in (
            client.get("/staff"),
            client.get("/staff", params={"status": "all"}),
            client.get("/staff/triage/FD-ZZZZZZ"),
            client.post("/staff/triage/FD-ZZZZZZ/claim", data={"csrf_token": "x"}),
            client.post("/staff/triage/FD-ZZZZZZ/resolve", data={"note": "x"}),
        ):
            assert response.status_code == 303, response.text
            assert response.headers["location"] == "/staff/login"
        page = client.get("/staff/login")
        assert page.status_code == 200
        assert '<label for="username">' in page.text and '<label for="password">' in page.text


def test_a_wrong_password_or_unknown_user_is_refused_alike(
    council_services: RunningServer, staff_account: StaffAccount
) -> None:
    with browser(council_services) as client:
        wrong = staff_sign_in(client, staff_account.username, "nope" * 4)
        unknown = staff_sign_in(client, "nobody", PASSWORD)
        empty = staff_sign_in(client, "", "")
        for response in (wrong, unknown, empty):
            assert response.status_code == 400
            assert "fd_staff_session" not in response.headers.get("set-cookie", "")
            assert "There is a problem" in response.text
        assert "The username or password is not right" in wrong.text
        # Alike but for the username typed and the fresh sign-in token.
        assert CSRF.sub("", wrong.text.replace(staff_account.username, "nobody")) == CSRF.sub(
            "", unknown.text
        )
        assert client.get("/staff").status_code == 303


def test_the_session_cookie_is_locked_down(
    council_services: RunningServer, staff_account: StaffAccount
) -> None:
    with browser(council_services) as client:
        response = sign_in(client, staff_account)
        assert response.status_code == 303 and response.headers["location"] == "/staff"
        cookie = response.headers["set-cookie"]
        attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
        assert {"httponly", "samesite", "path", "max-age"} <= attributes
        assert "samesite=strict" in cookie.lower() and "path=/staff" in cookie.lower()
        assert "max-age=3600" in cookie.lower()  # STAFF_SESSION_MINUTES defaults to 60
        assert staff_account.username not in cookie.split(";")[0].split(".")[1]


def test_a_tampered_cookie_is_refused(
    council_services: RunningServer, console: httpx.Client
) -> None:
    value = console.cookies["fd_staff_session"]
    body, signature = value.split(".")
    with browser(council_services) as client:
        for forged in (f"{body}.{signature[::-1]}", f"{body[:-1]}A.{signature}", "junk"):
            client.cookies.set("fd_staff_session", forged, path="/staff")
            response = client.get("/staff")
            assert response.status_code == 303 and response.headers["location"] == "/staff/login"


# --- the whole flow ---------------------------------------------------------------------------


def test_queue_claim_resolve_and_sign_out(
    council_services: RunningServer, staff_account: StaffAccount, console: httpx.Client
) -> None:
    api = httpx.Client(base_url=council_services.base_url, timeout=10.0)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    made = {
        key: create(
            api,
            council_services,
            priority=priority,
            created_at=(now - timedelta(minutes=minutes)).isoformat(),
        )["reference"]
        for key, priority, minutes in (
            ("standard_old", 3, 50),
            ("urgent_new", 1, 5),
            ("high", 2, 30),
            ("urgent_old", 1, 40),
        )
    }
    api.close()

    queue = console.get("/staff")
    assert queue.status_code == 200
    assert "text/html" in queue.headers["content-type"]
    assert "<h1>Triage queue</h1>" in queue.text
    assert "<caption>" in queue.text and '<th scope="col">Priority</th>' in queue.text
    assert escape(staff_account.display_name) in queue.text
    rows = [(ref, int(p), datetime.fromisoformat(at)) for ref, p, at in ROW.findall(queue.text)]
    assert rows, queue.text
    assert [(p, at) for _, p, at in rows] == sorted((p, at) for _, p, at in rows)
    order = [ref for ref, _, _ in rows if ref in made.values()]
    assert order == [made["urgent_old"], made["urgent_new"], made["high"], made["standard_old"]]

    filtered = console.get("/staff", params={"priority": "1", "status": "new"})
    assert filtered.status_code == 200
    assert {int(p) for _, p, _ in ROW.findall(filtered.text)} == {1}
    assert made["high"] not in filtered.text

    reference = made["high"]
    page = console.get(f"/staff/triage/{reference}")
    assert page.status_code == 200
    assert f"<h1>Triage record {reference}</h1>" in page.text
    assert "can I talk to a person" in page.text  # the transcript
    assert "Jo Bloggs" in page.text  # the consented contact details
    assert f'action="/staff/triage/{reference}/claim"' in page.text

    claimed = console.post(f"/staff/triage/{reference}/claim", data={"csrf_token": csrf_of(page)})
    assert claimed.status_code == 303
    assert claimed.headers["location"] == f"/staff/triage/{reference}?done=claimed#banner-title"
    record = api_record(council_services, reference)
    assert (record["status"], record["assignee"]) == ("claimed", staff_account.username)

    # Post-redirect-get: the page the browser lands on says it worked, in a status region.
    page = console.get(claimed.headers["location"].split("#")[0])
    assert 'role="status"' in page.text and ">Record claimed</h2>" in page.text
    # The record says who has it by display name, not username.
    assert f"<dt>Assigned to</dt><dd>{escape(staff_account.display_name)}</dd>" in page.text
    assert "Claimed" in page.text and f'action="/staff/triage/{reference}/resolve"' in page.text
    assert 'name="resident_note"' in page.text and "Note for the resident" in page.text
    note = "Rang the resident back & explained the bill. <No further action>."
    for_resident = "Your bill is correct; we have explained it by phone."
    resolved = console.post(
        f"/staff/triage/{reference}/resolve",
        data={"csrf_token": csrf_of(page), "note": note, "resident_note": for_resident},
    )
    assert resolved.status_code == 303
    assert resolved.headers["location"].endswith("?done=resolved#banner-title")
    record = api_record(council_services, reference)
    assert (record["status"], record["resolution_note"]) == ("resolved", note)
    # The note for the resident is part of the conversation now, said by staff.
    assert record["transcript"][-1]["role"] == "staff"
    assert record["transcript"][-1]["text"] == for_resident
    page = console.get(f"/staff/triage/{reference}")
    assert escape(note) in page.text and "<No further action>" not in page.text
    assert "Reopen and claim" in page.text

    audit = api_audit(council_services, reference)
    me = staff_account.username
    for entry in ((me, "list"), (me, "view"), (me, "claim"), (me, "resolve")):
        assert entry in audit, audit
    assert audit.index((me, "claim")) < audit.index((me, "resolve"))

    signed_out = console.post("/staff/logout", data={"csrf_token": csrf_of(page)})
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/staff/login"
    assert "fd_staff_session" not in console.cookies
    response = console.get("/staff")
    assert response.status_code == 303 and response.headers["location"] == "/staff/login"


def test_user_text_is_escaped_everywhere(
    client: httpx.Client, council_services: RunningServer, console: httpx.Client
) -> None:
    script = '<script>alert("summary")</script>'
    image = "<img src=x onerror=alert(1)>"
    record = create(
        client,
        council_services,
        priority=1,
        summary=f"Urgent {script} help",
        vulnerability=[f"flag {image}"],
        journey="<b>journey</b>",
        transcript=[
            {"role": "resident", "text": f"hello {image} {script}", "at": "2026-11-01T10:00:00Z"}
        ],
        contact={"name": "<i>Evil</i> Name", "phone": None, "email": None, "preferred": None},
    )
    reference = record["reference"]
    for page in (
        console.get("/staff", params={"status": "all"}),
        console.get(f"/staff/triage/{reference}"),
    ):
        assert page.status_code == 200
        assert "<script" not in page.text.lower()
        assert "<img" not in page.text.lower() and "<i>Evil" not in page.text
        assert escape(script) in page.text
    page = console.get(f"/staff/triage/{reference}")
    for raw in (image, "<b>journey</b>", "<i>Evil</i> Name"):
        assert escape(raw) in page.text
    assert "<b>Tester</b>" not in page.text  # the staff display name is escaped too


def test_pages_are_not_cached_or_framed_and_use_only_local_styles(
    council_services: RunningServer, console: httpx.Client
) -> None:
    page = console.get("/staff")
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none'
    assert page.headers["x-frame-options"] == "DENY"
    assert "<script" not in page.text and "http" not in re.sub(r'href="/[^"]*"', "", page.text)
    stylesheet = console.get("/staff/console.css")
    assert stylesheet.status_code == 200
    assert stylesheet.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in stylesheet.text


# --- refusals ---------------------------------------------------------------------------------


def test_a_form_without_the_session_s_csrf_token_is_refused(
    client: httpx.Client,
    council_services: RunningServer,
    staff_account: StaffAccount,
    console: httpx.Client,
) -> None:
    reference = create(client, council_services)["reference"]
    with browser(council_services) as other:
        sign_in(other, staff_account)
        someone_elses_token = csrf_of(other.get(f"/staff/triage/{reference}"))
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": someone_elses_token}):
        response = console.post(f"/staff/triage/{reference}/claim", data=data)
        assert response.status_code == 403, response.text
        assert "This form has expired" in response.text
    assert console.post("/staff/logout", data={}).status_code == 403
    assert api_record(council_services, reference)["status"] == "new"


def test_resolving_needs_a_note(
    client: httpx.Client, council_services: RunningServer, console: httpx.Client
) -> None:
    reference = create(client, council_services)["reference"]
    token = csrf_of(console.get(f"/staff/triage/{reference}"))
    response = console.post(
        f"/staff/triage/{reference}/resolve", data={"csrf_token": token, "note": "   "}
    )
    assert response.status_code == 400
    assert "Enter a resolution note" in response.text and 'href="#note"' in response.text
    assert api_record(council_services, reference)["status"] == "new"


def test_a_stale_button_is_refused(
    client: httpx.Client,
    council_services: RunningServer,
    staff_account: StaffAccount,
    console: httpx.Client,
) -> None:
    reference = create(client, council_services)["reference"]
    token = csrf_of(console.get(f"/staff/triage/{reference}"))
    assert (
        client.patch(
            f"/api/v1/triage/{reference}",
            json={"status": "claimed", "assignee": "someone-else"},
            headers=council_services.staff_headers,
        ).status_code
        == 200
    )
    response = console.post(f"/staff/triage/{reference}/claim", data={"csrf_token": token})
    assert response.status_code == 409
    assert "This record has changed" in response.text
    assert api_record(council_services, reference)["assignee"] == "someone-else"
    missing = console.post("/staff/triage/FD-ZZZZZZ/claim", data={"csrf_token": token})
    assert missing.status_code == 404


def test_an_unknown_filter_value_is_explained(console: httpx.Client) -> None:
    response = console.get("/staff", params={"priority": "9", "category": "<script>"})
    assert response.status_code == 400
    assert "There is a problem" in response.text and "<script>" not in response.text
