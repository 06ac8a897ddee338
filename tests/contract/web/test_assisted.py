"""A library assisted session's staff panel against the running stand-in (issue #6).

A staff member made with ``create-staff`` signs in, starts an assisted session, lists every
place near the resident's postcode and books a public computer for them. Checked: the list
has every place, nearest first, with what staff need; a booking gets a reference and is
marked assisted in the database; the booking rules and their reasons are the residents'
own; and nothing works without a sign-in, the CSRF token or the session's token.
Runs once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import httpx
import pytest
import sqlalchemy as sa

from lib.references import REFERENCE_ALPHABET
from tests.contract.web.conftest import RunningServer
from tests.contract.web.test_places import next_weekday
from tests.contract.web.test_staff_console import (
    StaffAccount,
    browser,
    create_staff_with_the_cli,
    csrf_of,
    sign_in,
)

PLACE = re.compile(r'<li class="place" id="place-([a-z0-9-]+)">(.*?)</li>', re.DOTALL)
BOOKING_REFERENCE = re.compile(r'<strong class="ref">(PC-[2-9A-HJ-NP-Z]{6})</strong>')
REFUSAL = re.compile(r'booking-result--refused" role="alert">.*?<p[^>]*>(.*?)</p>', re.DOTALL)
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

    def book(self, place_id: str, day: date, time: str, minutes: int) -> httpx.Response:
        booking = {"place_id": place_id, "date": day.isoformat(), "time": time,
                   "minutes": str(minutes), **SEARCH}  # fmt: skip
        return self.client.post("/staff/assisted/bookings", data={**self.fields(), **booking})


@pytest.fixture(scope="module")
def librarian(council_services: RunningServer) -> StaffAccount:
    """A library staff account on this server's database."""
    username = f"library-{uuid.uuid4().hex[:8]}"
    create_staff_with_the_cli(council_services, username, "Library Tester", role="library")
    return StaffAccount(username, "Library Tester")


def open_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    """A day on ``weekday`` about ``weeks_ahead`` weeks away, clear of the Christmas closures."""
    day = next_weekday(weekday, weeks_ahead)
    while (day.month, day.day) >= (12, 24) or (day.month, day.day) == (1, 1):
        day += timedelta(weeks=1)
    return day


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


def refusal(response: httpx.Response) -> str:
    match = REFUSAL.search(response.text)
    assert match, response.text
    return html.unescape(match.group(1))


def assisted_marks(server: RunningServer, reference: str) -> tuple[bool, str | None]:
    """``assisted`` and ``assisted_by`` of a booking, read from the database itself."""
    engine = sa.create_engine(server.database_url, future=True)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                sa.text("SELECT assisted, assisted_by FROM pc_bookings WHERE reference = :r"),
                {"r": reference},
            ).one()
    finally:
        engine.dispose()
    return bool(row.assisted), row.assisted_by


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
    # The panel's script reads the reference scheme from the page (lib/references.py).
    assert '<script type="application/json" id="chat-data">' in page
    assert f'"alphabet":"{REFERENCE_ALPHABET}"' in page
    # Nothing the staff member types into the panel is remembered by the browser.
    assert page.count('autocomplete="off" data-assisted-form') == 1
    script = httpx.get(f"{council_services.base_url}/chat/assisted.js")
    assert script.status_code == 200 and "frontdoor:cleared" in script.text
    chat = httpx.get(f"{council_services.base_url}/chat/chat.js").text
    assert 'dispatchEvent(new CustomEvent("frontdoor:cleared"))' in chat


def test_without_a_sign_in_nothing_is_listed_or_booked(
    council_services: RunningServer, assisted: AssistedSession
) -> None:
    monday = open_weekday(0, weeks_ahead=1)
    with browser(council_services) as stranger:
        for path, extra in [
            ("/staff/assisted/places", SEARCH),
            ("/staff/assisted/bookings", {"place_id": "meir-library", "date": monday.isoformat(),
                                          "time": "10:00", "minutes": "30", **SEARCH}),
        ]:  # fmt: skip
            response = stranger.post(path, data={**assisted.fields(), **extra})
            assert response.status_code == 303, path
            assert response.headers["location"] == "/staff/login"
            assert "PC-" not in response.text and 'class="place"' not in response.text


