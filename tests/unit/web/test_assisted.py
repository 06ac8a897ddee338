"""Library assisted sessions: the signed token, the REST channel's check, and the staff pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from types import SimpleNamespace

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.channels.rest import GuardedRestInput
from lib.assisted_tokens import issue_token, token_is_valid
from tests.helpers import staff_sign_in
from tests.web_app import make_app
from web import chat_relay, crud_staff
from web.core.config import Settings

SECRET = "unit-assist-secret"
PASSWORD = "assisted unit password"


def test_tokens_are_tied_to_the_conversation_the_key_and_time() -> None:
    token = issue_token(SECRET, "library-abc", ttl_s=60, now=1000)
    assert token_is_valid(SECRET, "library-abc", token, now=1030)
    assert not token_is_valid(SECRET, "library-abc", token, now=1061)
    assert not token_is_valid(SECRET, "library-xyz", token, now=1030)
    assert not token_is_valid("another-key", "library-abc", token, now=1030)
    expires, _, mac = token.partition(".")
    assert not token_is_valid(SECRET, "library-abc", f"{int(expires) + 999}.{mac}", now=1030)
    for forged in (None, "", "abc", "123.", ".abc", 42, "x" * 500):
        assert not token_is_valid(SECRET, "library-abc", forged, now=1030)


def _request(body: dict) -> SimpleNamespace:
    return SimpleNamespace(json=body)


def test_the_rest_channel_marks_assisted_only_with_a_valid_token() -> None:
    channel = GuardedRestInput(assist_secret=SECRET)
    token = issue_token(SECRET, "library-abc")
    good = {"sender": "library-abc", "message": "hi",
            "metadata": {"channel": "library", "assist_token": token}}  # fmt: skip
    assert channel.get_metadata(_request(good)) == {"channel": "library", "assisted": True}
    forged = {**good, "metadata": {"channel": "library", "assist_token": "1.abc"}}
    assert channel.get_metadata(_request(forged)) == {"channel": "library"}
    claimed = {**good, "metadata": {"channel": "library", "assisted": True}}
    assert channel.get_metadata(_request(claimed)) == {"channel": "library"}
    stolen = {**good, "sender": "library-someone-else"}
    assert channel.get_metadata(_request(stolen)) == {"channel": "library"}
    on_web = {**good, "metadata": {"channel": "web", "assist_token": token}}
    assert channel.get_metadata(_request(on_web)) == {"channel": "web"}


@pytest.fixture
def assistant(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    received: list[dict] = []
    real_client = httpx.AsyncClient

    def handler(request: httpx.Request) -> httpx.Response:
        received.append(json.loads(request.content))
        return httpx.Response(200, json=[{"text": "Hello"}])

    def client_factory(**kwargs: object) -> httpx.AsyncClient:
        return real_client(transport=httpx.MockTransport(handler), **kwargs)

    monkeypatch.setattr(chat_relay.httpx, "AsyncClient", client_factory)
    return received


@pytest.fixture
def client() -> Iterator[TestClient]:
    settings = Settings(
        database_url="sqlite://",
        environment="development",
        assistant_rasa_url="http://assistant.test",
        library_assist_secret=SECRET,
    )
    app = make_app(settings)
    with TestClient(app) as test_client:
        with app.state.session_factory() as session:
            crud_staff.create_staff(session, username="libby", password=PASSWORD, role="library")
            session.commit()
        yield test_client


def _sign_in(client: TestClient) -> None:
    assert staff_sign_in(client, "libby", PASSWORD).status_code == 303


def _attribute(page: str, name: str) -> str:
    return re.search(rf'{name}="([^"]+)"', page).group(1)


def test_assisted_sessions_need_a_signed_in_staff_member(client: TestClient, assistant) -> None:
    assert client.get("/staff/assisted", follow_redirects=False).status_code == 303
    assert client.post("/staff/assisted/start", follow_redirects=False).status_code == 303
    response = client.post(
        "/staff/assisted/messages",
        json={"conversation_id": "a" * 32, "message": "hi"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert assistant == []


def test_an_assisted_session_relays_on_the_library_channel(client: TestClient, assistant) -> None:
    _sign_in(client)
    start = client.get("/staff/assisted")
    csrf = _attribute(start.text, "value")
    page = client.post("/staff/assisted/start", data={"csrf_token": csrf}).text
    assert "Digital skills checklist" in page and "Finish session" in page
    conversation = _attribute(page, "data-conversation")
    token = _attribute(page, "data-token")
    page_csrf = _attribute(page, "data-csrf")

    body = {"conversation_id": conversation, "message": "pothole", "assist_token": token}
    refused = client.post("/staff/assisted/messages", json=body)
    assert refused.status_code == 403  # no CSRF header
    ok = client.post("/staff/assisted/messages", json=body, headers={"X-CSRF-Token": page_csrf})
    assert ok.status_code == 200, ok.text
    (sent,) = assistant
    assert sent["sender"] == f"library-{conversation}"
    assert sent["metadata"] == {"channel": "library", "assist_token": token}
    assert token_is_valid(SECRET, sent["sender"], token)

    other = {**body, "conversation_id": "b" * 32}
    forged = client.post(
        "/staff/assisted/messages", json=other, headers={"X-CSRF-Token": page_csrf}
    )
    assert forged.status_code == 403
    assert len(assistant) == 1


def test_the_public_chat_never_sends_a_token(client: TestClient, assistant) -> None:
    body = {"conversation_id": "c" * 32, "message": "hi", "assist_token": "1.abc",
            "metadata": {"channel": "library"}}  # fmt: skip
    assert client.post("/chat/messages", json=body).status_code == 200
    assert assistant[0]["metadata"] == {"channel": "web"}
