"""Rate limits of the web chat relay and the booking API: 429 with ``Retry-After``.

A server of its own with tight limits (the shared servers run without them).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import httpx

from tests.contract.web.conftest import RunningServer
from tests.contract.web.test_places import next_weekday

TIGHT = {
    "WEB_CHAT_RATE_LIMIT": "3/60",
    "BOOKING_RATE_LIMIT": "4/60",
    "BOOKING_CONVERSATION_RATE_LIMIT": "2/60",
}


def _assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.json()["detail"]["code"] == "rate_limited"


def test_relay_and_bookings_answer_429_with_retry_after(
    start_server: Callable[..., AbstractContextManager[RunningServer]], tmp_path: Path
) -> None:
    with start_server(f"sqlite:///{tmp_path / 'limits.db'}", TIGHT) as server:
        with httpx.Client(base_url=server.base_url, timeout=30.0) as http:
            chat = [http.post("/chat/messages", json={"text": "hi"}) for _ in range(4)]
            assert [r.status_code for r in chat[:3]] == [400, 400, 400]
            _assert_limited(chat[3])

            url = "/api/v1/places/city-central-library/bookings"
            day = next_weekday(2).isoformat()
            one = {"date": day, "minutes": 30, "conversation_id": "web-one-busy-script"}
            first = [http.post(url, json={**one, "time": t}) for t in ("10:00", "10:30", "11:00")]
            assert [r.status_code for r in first[:2]] == [201, 201]
            _assert_limited(first[2])  # the conversation's limit (2 a minute)
            other = {**one, "time": "11:00", "conversation_id": "web-another-resident"}
            assert http.post(url, json=other).status_code == 201
            # The address's limit (4 a minute) counts every call, refused ones too.
            _assert_limited(http.post(url, json={**other, "time": "11:30"}))
            reference = first[0].json()["reference"]
            _assert_limited(
                http.request(
                    "DELETE", f"/api/v1/bookings/{reference}", json={"conversation_id": "x"}
                )
            )
