"""The directory client through a fake transport: queries, shapes and errors."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime

import httpx
import pytest

from integrations.directory import (
    DirectoryClient,
    DirectoryRejected,
    DirectoryUnavailable,
    PlaceQuery,
)

PLACE = {
    "id": "tunstall-library",
    "name": "Tunstall Library",
    "type": "library",
    "address": "The Boulevard, Tunstall",
    "postcode": "ST6 6BD",
    "phone": "01782 238455",
    "distance_m": 2597,
    "open_now": False,
    "open_until": None,
    "next_opening": "2026-12-07T09:00",
    "hours": {"monday": ["09:00-12:30", "13:30-17:00"], "sunday": []},
    "closures": [{"date": "2026-12-25", "reason": "Christmas Day"}],
    "facilities": {
        "public_pcs": 8,
        "bookable_pcs": 6,
        "wifi": True,
        "screen_reader": True,
        "printing": True,
        "large_key_keyboard": True,
        "hearing_loop": True,
        "step_free": True,
    },  # fmt: skip
    "staff_help": True,
    "services": ["universal_credit_support"],
    "sessions": {"universal_credit_support": "Mondays 10am to 12 noon"},
    "how_to_book": "Ask at the desk.",
}
BOOKING = {
    "reference": "PC-7K3Q9X", "status": "booked", "place_id": "tunstall-library",
    "place_name": "Tunstall Library", "pc_number": 2, "date": "2026-12-07", "time": "10:00",
    "end_time": "11:00", "minutes": 60,
}  # fmt: skip


def client_for(handler) -> DirectoryClient:
    return DirectoryClient("http://council.test/", transport=httpx.MockTransport(handler))


def test_search_sends_every_filter_and_reads_places() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"count": 1, "places": [PLACE]})

    query = PlaceQuery(near="ST6 3JJ", types=("library",), features=("screen_reader", "wifi"),
                       services=("universal_credit_support",), open_now=True, limit=3)  # fmt: skip
    places = asyncio.run(client_for(handler).search(query))
    request = seen[0]
    assert request.url.path == "/api/v1/places"
    params = request.url.params
    assert params["near"] == "ST6 3JJ" and params["limit"] == "3"
    assert params.get_list("feature") == ["screen_reader", "wifi"]
    assert params["type"] == "library" and params["open_now"] == "true"
    place = places[0]
    assert place.distance_m == 2597 and place.bookable_pcs == 6
    assert place.next_opening == datetime(2026, 12, 7, 9, 0)
    assert place.closures[date(2026, 12, 25)] == "Christmas Day"
    assert place.has("screen_reader") and place.has("staff_help")


def test_booking_and_cancel_bodies() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            assert request.url.path == "/api/v1/places/tunstall-library/bookings"
            assert json.loads(request.content) == {
                "date": "2026-12-07", "time": "10:00", "minutes": 60, "conversation_id": "c-1"
            }  # fmt: skip
            return httpx.Response(201, json=BOOKING)
        assert request.method == "DELETE"
        assert request.url.path == "/api/v1/bookings/PC-7K3Q9X"
        assert json.loads(request.content) == {"conversation_id": "c-1"}
        return httpx.Response(200, json={**BOOKING, "status": "cancelled"})

    client = client_for(handler)
    booking = asyncio.run(client.book("tunstall-library", date(2026, 12, 7), "10:00", 60, "c-1"))
    assert booking.reference == "PC-7K3Q9X" and booking.pc_number == 2
    assert asyncio.run(client.cancel("PC-7K3Q9X", "c-1")).status == "cancelled"


def test_a_4xx_becomes_rejected_with_the_code() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            422, json={"detail": {"code": "outside_area", "message": "ST5 2SX is outside"}}
        )

    with pytest.raises(DirectoryRejected) as caught:
        asyncio.run(client_for(handler).search(PlaceQuery(near="ST5 2SX")))
    assert (caught.value.status, caught.value.code) == (422, "outside_area")

    def validation(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"detail": [{"msg": "bad"}]})

    with pytest.raises(DirectoryRejected) as plain:
        asyncio.run(client_for(validation).search(PlaceQuery()))
    assert plain.value.code == "invalid"


@pytest.mark.parametrize(
    "handler",
    [
        lambda request: httpx.Response(503, text="down"),
        lambda request: httpx.Response(200, text="<html>not json</html>"),
    ],
)
def test_server_errors_and_non_json_are_unavailable(handler) -> None:
    with pytest.raises(DirectoryUnavailable):
        asyncio.run(client_for(handler).search(PlaceQuery()))


def test_a_connection_failure_is_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(DirectoryUnavailable, match="ConnectError"):
        asyncio.run(client_for(handler).booking("PC-7K3Q9X"))
