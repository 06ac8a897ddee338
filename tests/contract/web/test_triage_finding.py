"""Finding a case on the running stand-in (issue #18 item 3): due-by, links, labels, banners.

The JSON API's extra fields (``due_by``, ``overdue``, ``linked``, ``labels``; extra fields
are allowed by contract section 6) and the console's pages, driven over HTTP like a browser.
Runs once on SQLite and once on PostgreSQL, sharing the server, so each test makes its own
records and conversations.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.contract.web.test_staff_console import (
    StaffAccount,
    browser,
    create_staff_with_the_cli,
    csrf_of,
    sign_in,
)
from tests.contract.web.triage_data import TRIAGE, create_record

if TYPE_CHECKING:
    from conftest import RunningServer


@pytest.fixture(scope="module")
def caseworker(council_services: RunningServer) -> StaffAccount:
    username = f"finder-{uuid.uuid4().hex[:8]}"
    create_staff_with_the_cli(council_services, username, "Fran Finder")
    return StaffAccount(username, "Fran Finder")


@pytest.fixture
def console(council_services: RunningServer, caseworker: StaffAccount) -> Iterator[httpx.Client]:
    with browser(council_services) as client:
        assert sign_in(client, caseworker).status_code == 303
        yield client


def _two_from_one_conversation(client: httpx.Client, server: RunningServer) -> tuple[dict, dict]:
    conversation = f"finding-{uuid.uuid4().hex[:12]}"
    long_ago = (datetime.now(timezone.utc) - timedelta(days=8)).replace(microsecond=0)
    first = create_record(
        client,
        server,
        conversation_id=conversation,
        created_at=long_ago.isoformat(),
        language="pl",
        journey="council_tax_cant_pay",
        vulnerability=["hardship"],
        priority=2,
    )
    second = create_record(client, server, conversation_id=conversation, channel="ivr")
    return first, second


def test_records_carry_due_by_overdue_links_and_labels(
    client: httpx.Client, council_services: RunningServer
) -> None:
    first, second = _two_from_one_conversation(client, council_services)
    headers = council_services.staff_headers
    late = client.get(f"{TRIAGE}/{first['reference']}", headers=headers).json()
    due = datetime.fromisoformat(late["due_by"].replace("Z", "+00:00"))
    created = datetime.fromisoformat(late["created_at"].replace("Z", "+00:00"))
    assert due.tzinfo is not None and created < due < created + timedelta(days=4)
    assert late["overdue"] is True
    assert late["linked"] == [second["reference"]]
    assert late["labels"]["language"] == "Polish"
    assert late["labels"]["journey"] == "I can't pay my council tax"
    assert late["labels"]["vulnerability"] == ["Financial hardship"]
    assert late["labels"]["priority"] == "2 – high"
    fresh = client.get(f"{TRIAGE}/{second['reference']}", headers=headers).json()
    assert fresh["overdue"] is False and fresh["linked"] == [first["reference"]]
    assert fresh["labels"]["channel"] == "Phone line"

    overdue = client.get(TRIAGE, params={"overdue": "true", "limit": 200}, headers=headers).json()
    found = {record["reference"] for record in overdue["data"]}
    assert first["reference"] in found and second["reference"] not in found
    assert all(record["overdue"] for record in overdue["data"])
    by_due = client.get(TRIAGE, params={"sort": "due", "limit": 200}, headers=headers).json()
    dues = [record["due_by"] for record in by_due["data"]]
    assert dues == sorted(dues)
    assert client.get(TRIAGE, params={"sort": "sideways"}, headers=headers).status_code == 422


def test_the_console_shows_labels_links_due_by_banners_and_a_quiet_history(
    client: httpx.Client,
    council_services: RunningServer,
    caseworker: StaffAccount,
    console: httpx.Client,
) -> None:
    first, second = _two_from_one_conversation(client, council_services)
    reference = first["reference"]

    queue = console.get("/staff", params={"due": "overdue", "sort": "due"})
    assert queue.status_code == 200
    row = re.search(
        rf'<tr><th scope="row"><a href="/staff/triage/{reference}">.*?</tr>', queue.text
    )
    assert row and '<strong class="tag tag--overdue">Overdue</strong>' in row.group(0)
    assert second["reference"] not in queue.text

    page = console.get(f"/staff/triage/{reference}")
    assert f'<a href="/staff/triage/{second["reference"]}">' in page.text
    assert "<dd>Polish</dd>" in page.text and "Financial hardship" in page.text
    assert "council_tax_cant_pay" not in page.text and "<dd>pl</dd>" not in page.text
    assert "<dt>Due by</dt>" in page.text

    claimed = console.post(f"/staff/triage/{reference}/claim", data={"csrf_token": csrf_of(page)})
    assert claimed.status_code == 303
    page = console.get(claimed.headers["location"].split("#")[0])
    assert 'role="status"' in page.text and ">Record claimed</h2>" in page.text
    assert "<dt>Assigned to</dt><dd>Fran Finder</dd>" in page.text

    released = console.post(
        f"/staff/triage/{reference}/unclaim", data={"csrf_token": csrf_of(page)}
    )
    page = console.get(released.headers["location"].split("#")[0])
    assert ">Record returned to the queue</h2>" in page.text

    history = page.text[page.text.index('<h2 id="history">') :]
    assert "<td>Fran Finder</td><td>Claimed</td>" in history
    assert "<td>Fran Finder</td><td>Returned to the queue</td>" in history
    assert "<td>Opened</td>" not in history and "Opened by Fran Finder" in history
    assert caseworker.username not in history
