"""``/api/v1/places`` and PC bookings against the running stand-in, SQLite and PostgreSQL.

The double-booking test fires simultaneous bookings from many threads at the running
server: the UNIQUE constraint on (place, PC, slot) must let exactly as many through as
there are bookable PCs, each on a different PC.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.contract.web.conftest import RunningServer

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def directory_ready(council_services: RunningServer) -> None:
    """Wait for the postcode data the server loads in the background (slow on a busy box)."""
    httpx.get(
        f"{council_services.base_url}/api/v1/places",
        params={"near": "ST4 2DX", "limit": 1},
        timeout=120.0,
    ).raise_for_status()


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    """A date at least a day ahead that falls on ``weekday`` (0 = Monday), not in late December."""
    day = datetime.now(LONDON).date() + timedelta(days=1)
    while day.weekday() != weekday or (day.month == 12 and day.day >= 24) or day.day == 1:
        day += timedelta(days=1)
    return day + timedelta(weeks=weeks_ahead - 1)


def test_places_nearest_first_with_whole_metre_distances(client: httpx.Client) -> None:
    response = client.get("/api/v1/places", params={"near": "ST6 3JJ", "limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5 and body["near"]["postcode"] == "ST6 3JJ"
    assert body["timezone"] == "Europe/London" and body["sample_data"] is True
    distances = [place["distance_m"] for place in body["places"]]
    assert all(isinstance(d, int) for d in distances)
    assert distances == sorted(distances)
    first = body["places"][0]
    assert {"open_now", "next_opening", "facilities", "hours", "how_to_book"} <= set(first)


def test_type_and_accessibility_filters(client: httpx.Client) -> None:
    response = client.get(
        "/api/v1/places",
        params=[("near", "ST4 2DX"), ("type", "library"), ("feature", "screen_reader"),
                ("feature", "hearing_loop"), ("limit", "10")],
    )  # fmt: skip
    places = response.json()["places"]
    assert places
    for place in places:
        assert place["type"] == "library"
        assert place["facilities"]["screen_reader"] and place["facilities"]["hearing_loop"]
    pay = client.get("/api/v1/places", params={"near": "ST4 2DX", "type": "pay_point,wifi_hotspot"})
    assert {p["type"] for p in pay.json()["places"]} <= {"pay_point", "wifi_hotspot"}


def test_open_now_at_a_given_moment(client: httpx.Client) -> None:
    sunday = {"near": "ST1 4FA", "type": "library", "at": "2026-12-06T11:00:00"}
    closed = client.get("/api/v1/places", params=sunday).json()["places"]
    assert closed and not any(p["open_now"] for p in closed)
    assert closed[0]["next_opening"] == "2026-12-07T09:00"
    only_open = client.get("/api/v1/places", params={**sunday, "open_now": "true"}).json()
    assert only_open["count"] == 0
    # The same moment in UTC (winter: London is on UTC).
    monday = client.get(
        "/api/v1/places/city-central-library", params={"at": "2026-12-07T10:00:00+00:00"}
    ).json()
    assert monday["open_now"] is True and monday["open_until"] == "2026-12-07T17:00"


def test_clear_errors(client: httpx.Client) -> None:
    cases = [
        ({"near": "ST5 2SX"}, 422, "outside_area"),
        ({"near": "ST1 9XX"}, 404, "postcode_not_found"),
        ({"near": "somewhere nice"}, 400, "near_not_understood"),
        ({"near": "ST4 2DX", "type": "pub"}, 422, "unknown_type"),
        ({"near": "ST4 2DX", "feature": "jacuzzi"}, 422, "unknown_feature"),
    ]
    for params, status, code in cases:
        response = client.get("/api/v1/places", params=params)
        assert response.status_code == status, params
        assert response.json()["detail"]["code"] == code
        assert response.json()["detail"]["message"]
    assert client.get("/api/v1/places", params={"limit": 0}).status_code == 422
    assert client.get("/api/v1/places/no-such-place").status_code == 404


def test_book_read_and_cancel(client: httpx.Client) -> None:
    day = next_weekday(0)  # a Monday
    owner = {"conversation_id": "web-contract-owner"}
    response = client.post(
        "/api/v1/places/city-central-library/bookings",
        json={"date": day.isoformat(), "time": "14:00", "minutes": 60, **owner},
    )
    assert response.status_code == 201, response.text
    booking = response.json()
    reference = booking["reference"]
    assert reference.startswith("PC-") and booking["status"] == "booked"
    assert (booking["time"], booking["end_time"]) == ("14:00", "15:00")
    read = client.get(f"/api/v1/bookings/{reference.lower()}")
    assert read.status_code == 200 and read.json()["pc_number"] == booking["pc_number"]
    cancelled = client.request("DELETE", f"/api/v1/bookings/{reference}", json=owner)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = client.request("DELETE", f"/api/v1/bookings/{reference}", json=owner)
    assert again.status_code == 409
    assert client.get("/api/v1/bookings/PC-ZZZZZZ").status_code == 404
    assert client.get("/api/v1/bookings/not-a-ref").status_code == 404


@pytest.mark.parametrize(
    "body,status",
    [({"conversation_id": "web-someone-else"}, 403), ({}, 422), (None, 422)],
)
def test_a_booking_is_cancelled_only_by_the_conversation_that_made_it(
    client: httpx.Client, body: dict | None, status: int
) -> None:
    day = next_weekday(2)  # a Wednesday
    response = client.post(
        "/api/v1/places/city-central-library/bookings",
        json={"date": day.isoformat(), "time": "11:00", "minutes": 30,
              "conversation_id": "web-the-owner"},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    reference = response.json()["reference"]
    refused = client.request("DELETE", f"/api/v1/bookings/{reference}", json=body)
    assert refused.status_code == status, refused.text
    if status == 403:
        assert refused.json()["detail"]["code"] == "not_yours"
    assert client.get(f"/api/v1/bookings/{reference}").json()["status"] == "booked"


def test_refused_bookings_say_why(client: httpx.Client) -> None:
    monday = next_weekday(0).isoformat()
    sunday = next_weekday(6).isoformat()
    yesterday = (datetime.now(LONDON).date() - timedelta(days=1)).isoformat()
    cases = [
        ({"date": sunday, "time": "10:00", "minutes": 60}, 422, "closed_that_day"),
        ({"date": monday, "time": "16:30", "minutes": 60}, 422, "outside_opening_hours"),
        ({"date": yesterday, "time": "10:00", "minutes": 30}, 422, "in_the_past"),
        ({"date": monday, "time": "10:00", "minutes": 45}, 422, "bad_length"),
    ]
    for body, status, code in cases:
        response = client.post("/api/v1/places/city-central-library/bookings", json=body)
        assert response.status_code == status, body
        assert response.json()["detail"]["code"] == code
    bad = client.post(
        "/api/v1/places/city-central-library/bookings",
        json={"date": monday, "time": "25:99", "minutes": 30},
    )
    assert bad.status_code == 422
    unknown = client.post(
        "/api/v1/places/nowhere/bookings", json={"date": monday, "time": "10:00", "minutes": 30}
    )
    assert unknown.status_code == 404


def test_simultaneous_bookings_never_share_a_pc(council_services: RunningServer) -> None:
    """Twelve residents book the same slot at the same instant; Bentilee Hub has 2 PCs."""
    day = next_weekday(1, weeks_ahead=2).isoformat()  # a Tuesday
    body = {"date": day, "time": "11:00", "minutes": 60}
    url = f"{council_services.base_url}/api/v1/places/bentilee-community-hub/bookings"
    residents = 12
    barrier = threading.Barrier(residents)
    results: list[httpx.Response] = []
    lock = threading.Lock()

    def book() -> None:
        with httpx.Client(timeout=30.0) as http:
            barrier.wait()
            response = http.post(url, json=body)
        with lock:
            results.append(response)

    threads = [threading.Thread(target=book) for _ in range(residents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(response.status_code for response in results)
    assert statuses == [201, 201] + [409] * (residents - 2), [r.text for r in results]
    booked = [r.json() for r in results if r.status_code == 201]
    assert sorted(b["pc_number"] for b in booked) == [1, 2]
    assert len({b["reference"] for b in booked}) == 2
    # An overlapping half-hour is refused too; a different time is fine.
    with httpx.Client(base_url=council_services.base_url, timeout=10.0) as http:
        overlap = http.post(url.replace(council_services.base_url, ""),
                            json={"date": day, "time": "11:30", "minutes": 30})  # fmt: skip
        assert overlap.status_code == 409
        free = http.post(url.replace(council_services.base_url, ""),
                         json={"date": day, "time": "12:00", "minutes": 30})  # fmt: skip
        assert free.status_code == 201


def test_places_are_in_the_openapi_document(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/places" in paths
    parameters = {p["name"] for p in paths["/api/v1/places"]["get"]["parameters"]}
    assert {"near", "type", "open_now", "limit", "feature"} <= parameters
    assert "/api/v1/places/{place_id}/bookings" in paths
    assert "delete" in paths["/api/v1/bookings/{reference}"]


def test_bookings_too_far_ahead_are_refused(client: httpx.Client) -> None:
    """The horizon comes from the council's profile (14 days for the sample council)."""
    url = "/api/v1/places/city-central-library/bookings"
    today = datetime.now(LONDON).date()
    for day in (today + timedelta(days=15), date(2999, 12, 31)):
        body = {"date": day.isoformat(), "time": "10:00", "minutes": 30, "conversation_id": "x1"}
        response = client.post(url, json=body)
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert detail["code"] == "too_far_ahead" and "14 days" in detail["message"]
        assert detail["limit"] == 14


def test_one_conversation_cannot_hold_every_pc(client: httpx.Client) -> None:
    """Three bookings at most per conversation (the sample profile); others still book."""
    day = next_weekday(3).isoformat()  # a Thursday
    url = "/api/v1/places/city-central-library/bookings"
    script = {"date": day, "minutes": 30, "conversation_id": "web-one-script-holding-pcs"}
    made = [client.post(url, json={**script, "time": t}) for t in ("10:00", "10:30", "11:00")]
    assert [r.status_code for r in made] == [201, 201, 201]
    fourth = client.post(url, json={**script, "time": "11:30"})
    assert fourth.status_code == 409
    assert fourth.json()["detail"]["code"] == "too_many_bookings"
    assert fourth.json()["detail"]["limit"] == 3
    other = client.post(
        url, json={**script, "time": "11:30", "conversation_id": "web-another-resident"}
    )
    assert other.status_code == 201
    owner = {"conversation_id": script["conversation_id"]}
    reference = made[0].json()["reference"]
    assert client.request("DELETE", f"/api/v1/bookings/{reference}", json=owner).status_code == 200
    assert client.post(url, json={**script, "time": "11:30"}).status_code == 201
