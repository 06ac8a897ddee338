"""Resident web chat sessions (issue #15 item 8) on the running stand-in, SQLite and PostgreSQL.

A fake assistant stands in for Rasa: it records every message and tracker event it is sent
and answers with what a verified resident would see. The tests prove that a conversation
belongs to the browser holding its HttpOnly cookie (a second browser with the id alone gets
nothing, and nothing of it reaches the assistant), and that "Finish and clear" ends it in
the council services and in the assistant, which forgets the verification.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.contract.web.conftest import (
    BACKENDS,
    RunningServer,
    fresh_database,
    run_server,
)

BALANCE = "The balance for this year is £842.50."
API_TOKEN = "contract-rasa-token"


@dataclass
class FakeAssistant:
    """What the fake Rasa server was sent."""

    url: str
    messages: list[dict] = field(default_factory=list)
    events: list[tuple[str, str, list]] = field(default_factory=list)


@pytest.fixture(scope="module")
def assistant() -> Iterator[FakeAssistant]:
    fake = FakeAssistant(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server hook
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.path == "/webhooks/rest/webhook":
                fake.messages.append(body)
                answer = [{"recipient_id": body["sender"], "text": BALANCE}]
            else:
                fake.events.append((self.path, self.headers.get("Authorization", ""), body))
                answer = {}
            data = json.dumps(answer).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module", params=BACKENDS)
def chat_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    assistant: FakeAssistant,
) -> Iterator[RunningServer]:
    """The stand-in, relaying to the fake assistant, on a fresh database of each backend."""
    directory: Path = tmp_path_factory.mktemp(f"web_chat_{request.param}")
    extra = {"ASSISTANT_RASA_URL": assistant.url, "RASA_API_TOKEN": API_TOKEN}
    with fresh_database(request.param, directory) as url:
        with run_server(url, directory / "server.log", request.param, extra) as server:
            yield server


def browser(server: RunningServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=20.0)


def say(client: httpx.Client, conversation_id: str, text: str) -> httpx.Response:
    return client.post("/chat/messages", json={"conversation_id": conversation_id, "message": text})


def test_the_first_message_binds_the_conversation_to_an_http_only_cookie(
    chat_server: RunningServer,
) -> None:
    conversation = str(uuid.uuid4())
    with browser(chat_server) as resident:
        first = say(resident, conversation, "what is my council tax balance")
        assert first.status_code == 200 and first.json()["replies"][0]["text"] == BALANCE
        cookie = first.headers["set-cookie"].lower()
        assert cookie.startswith("fd_chat=")
        assert "httponly" in cookie and "samesite=lax" in cookie and "path=/chat" in cookie
        again = say(resident, conversation, "thanks")
        assert again.status_code == 200 and "set-cookie" not in again.headers


def test_a_second_browser_with_the_id_alone_gets_nothing(
    chat_server: RunningServer, assistant: FakeAssistant
) -> None:
    conversation = str(uuid.uuid4())
    sender = f"web-{conversation}"
    with browser(chat_server) as resident, browser(chat_server) as stranger:
        assert say(resident, conversation, "what is my council tax balance").status_code == 200
        sent = len(assistant.messages)
        refused = say(stranger, conversation, "what is my council tax balance")
        assert refused.status_code == 403
        assert refused.json()["restart"] is True and BALANCE not in refused.text
        # A stranger's own cookie is no better than none.
        refused_again = say(stranger, conversation, "what is my balance")
        assert refused_again.status_code == 403
        assert len(assistant.messages) == sent  # nothing of it reached the assistant
        assert [m for m in assistant.messages[sent:] if m["sender"] == sender] == []
        # The resident carries on as before.
        assert say(resident, conversation, "and my next instalment").status_code == 200


def test_finish_and_clear_ends_the_conversation_here_and_in_the_assistant(
    chat_server: RunningServer, assistant: FakeAssistant
) -> None:
    conversation = str(uuid.uuid4())
    with browser(chat_server) as resident:
        assert say(resident, conversation, "what is my council tax balance").status_code == 200
        copied = resident.cookies["fd_chat"]
        finished = resident.post("/chat/finish", json={"conversation_id": conversation})
        assert finished.status_code == 204
        assert 'fd_chat=""' in finished.headers["set-cookie"] or "max-age=0" in (
            finished.headers["set-cookie"].lower()
        )
        # The assistant was told to forget everything (the verification included).
        path, authorization, events = assistant.events[-1]
        assert path == f"/conversations/web-{conversation}/tracker/events"
        assert authorization == f"Bearer {API_TOKEN}" and events == [{"event": "restart"}]
    # The conversation is over, even for a copy of the old cookie.
    with browser(chat_server) as copy:
        copy.cookies.set("fd_chat", copied, path="/chat")
        ended = say(copy, conversation, "what is my council tax balance")
        assert ended.status_code == 409 and ended.json()["restart"] is True
        assert BALANCE not in ended.text
        # A new conversation in the same browser works.
        assert say(copy, str(uuid.uuid4()), "hello").status_code == 200


def test_only_the_owner_can_finish_a_conversation(
    chat_server: RunningServer, assistant: FakeAssistant
) -> None:
    conversation = str(uuid.uuid4())
    with browser(chat_server) as resident, browser(chat_server) as stranger:
        assert say(resident, conversation, "hello").status_code == 200
        say(stranger, str(uuid.uuid4()), "hello")  # the stranger has a chat cookie of their own
        told = len(assistant.events)
        assert (
            stranger.post("/chat/finish", json={"conversation_id": conversation}).status_code == 204
        )
        assert len(assistant.events) == told  # nothing was ended
        assert say(resident, conversation, "still here").status_code == 200