def test_without_the_csrf_or_session_token_nothing_is_listed_or_booked(
    assisted: AssistedSession,
) -> None:
    monday = open_weekday(0, weeks_ahead=1)
    booking = {"place_id": "meir-library", "date": monday.isoformat(), "time": "11:00",
               "minutes": "30", **SEARCH}  # fmt: skip
    forged_fields = [
        {**assisted.fields(), "csrf_token": ""},
        {**assisted.fields(), "csrf_token": "forged"},
        {**assisted.fields(), "assist_token": "9999999999.deadbeef"},
        {**assisted.fields(), "conversation_id": uuid.uuid4().hex},
    ]
    for fields in forged_fields:
        for path, extra in [("/staff/assisted/places", SEARCH),
                            ("/staff/assisted/bookings", booking)]:  # fmt: skip
            response = assisted.client.post(path, data={**fields, **extra})
            assert response.status_code == 403, (path, fields)
            assert not PLACE.search(response.text) and not BOOKING_REFERENCE.search(response.text)
    # The same booking with the genuine fields shows the slot was never taken.
    assert assisted.book("meir-library", monday, "11:00", 30).status_code == 201


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
    assert "Library · 0.7 miles" in library
    assert re.search(r"Open now, until|Closed now\. Opens", library)
    assert "<dt>Public computers</dt><dd>20 (12 can be booked)</dd>" in library
    assert "<dd>Screen reader, large-key keyboard, hearing loop</dd>" in library
    assert "<dt>Staff help</dt><dd>Yes, staff can help</dd>" in library
    assert "Monday to Friday, 10am to 12 noon, one-to-one with staff" in library
    assert "Class: Getting started with computers: Tuesdays 2pm to 4pm" in library
    assert 'action="/staff/assisted/bookings"' in library
    payzone = next(item for place_id, item in places.items() if place_id.startswith("payzone"))
    assert "<dt>Public computers</dt><dd>None</dd>" in payzone
    assert "/staff/assisted/bookings" not in payzone  # nothing to book there


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


# --- booking for the resident -----------------------------------------------------------------


def test_a_booking_for_the_resident_gets_a_reference_and_is_marked_assisted(
    council_services: RunningServer, assisted: AssistedSession, librarian: StaffAccount
) -> None:
    monday = open_weekday(0, weeks_ahead=2)
    response = assisted.book("city-central-library", monday, "15:00", 60)
    assert response.status_code == 201, response.text
    reference = BOOKING_REFERENCE.search(response.text).group(1)
    text = html.unescape(response.text)
    assert "Give the resident this reference:" in text
    assert (
        f"City Central Library, computer 1, Monday {monday.day} {monday:%B %Y}, 3pm to 4pm" in text
    )
    assert "marked as made in an assisted session" in text
    assert listed(response)  # the list is still there below the reference

    assert assisted_marks(council_services, reference) == (True, librarian.username)
    public = httpx.get(f"{council_services.base_url}/api/v1/bookings/{reference}").json()
    assert (public["assisted"], public["time"], public["minutes"]) == (True, "15:00", 60)
    assert librarian.username not in str(public)
    # The resident can cancel it later in the same assisted conversation, and nobody else.
    session = {"conversation_id": f"library-{assisted.conversation_id}"}
    stranger = httpx.request(
        "DELETE", f"{council_services.base_url}/api/v1/bookings/{reference}",
        json={"conversation_id": f"web-{assisted.conversation_id}"},
    )  # fmt: skip
    assert stranger.status_code == 403
    cancelled = httpx.request(
        "DELETE", f"{council_services.base_url}/api/v1/bookings/{reference}", json=session
    )
    assert cancelled.status_code == 200, cancelled.text
    # A resident's own booking is not marked.
    own = httpx.post(
        f"{council_services.base_url}/api/v1/places/city-central-library/bookings",
        json={"date": monday.isoformat(), "time": "15:00", "minutes": 30},
    ).json()
    assert own["assisted"] is False
    assert assisted_marks(council_services, own["reference"]) == (False, None)


