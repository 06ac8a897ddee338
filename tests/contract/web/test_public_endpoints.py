"""No public endpoint shows a resident's personal data (issue #15 item 2).

Open311 needs no login, so the test plants an NI number, bank details, an IBAN, a phone
number and a date of birth in a report posted through the API (description, address
and staff notes), in a triage hand-off and in a text message, then reads every GET route
of the application without credentials and looks for them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import httpx
from fastapi.routing import APIRoute

from tests.contract.web.triage_data import create_record
from tests.web_app import make_app
from web.core.config import Settings

if TYPE_CHECKING:
    from conftest import RunningServer

REQUESTS = "/open311/v2/requests.json"
PLANTED = (
    "NI QQ 12 34 56 C, sort code 40-11-62 account 31926819, IBAN GB29 NWBK 6016 1331 9268 19, "
    "ring 07700 900457 or +44 7700 900458, DOB 14/02/1979"
)
#: Every way the planted values could leak, also in part.
SECRETS = (
    "12 34 56", "QQ123456", "40-11-62", "401162", "31926819", "NWBK", "6016 1331",
    "07700 900457", "900457", "7700 900458", "900458", "14/02/1979",
)  # fmt: skip
POTHOLE = {
    "service_code": "POTHOLE",
    "lat": "53.01191",
    "long": "-2.17825",
    "attribute[depth]": "over_10cm",
}


def _plant(client: httpx.Client, server: RunningServer) -> str:
    """Post a report, staff notes, a triage record and a text holding the planted data."""
    form = {
        "api_key": server.api_key,
        **POTHOLE,
        "description": f"Deep hole by the bus stop. {PLANTED}",
        "address_string": f"12 Leek Road, {PLANTED}",
        "phone": "07700 900457",
        "email": "jo.bloggs.public@example.org",
    }
    created = client.post(REQUESTS, data=form)
    assert created.status_code == 200, created.text
    reference = created.json()[0]["service_request_id"]
    notes = client.patch(
        f"/api/v1/reports/{reference}",
        json={"status_notes": f"Called the resident back. {PLANTED}"},
        headers=server.staff_headers,
    )
    assert notes.status_code == 200, notes.text
    create_record(
        client,
        server,
        summary=f"Needs help. {PLANTED}",
        contact={"name": "Jo", "phone": "07700900457", "email": None, "preferred": "phone"},
    )
    text = client.post(
        "/api/v1/sms",
        json={"to": "+447700900457", "body": f"Ref {reference}", "conversation_id": "c-1"},
        headers=server.staff_headers,
    )
    assert text.status_code == 201, text.text
    return reference


def _public_urls(reference: str) -> list[str]:
    """A URL for every GET route of the application, path parameters filled in."""
    app = make_app(Settings(database_url="sqlite://", environment="test"))
    values = {"service_code": "POTHOLE", "service_request_id": reference, "name": "widget.js"}
    urls = ["/", "/widget.js", "/openapi.json", "/docs"]
    for route in app.routes:
        if not isinstance(route, APIRoute) or "GET" not in route.methods:
            continue
        urls.append(re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), reference), route.path))
    urls += [
        f"{REQUESTS}?service_request_id={reference}",
        f"{REQUESTS}?status=open",
        f"{REQUESTS}?service_code=POTHOLE",
        "/api/v1/triage?q=07700900457",
        "/api/v1/places?near=ST4%202DX",
    ]
    return sorted(set(urls))


def test_no_public_endpoint_shows_planted_personal_data(
    client: httpx.Client, council_services: RunningServer
) -> None:
    reference = _plant(client, council_services)
    anonymous = httpx.Client(base_url=council_services.base_url, timeout=20.0)
    read = 0
    with anonymous:
        for url in _public_urls(reference):
            response = anonymous.get(url, follow_redirects=True)
            read += 1
            for secret in SECRETS:
                assert secret not in response.text, f"{url} shows {secret!r}"
        single = anonymous.get(f"/open311/v2/requests/{reference}.json").json()[0]
        listed = anonymous.get(REQUESTS, params={"service_request_id": reference}).json()[0]
    assert read > 30
    # The report is there, redacted, not hidden: the test would see a leak.
    for item in (single, listed):
        assert item["description"].startswith("Deep hole by the bus stop. NI [NI number]")
        assert "[sort code]" in item["description"] and "[IBAN]" in item["description"]
        assert "[phone]" in item["description"] and "[date of birth]" in item["description"]
        assert item["address"].startswith("12 Leek Road, NI [NI number]")
        assert item["status_notes"].startswith("Called the resident back. NI [NI number]")


def test_staff_still_see_the_contact_details_the_resident_gave(
    client: httpx.Client, council_services: RunningServer
) -> None:
    reference = _plant(client, council_services)
    view = client.get(f"/api/v1/reports/{reference}", headers=council_services.staff_headers)
    assert view.status_code == 200, view.text
    body = view.json()
    assert body["contact"]["phone"] == "07700 900457"
    assert "[NI number]" in body["description"]  # stored redacted, for staff too
