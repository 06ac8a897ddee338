"""A library assisted session's staff panel against the running stand-in (issue #6).

A staff member made with ``create-staff`` signs in, starts an assisted session and lists
every place near the resident's postcode. Checked: the list has every place, nearest first,
with what staff need; and nothing is listed without a sign-in, the CSRF token or the
session's token. Runs once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.contract.council_services.conftest import RunningServer
from tests.contract.council_services.test_staff_console import (
    StaffAccount,
    browser,
    create_staff_with_the_cli,
    csrf_of,
    sign_in,
)

PLACE = re.compile(r'<li class="place" id="place-([a-z0-9-]+)">(.*?)</li>', re.DOTALL)
SEARCH = {"postcode": "ST4 2DX"}


@dataclass(frozen=True)
class AssistedSession:
    """What the chat page of a started session holds, and the browser that started it."""

    client: httpx.Client
    csrf_token: str
    conversation_id: str
    assist_token: str

    def fields(self) -> dict[str, str]:
        return {
            "csrf_token": self.csrf_token,
            "conversation_id": self.conversation_id,
            "assist_token": self.assist_token,
        }

    def places(self, **search: str) -> httpx.Response:
        return self.client.post("/staff/assisted/places", data={**self.fields(), **search})


@pytest.fixture(scope="module")
def librarian(council_services: RunningServer) -> StaffAccount:
    """A library staff account on this server's database."""
    username = f"library-{uuid.uuid4().hex[:8]}"
    create_staff_with_the_cli(council_services, username, "Library Tester")
    return StaffAccount(username, "Library Tester")


def _attribute(page: str, name: str) -> str:
    match = re.search(rf'{name}="([^"]+)"', page)
    assert match, page
    return match.group(1)


@pytest.fixture
def assisted(council_services: RunningServer, librarian: StaffAccount) -> Iterator[AssistedSession]:
    """A signed-in librarian with an assisted session started."""
    with browser(council_services) as client:
        assert sign_in(client, librarian).status_code == 303
        start = client.get("/staff/assisted")
        page = client.post("/staff/assisted/start", data={"csrf_token": csrf_of(start)})
        assert page.status_code == 200, page.text
        yield AssistedSession(
            client=client,
            csrf_token=_attribute(page.text, "data-csrf"),
            conversation_id=_attribute(page.text, "data-conversation"),
            assist_token=_attribute(page.text, "data-token"),
        )


def api_places(server: RunningServer, **params: str) -> list[dict]:
    response = httpx.get(
        f"{server.base_url}/api/v1/places", params={"limit": "50", **params}, timeout=120.0
    )
    response.raise_for_status()
    return response.json()["places"]


def listed(response: httpx.Response) -> dict[str, str]:
    """Place id to the text of its list item, in the order of the page."""
    return {place_id: html.unescape(item) for place_id, item in PLACE.findall(response.text)}


# --- the chat page and who may use the panel --------------------------------------------------


def test_the_session_page_offers_the_places_search(
    council_services: RunningServer, librarian: StaffAccount
) -> None:
    with browser(council_services) as client:
        sign_in(client, librarian)
        start = client.get("/staff/assisted")
        page = client.post("/staff/assisted/start", data={"csrf_token": csrf_of(start)}).text
    assert 'action="/staff/assisted/places"' in page and 'name="postcode"' in page
    assert 'id="assisted-output"' in page and 'src="/chat/assisted.js"' in page
    # Nothing the staff member types into the panel is remembered by the browser.
    assert page.count('autocomplete="off" data-assisted-form') == 1
    script = httpx.get(f"{council_services.base_url}/chat/assisted.js")
    assert script.status_code == 200 and "assisted-places" in script.text


def test_without_a_sign_in_nothing_is_listed(
    council_services: RunningServer, assisted: AssistedSession
) -> None:
    with browser(council_services) as stranger:
        response = stranger.post("/staff/assisted/places", data={**assisted.fields(), **SEARCH})
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login"
    assert 'class="place"' not in response.text


def test_without_the_csrf_or_session_token_nothing_is_listed(assisted: AssistedSession) -> None:
    forged_fields = [
        {**assisted.fields(), "csrf_token": ""},
        {**assisted.fields(), "csrf_token": "forged"},
        {**assisted.fields(), "assist_token": "9999999999.deadbeef"},
        {**assisted.fields(), "conversation_id": uuid.uuid4().hex},
    ]
    for fields in forged_fields:
        response = assisted.client.post("/staff/assisted/places", data={**fields, **SEARCH})
        assert response.status_code == 403, fields
        assert not PLACE.search(response.text)
    assert PLACE.search(assisted.places(**SEARCH).text)


# --- the list ---------------------------------------------------------------------------------


def test_every_place_is_listed_nearest_first_with_what_staff_need(
    council_services: RunningServer, assisted: AssistedSession
) -> None:
    response = assisted.places(postcode="st4 2dx")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    places = listed(response)
    expected = api_places(council_services, near="ST4 2DX")
    everything = api_places(council_services)
    assert len(places) == len(everything) > 3  # all of them, not the assistant's three
    assert list(places) == [place["id"] for place in expected]
    assert [p["distance_m"] for p in expected] == sorted(p["distance_m"] for p in expected)
    assert "places near ST4 2DX" in response.text

    library = places["city-central-library"]
    assert "Library · 1.1 km (0.7 miles)" in library
    assert re.search(r"Open now, until|Closed now\. Opens", library)
    assert "<dt>Public computers</dt><dd>20 (12 can be booked)</dd>" in library
    assert "<dd>Screen reader, large-key keyboard, hearing loop</dd>" in library
    assert "<dt>Staff help</dt><dd>Yes, staff can help</dd>" in library
    assert "Monday to Friday, 10am to 12 noon, one-to-one with staff" in library
    assert "Class: Getting started with computers: Tuesdays 2pm to 4pm" in library
    payzone = next(item for place_id, item in places.items() if place_id.startswith("payzone"))
    assert "<dt>Public computers</dt><dd>None</dd>" in payzone


def test_the_type_filter(council_services: RunningServer, assisted: AssistedSession) -> None:
    libraries = listed(assisted.places(postcode="ST6 3JJ", type="library"))
    expected = api_places(council_services, near="ST6 3JJ", type="library")
    assert list(libraries) == [place["id"] for place in expected] and len(libraries) > 3
    unknown = assisted.places(postcode="ST6 3JJ", type="pub")
    assert unknown.status_code == 400 and "Choose a type of place" in unknown.text


@pytest.mark.parametrize(
    ("postcode", "status", "message"),
    [
        ("", 400, "Enter the resident's postcode"),
        ("somewhere nice", 400, "does not look like a full postcode"),
        ("ST1 9XX", 404, "could not find that postcode"),
        ("ST5 2SX", 422, "outside the council's area"),
    ],
)
def test_a_postcode_that_cannot_be_used_gets_a_kind_message(
    assisted: AssistedSession, postcode: str, status: int, message: str
) -> None:
    response = assisted.places(postcode=postcode)
    assert response.status_code == status
    assert message in html.unescape(response.text)
    assert not PLACE.search(response.text)