def test_the_last_computer_cannot_be_booked_twice(
    council_services: RunningServer, assisted: AssistedSession
) -> None:
    """Bentilee Community Hub has two bookable computers: a resident takes one, staff the other."""
    thursday = open_weekday(3, weeks_ahead=2)
    resident = httpx.post(
        f"{council_services.base_url}/api/v1/places/bentilee-community-hub/bookings",
        json={"date": thursday.isoformat(), "time": "13:00", "minutes": 60},
    )
    assert resident.status_code == 201, resident.text
    last = assisted.book("bentilee-community-hub", thursday, "13:00", 60)
    assert last.status_code == 201, last.text
    again = assisted.book("bentilee-community-hub", thursday, "13:30", 30)
    assert again.status_code == 409
    assert refusal(again) == (
        "Every computer at Bentilee Community Hub is booked for some of that time."
    )
    assert not BOOKING_REFERENCE.search(again.text)


@pytest.mark.parametrize(
    ("weekday", "time", "minutes", "status", "reason"),
    [
        (
            0,
            "16:30",
            60,
            422,
            "4.30pm to 5.30pm is outside the opening hours. City Central Library is open "
            "9am to 5pm on Mondays. Choose a time that starts and ends inside them.",
        ),
        (
            0,
            "18:00",
            30,
            422,
            "6pm to 6.30pm is outside the opening hours. City Central Library is open "
            "9am to 5pm on Mondays.",
        ),
        (
            6,
            "10:00",
            60,
            422,
            "City Central Library is closed on Sundays. It is open Monday 9am to 5pm, "
            "Tuesday 9am to 5pm, Wednesday 9am to 5pm, Thursday 9am to 7pm, "
            "Friday 9am to 5pm, Saturday 9am to 4pm.",
        ),
        (0, "10:00", 45, 422, "A booking lasts 30 to 120 minutes, in steps of 30."),
        (0, "25:99", 30, 400, "Enter a start time, for example 2.30pm."),
    ],
)
def test_refusals_say_why_as_for_residents(
    assisted: AssistedSession, weekday: int, time: str, minutes: int, status: int, reason: str
) -> None:
    response = assisted.book("city-central-library", open_weekday(weekday), time, minutes)
    assert response.status_code == status, response.text
    assert refusal(response).startswith(reason)
    assert not BOOKING_REFERENCE.search(response.text)


def test_a_time_that_has_passed_is_refused(assisted: AssistedSession) -> None:
    response = assisted.book("city-central-library", date(2026, 1, 5), "10:00", 30)
    assert response.status_code == 422
    assert refusal(response) == "10am on Monday 5 January has already passed."


def test_a_refused_booking_keeps_what_staff_typed(assisted: AssistedSession) -> None:
    """The refused place's form comes back open with the date, time and length filled in."""
    monday = open_weekday(0)
    response = assisted.book("city-central-library", monday, "16:30", 90)
    assert response.status_code == 422
    assert "9am to 5pm on Mondays" in refusal(response)
    form = re.search(r'<details class="book" open>.*?</details>', response.text, re.S)
    assert form and 'name="place_id" value="city-central-library"' in form.group(0)
    assert f'name="date" value="{monday.isoformat()}"' in form.group(0)
    assert 'name="time" value="16:30"' in form.group(0)
    assert '<option value="90" selected>' in form.group(0)
    # Only that place's form is opened and filled in.
    assert response.text.count('<details class="book" open>') == 1
    assert response.text.count('value="16:30"') == 1
