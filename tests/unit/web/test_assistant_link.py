"""assistant_link.py: resolving a case tells the resident's conversation, with the note."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from lib import case_updates
from tests.web_app import make_app
from web import assistant_link
from web.core.config import DEV_STAFF_API_TOKEN, Settings

SETTINGS = Settings(
    database_url="sqlite://",
    environment="development",
    assistant_rasa_url="http://assistant.test:5005",
)


class FakeRasa:
    """Records the HTTP API calls; answers each with ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.calls: list[dict[str, Any]] = []

    def __call__(self, url: str, **kwargs: Any) -> httpx.Response:
        self.calls.append({"url": url, **kwargs})
        return httpx.Response(self.status, request=httpx.Request("POST", url))

    def paths(self) -> list[str]:
        return [call["url"].split("/conversations/")[1] for call in self.calls]


@pytest.fixture
def rasa(monkeypatch: pytest.MonkeyPatch) -> FakeRasa:
    fake = FakeRasa()
    monkeypatch.setattr(assistant_link.httpx, "post", fake)
    return fake


def _slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_on_the_web_the_case_closes_and_the_assistant_says_the_note_at_once(rasa) -> None:
    told = assistant_link.tell_resident(
        SETTINGS, conversation_id="web-abc/1", reference="FD-ABC234", channel="web", note="Paid."
    )
    assert told
    assert rasa.paths() == [
        "web-abc%2F1/tracker/events",
        "web-abc%2F1/execute",
        "web-abc%2F1/tracker/events",
    ]
    slots = _slots(rasa.calls[0]["json"])
    assert slots[case_updates.OPEN_CASE] is None
    assert slots[case_updates.RESOLVED_CASE] == "FD-ABC234"
    assert slots[case_updates.NOTE] == "Paid."
    assert slots[case_updates.PENDING] is False
    assert all(slots[name] is None for name in case_updates.CONTACT_SLOTS)
    assert rasa.calls[1]["json"]["name"] == case_updates.RESOLVED
    # The token travels in a header, never in the address.
    assert rasa.calls[0]["headers"]["Authorization"].startswith("Bearer ")
    assert "token" not in rasa.calls[0]["url"]


def test_on_the_phone_the_update_waits_for_the_caller_s_next_turn(rasa) -> None:
    told = assistant_link.tell_resident(
        SETTINGS, conversation_id="caller-1", reference="FD-ABC234", channel="ivr", note=None
    )
    assert told
    assert rasa.paths() == ["caller-1/tracker/events"]  # nothing said into an ended call
    slots = _slots(rasa.calls[0]["json"])
    assert slots[case_updates.PENDING] is True and slots[case_updates.NOTE] is None


def test_no_note_means_the_message_without_one(rasa) -> None:
    assistant_link.tell_resident(
        SETTINGS, conversation_id="web-1", reference="FD-ABC234", channel="web", note=None
    )
    assert rasa.calls[1]["json"]["name"] == case_updates.RESOLVED_NO_NOTE


def test_a_refusal_or_no_assistant_is_reported_not_raised(monkeypatch) -> None:
    refusing = FakeRasa(status=404)
    monkeypatch.setattr(assistant_link.httpx, "post", refusing)
    args = {"conversation_id": "web-1", "reference": "FD-ABC234", "channel": "web", "note": None}
    assert not assistant_link.tell_resident(SETTINGS, **args)
    assert len(refusing.calls) == 1  # nothing is said after the events were refused
    unset = Settings(database_url="sqlite://", environment="development")
    assert not assistant_link.tell_resident(unset, **args)

    def down(url: str, **kwargs: Any) -> httpx.Response:
        raise httpx.ConnectError("down")

    monkeypatch.setattr(assistant_link.httpx, "post", down)
    assert not assistant_link.tell_resident(SETTINGS, **args)


@pytest.fixture
def api(rasa) -> Iterator[TestClient]:
    with TestClient(make_app(SETTINGS)) as client:
        client.headers["Authorization"] = f"Bearer {DEV_STAFF_API_TOKEN}"
        yield client


def _record(api: TestClient, channel: str) -> str:
    body = {
        "conversation_id": f"{channel}-conversation",
        "channel": channel,
        "language": "en",
        "category": "other",
        "priority": 3,
        "summary": "Needs help.",
    }
    response = api.post("/api/v1/triage", json=body)
    assert response.status_code == 201, response.text
    return response.json()["reference"]


def test_resolving_through_the_api_tells_the_conversation_with_the_resident_note(
    api: TestClient, rasa: FakeRasa
) -> None:
    reference = _record(api, "web")
    response = api.patch(
        f"/api/v1/triage/{reference}",
        json={"status": "resolved", "resolution_note": "Done.", "resident_note": "All sorted."},
    )
    assert response.status_code == 200, response.text
    assert rasa.paths()[0] == "web-conversation/tracker/events"
    slots = _slots(rasa.calls[0]["json"])
    assert (slots[case_updates.RESOLVED_CASE], slots[case_updates.NOTE]) == (
        reference,
        "All sorted.",
    )


def test_claiming_tells_the_conversation_nothing(api: TestClient, rasa: FakeRasa) -> None:
    reference = _record(api, "web")
    assert api.patch(f"/api/v1/triage/{reference}", json={"status": "claimed"}).status_code == 200
    assert rasa.calls == []
