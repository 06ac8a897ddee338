"""Safe delivery on the running stand-in (issue #15 item 6): keys and undelivered items.

The same ``Idempotency-Key`` on a create returns the first result and stores nothing new
(Open311 and the triage queue); a create without the header works as before (GeoReport
v2 clients know nothing of it). Items the assistant could not deliver are listed through
the staff API and shown on the staff console's ``/staff/undelivered`` page.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.contract.web.test_open311 import POTHOLE_FORM
from tests.contract.web.test_sqlite_concurrency import all_at_once
from tests.contract.web.test_staff_console import (
    StaffAccount,
    browser,
    create_staff_with_the_cli,
    sign_in,
)
from tests.contract.web.triage_data import TRIAGE, new_reference, record_body

if TYPE_CHECKING:
    from conftest import RunningServer

REQUESTS_JSON = "/open311/v2/requests.json"
UNDELIVERED = "/api/v1/undelivered"


def report(client: httpx.Client, server: RunningServer, key: str | None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    form = {"api_key": server.api_key, **POTHOLE_FORM, "description": f"hole {uuid.uuid4()}"}
    return client.post(REQUESTS_JSON, data=form, headers=headers)


def stored_reports(client: httpx.Client) -> int:
    return len(client.get(REQUESTS_JSON).json())


def test_open311_same_key_returns_the_first_report_and_creates_nothing(
    client: httpx.Client, council_services: RunningServer
) -> None:
    key = uuid.uuid4().hex
    first = report(client, council_services, key)
    assert first.status_code == 200, first.text
    before = stored_reports(client)
    again = report(client, council_services, key)  # a retry after a timeout
    assert again.status_code == 200
    assert again.json() == first.json()
    assert stored_reports(client) == before


def test_open311_same_key_sent_at_the_same_moment_creates_one_report(
    client: httpx.Client, council_services: RunningServer
) -> None:
    key = uuid.uuid4().hex
    before = stored_reports(client)

    def send() -> httpx.Response:
        with httpx.Client(base_url=council_services.base_url, timeout=30.0) as http:
            return report(http, council_services, key)

    responses = all_at_once([send] * 6)
    assert [r.status_code for r in responses] == [200] * 6
    assert len({r.json()[0]["service_request_id"] for r in responses}) == 1
    assert stored_reports(client) == before + 1


def test_open311_without_a_key_works_as_before(
    client: httpx.Client, council_services: RunningServer
) -> None:
    before = stored_reports(client)
    first = report(client, council_services, None)
    second = report(client, council_services, None)
    assert first.status_code == second.status_code == 200
    assert first.json()[0]["service_request_id"] != second.json()[0]["service_request_id"]
    assert stored_reports(client) == before + 2


def test_open311_refuses_a_malformed_key_with_the_error_array(
    client: httpx.Client, council_services: RunningServer
) -> None:
    response = report(client, council_services, "has spaces in it")
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400
    assert "Idempotency-Key" in response.json()[0]["description"]


def test_triage_same_key_returns_the_first_record(
    client: httpx.Client, council_services: RunningServer
) -> None:
    headers = {**council_services.staff_headers, "Idempotency-Key": uuid.uuid4().hex}
    count = client.get(TRIAGE, headers=council_services.staff_headers).json()["count"]
    first = client.post(TRIAGE, json=record_body(), headers=headers)
    assert first.status_code == 201, first.text
    # A retry: the body may even differ (a new reference is not asked for); nothing new.
    again = client.post(TRIAGE, json=record_body(), headers=headers)
    assert again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]
    after = client.get(TRIAGE, headers=council_services.staff_headers).json()["count"]
    assert after == count + 1


def notice(reference: str, reason: str) -> dict[str, object]:
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return {
        "reference": reference,
        "kind": "triage_record",
        "record_reference": reference,
        "reason": reason,
        "attempts": 1,
        "held_at": now,
        "failed_at": now,
    }


def test_undelivered_items_need_the_staff_token(
    client: httpx.Client, council_services: RunningServer
) -> None:
    reference = new_reference()
    assert client.get(UNDELIVERED).status_code == 401
    assert client.put(f"{UNDELIVERED}/{reference}", json=notice(reference, "x")).status_code == 401
    assert client.delete(f"{UNDELIVERED}/{reference}").status_code == 401


def test_undelivered_items_are_listed_updated_and_cleared(
    client: httpx.Client, council_services: RunningServer
) -> None:
    headers = council_services.staff_headers
    reference = new_reference()
    put = client.put(
        f"{UNDELIVERED}/{reference}", json=notice(reference, "HTTP 422: bad"), headers=headers
    )
    assert put.status_code == 200, put.text
    again = client.put(
        f"{UNDELIVERED}/{reference}", json=notice(reference, "HTTP 403: not yours"), headers=headers
    )
    assert again.status_code == 200
    listed = {
        item["reference"]: item for item in client.get(UNDELIVERED, headers=headers).json()["data"]
    }
    assert listed[reference]["reason"] == "HTTP 403: not yours"
    cleared = client.delete(f"{UNDELIVERED}/{reference}", headers=headers)
    assert cleared.status_code == 204
    listed = client.get(UNDELIVERED, headers=headers).json()["data"]
    assert reference not in {item["reference"] for item in listed}


@pytest.fixture
def signed_in(council_services: RunningServer) -> Iterator[httpx.Client]:
    account = StaffAccount(f"undelivered-{uuid.uuid4().hex[:8]}", "Undelivered Tester")
    create_staff_with_the_cli(council_services, account.username, account.display_name)
    with browser(council_services) as client:
        assert sign_in(client, account).status_code == 303
        yield client


def test_the_staff_page_shows_each_item_with_its_reference_and_reason(
    client: httpx.Client, council_services: RunningServer, signed_in: httpx.Client
) -> None:
    reference = new_reference()
    reason = "HTTP 422: <b>contact</b> is not valid"
    client.put(
        f"{UNDELIVERED}/{reference}",
        json=notice(reference, reason),
        headers=council_services.staff_headers,
    )
    page = signed_in.get("/staff/undelivered")
    assert page.status_code == 200
    assert reference in page.text
    assert html.escape(reason, quote=False) in page.text  # shown, and escaped
    assert "<b>contact</b>" not in page.text
    assert "Hand-off record" in page.text
    assert '<a href="/staff/undelivered">Undelivered</a>' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert "script" not in page.text.lower()


def test_the_staff_page_needs_a_sign_in(council_services: RunningServer) -> None:
    with browser(council_services) as client:
        response = client.get("/staff/undelivered")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/login")
