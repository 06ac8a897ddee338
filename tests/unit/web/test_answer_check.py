"""web/answer_check.py and GET /chat/feedback: ask only under an information answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from lib.information_answers import answered_last, information_responses
from web import chat_relay, crud_web_chat
from web.core.config import REPO_ROOT, Settings
from web.main import create_app

PATTERNS = information_responses(REPO_ROOT / "kb")
CONVERSATION = "0123456789abcdef0123456789abcdef"


def user(text: str = "hi") -> dict[str, Any]:
    return {"event": "user", "text": text}


def bot(response: str) -> dict[str, Any]:
    return {"event": "bot", "text": "...", "metadata": {"utter_action": response}}


def test_the_information_answers_are_the_self_served_responses() -> None:
    assert "utter_council_tax/*" in PATTERNS and "utter_places_found" in PATTERNS
    assert "utter_report_submitted" not in PATTERNS  # a task, not an answer


@pytest.mark.parametrize(
    ("events", "ask"),
    [
        ([user(), bot("utter_council_tax/ways_to_pay")], True),
        ([user(), bot("utter_council_tax/ways_to_pay"), {"event": "action"}], True),
        ([user(), bot("utter_places_found"), bot("utter_anything_else")], True),
        ([user(), bot("utter_greet")], False),
        ([user(), bot("utter_report_submitted")], False),
        ([bot("utter_council_tax/ways_to_pay"), user("thanks"), bot("utter_welcome")], False),
        ([], False),
        (None, False),
    ],
)
def test_only_a_reply_since_the_last_message_counts(events: Any, ask: bool) -> None:
    assert answered_last(events, PATTERNS) is ask


@pytest.fixture
def tracker(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The assistant's HTTP API, answering the conversation's tracker with these events."""
    events: list[dict[str, Any]] = []
    real_client = httpx.AsyncClient

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == f"/conversations/web-{CONVERSATION}/tracker"
        assert request.headers["authorization"].startswith("Bearer ")
        return httpx.Response(200, json={"events": events})

    def client_factory(**kwargs: object) -> httpx.AsyncClient:
        return real_client(transport=httpx.MockTransport(handler), **kwargs)

    monkeypatch.setattr(chat_relay.httpx, "AsyncClient", client_factory)
    chat_relay._assistant_http.cache_clear()
    return events


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'cs.db'}",
        environment="development",
        assistant_rasa_url="http://assistant.test:5005",
    )
    app = create_app(settings)
    with TestClient(app) as client:
        with app.state.session_factory() as session:
            crud_web_chat.use_conversation(
                session,
                conversation_id=CONVERSATION,
                browser_token="b" * 32,
                idle=timedelta(minutes=30),
            )
        client.cookies.set("fd_chat", "b" * 32, path="/chat")
        yield client
    chat_relay._assistant_http.cache_clear()


def test_the_page_is_told_to_ask_after_an_answer(
    client: TestClient, tracker: list[dict[str, Any]]
) -> None:
    tracker[:] = [user("how do i pay"), bot("utter_council_tax/ways_to_pay")]
    response = client.get("/chat/feedback", params={"conversation_id": CONVERSATION})
    assert response.status_code == 200 and response.json() == {"ask": True}
    assert response.headers["cache-control"] == "no-store"
    tracker[:] = [user("hello"), bot("utter_greet")]
    assert client.get("/chat/feedback", params={"conversation_id": CONVERSATION}).json() == {
        "ask": False
    }


def test_another_browser_is_not_told(client: TestClient, tracker: list[dict[str, Any]]) -> None:
    tracker[:] = [user(), bot("utter_council_tax/ways_to_pay")]
    client.cookies.set("fd_chat", "c" * 32, path="/chat")
    response = client.get("/chat/feedback", params={"conversation_id": CONVERSATION})
    assert response.status_code == 403 and "ask" not in response.json()
    assert client.get("/chat/feedback", params={"conversation_id": "x"}).status_code == 400


def test_no_assistant_means_do_not_ask(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cs.db'}", environment="development")
    app = create_app(settings)
    with TestClient(app) as client:
        with app.state.session_factory() as session:
            crud_web_chat.use_conversation(
                session,
                conversation_id=CONVERSATION,
                browser_token="b" * 32,
                idle=timedelta(minutes=30),
            )
        client.cookies.set("fd_chat", "b" * 32, path="/chat")
        response = client.get("/chat/feedback", params={"conversation_id": CONVERSATION})
    assert response.json() == {"ask": False}
