"""The web chat page and its relay to the assistant, in process with a fake assistant."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.web_app import make_app
from web import chat_relay
from web.chat_relay import ChatInputError, clean_replies, parse_message
from web.core.config import Settings

CONVERSATION = "0f5c2a3e-8d4b-4f61-9a77-1c2d3e4f5a6b"


@pytest.fixture
def assistant(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """A fake assistant: records every request it receives (of any kind, to any path).

    Its REST channel answers with a canned list whose messages state the conversation's
    language, as ``bot/channels/rest.py`` does; anything else is a 404.
    """
    received: list[dict] = []
    real_client = httpx.AsyncClient

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        received.append(
            {
                "method": request.method,
                "url": str(request.url),
                "body": body,
                "headers": dict(request.headers),
            }
        )
        if request.method != "POST" or request.url.path != "/webhooks/rest/webhook":
            return httpx.Response(404)
        return httpx.Response(
            200,
            json=[
                {"recipient_id": "x", "text": "Where is the pothole?", "language": "pl"},
                {
                    "recipient_id": "x",
                    "text": "Is it dangerous?",
                    "buttons": [{"title": "Yes", "payload": "/affirm"}, {"title": 3}],
                    "image": "https://example.org/evil.png",
                    "custom": {"html": "<script>"},
                    "language": "pl",
                },
            ],
        )

    def client_factory(**kwargs: object) -> httpx.AsyncClient:
        return real_client(transport=httpx.MockTransport(handler), **kwargs)

    monkeypatch.setattr(chat_relay.httpx, "AsyncClient", client_factory)
    return received


def _client(**overrides: object) -> Iterator[TestClient]:
    settings = Settings(
        database_url="sqlite://",
        environment="development",
        assistant_rasa_url="http://assistant.test:5005",
        **overrides,
    )
    with TestClient(make_app(settings)) as client:
        yield client


@pytest.fixture
def client() -> Iterator[TestClient]:
    yield from _client()


def test_the_page_is_served_with_a_strict_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    assert "frame-ancestors 'self'" in policy
    assert response.headers["cache-control"] == "no-store"
    assert 'src="/chat/chat.js"' in response.text and 'data-idle-minutes="30"' in response.text
    assert 'role="log"' in response.text and "Finish and clear" in response.text
    # Nothing is loaded from elsewhere (links to the council's pages are fine).
    assert not re.search(r'(\ssrc|<link[^>]*\shref)="https?:', response.text)


def test_assets_are_local_and_unknown_names_are_404(client: TestClient) -> None:
    script = client.get("/chat/chat.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "innerHTML" not in script.text and "localStorage" not in script.text
    assert "document.cookie" not in script.text
    assert client.get("/chat/chat.css").status_code == 200
    assert client.get("/chat/..%2Fcore%2Fconfig.py").status_code == 404


def test_a_message_is_relayed_with_a_fixed_channel(client: TestClient, assistant) -> None:
    response = client.post(
        "/chat/messages",
        json={"conversation_id": CONVERSATION, "message": "  pothole  ", "metadata": {"x": 1}},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "replies": [
            {"text": "Where is the pothole?", "buttons": [], "lang": "pl"},
            {
                "text": "Is it dangerous?",
                "buttons": [{"title": "Yes", "payload": "/affirm"}],
                "lang": "pl",
            },
        ]
    }
    (sent,) = assistant
    assert sent["url"] == "http://assistant.test:5005/webhooks/rest/webhook"
    assert sent["body"] == {
        "sender": f"web-{CONVERSATION}",
        "message": "pothole",
        "metadata": {"channel": "web"},
    }


def test_the_relay_names_the_residents_address_beside_the_api_token(assistant) -> None:
    """So the assistant's per-address limit counts this resident, not the whole web chat."""
    for client in _client(assistant_api_token="relay-token"):
        response = client.post(
            "/chat/messages", json={"conversation_id": CONVERSATION, "message": "pothole"}
        )
        assert response.status_code == 200, response.text
    (sent,) = assistant
    assert sent["headers"]["authorization"] == "Bearer relay-token"
    # The address the web service saw the resident's request come from (the test client's).
    assert sent["headers"]["x-resident-address"] == "testclient"


def test_without_the_api_token_the_relay_names_no_address(client: TestClient, assistant) -> None:
    response = client.post(
        "/chat/messages", json={"conversation_id": CONVERSATION, "message": "pothole"}
    )
    assert response.status_code == 200, response.text
    (sent,) = assistant
    assert "x-resident-address" not in sent["headers"]
    assert "authorization" not in sent["headers"]


def test_one_message_costs_exactly_one_request_to_the_assistant(
    client: TestClient, assistant
) -> None:
    # Issue #19: the reply states its language, so no tracker request follows the message.
    for n, text in enumerate(["pothole", "on Leek Road", "yes"], start=1):
        body = {"conversation_id": CONVERSATION, "message": text}
        response = client.post("/chat/messages", json=body)
        assert response.status_code == 200, response.text
        assert {reply["lang"] for reply in response.json()["replies"]} == {"pl"}
        assert len(assistant) == n
    assert {(sent["method"], sent["url"]) for sent in assistant} == {
        ("POST", "http://assistant.test:5005/webhooks/rest/webhook")
    }


@pytest.mark.parametrize(
    "raw, expected",
    [
        ([{"text": "Cześć", "language": "pl"}], "pl"),
        ([{"text": "a"}, {"text": "b", "language": "pa-Arab"}], "pa-Arab"),
        ([{"text": "Hello"}], ""),  # an assistant that does not state it
        ([{"text": "Hi", "language": None}], ""),
        ([{"text": "Hi", "language": 'en" onload="'}], ""),
        ([{"text": "Hi", "language": "EN"}], ""),
        ({"language": "pl"}, ""),
        ([], ""),
    ],
)
def test_the_reply_language_is_read_from_the_reply(raw: object, expected: str) -> None:
    assert chat_relay.reply_language(raw) == expected


def test_a_reply_without_a_language_has_no_lang(client: TestClient, monkeypatch) -> None:
    real_client = httpx.AsyncClient
    asked: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200, json=[{"recipient_id": "x", "text": "Hello"}])

    def client_factory(**kwargs: object) -> httpx.AsyncClient:
        return real_client(transport=httpx.MockTransport(handler), **kwargs)

    monkeypatch.setattr(chat_relay.httpx, "AsyncClient", client_factory)
    response = client.post(
        "/chat/messages", json={"conversation_id": CONVERSATION, "message": "hi"}
    )
    assert response.json() == {"replies": [{"text": "Hello", "buttons": []}]}
    assert len(asked) == 1  # and the page keeps the language it has


def test_an_information_answer_asks_for_feedback_under_the_last_reply(
    client: TestClient, monkeypatch
) -> None:
    """Issue #18: the REST channel's mark becomes ``ask_feedback``, with no second request."""
    real_client = httpx.AsyncClient
    asked: list[httpx.Request] = []
    answer = [
        {"recipient_id": "x", "text": "Pay online.", "information_answer": True},
        {"recipient_id": "x", "text": "Anything else?", "information_answer": True},
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200, json=answer)

    def client_factory(**kwargs: object) -> httpx.AsyncClient:
        return real_client(transport=httpx.MockTransport(handler), **kwargs)

    monkeypatch.setattr(chat_relay.httpx, "AsyncClient", client_factory)
    response = client.post(
        "/chat/messages", json={"conversation_id": CONVERSATION, "message": "how do i pay"}
    )
    assert response.json() == {
        "replies": [
            {"text": "Pay online.", "buttons": []},
            {"text": "Anything else?", "buttons": [], "ask_feedback": True},
        ]
    }
    assert len(asked) == 1


@pytest.mark.parametrize(
    "raw, expected",
    [
        ([{"text": "a", "information_answer": True}], True),
        ([{"text": "a"}, {"text": "b", "information_answer": True}], True),
        ([{"text": "a"}], False),
        ([{"text": "a", "information_answer": "yes"}], False),  # only a real true
        ({"information_answer": True}, False),
        ([], False),
    ],
)
def test_the_information_answer_mark_is_read_from_the_reply(raw: object, expected: bool) -> None:
    assert chat_relay.gave_information_answer(raw) is expected


def test_the_page_no_longer_asks_the_assistant_whether_to_ask(client: TestClient) -> None:
    response = client.get("/chat/feedback", params={"conversation_id": CONVERSATION})
    assert response.status_code in (404, 405)


@pytest.mark.parametrize(
    "body",
    [
        {"conversation_id": "short", "message": "hi"},
        {"conversation_id": "../../etc/passwd-aaaaaaaaaaa", "message": "hi"},
        {"conversation_id": CONVERSATION, "message": ""},
        {"conversation_id": CONVERSATION, "message": 42},
        {"conversation_id": CONVERSATION, "message": "x" * 1001},
        ["not", "an", "object"],
    ],
)
def test_bad_messages_are_refused_and_not_relayed(client: TestClient, assistant, body) -> None:
    response = client.post("/chat/messages", json=body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert assistant == []


def test_wrong_content_type_and_oversized_bodies_are_refused(client: TestClient, assistant) -> None:
    form = client.post("/chat/messages", data={"message": "hi"})
    assert form.status_code == 400
    big = client.post(
        "/chat/messages",
        content=json.dumps({"conversation_id": CONVERSATION, "message": "x" * 40000}),
        headers={"content-type": "application/json"},
    )
    assert big.status_code == 400
    assert assistant == []


def test_an_assistant_that_is_down_gets_a_503(client: TestClient) -> None:
    # Nothing listens on assistant.test: the relay must answer, not hang or crash.
    response = client.post(
        "/chat/messages", json={"conversation_id": CONVERSATION, "message": "hi"}
    )
    assert response.status_code == 503
    assert response.json() == {"error": "unavailable"}


def test_an_unconfigured_assistant_gets_a_503() -> None:
    settings = Settings(database_url="sqlite://", environment="development")
    with TestClient(make_app(settings)) as client:
        response = client.post(
            "/chat/messages", json={"conversation_id": CONVERSATION, "message": "hi"}
        )
    assert response.status_code == 503


def test_frame_ancestors_is_configurable_but_not_injectable() -> None:
    for client in _client(web_chat_frame_ancestors="'self' https://www.example.gov.uk"):
        policy = client.get("/").headers["content-security-policy"]
        assert policy.endswith("frame-ancestors 'self' https://www.example.gov.uk")
    with pytest.raises(ValueError):
        Settings(web_chat_frame_ancestors="*; script-src *")


@pytest.mark.parametrize(
    "raw, expected",
    [
        (None, []),
        ({"text": "hi"}, []),
        ([{"text": "a" * 5000}], [{"text": "a" * 4000, "buttons": []}]),
        ([{"image": "x"}, "text", {"text": None}], []),
        ([{"buttons": [{"title": "T", "payload": "/p"}]}],
         [{"text": "", "buttons": [{"title": "T", "payload": "/p"}]}]),
    ],
)  # fmt: skip
def test_clean_replies_keeps_only_text_and_buttons(raw: object, expected: list) -> None:
    assert clean_replies(raw) == expected


def test_parse_message_strips_and_checks() -> None:
    assert parse_message({"conversation_id": CONVERSATION, "message": " hi "}, 10).text == "hi"
    with pytest.raises(ChatInputError):
        parse_message({"conversation_id": CONVERSATION, "message": "hello world"}, 5)


def test_the_chat_cookie_is_http_only_and_lax_by_default(client: TestClient, assistant) -> None:
    response = client.post(
        "/chat/messages", json={"conversation_id": CONVERSATION, "message": "hi"}
    )
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("fd_chat=") and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # development runs on plain http://localhost
    assert "partitioned" not in cookie


def test_the_chat_cookie_can_serve_an_iframe_on_another_site(assistant) -> None:
    for client in _client(web_chat_cookie_samesite="none"):
        body = {"conversation_id": CONVERSATION, "message": "hi"}
        cookie = client.post("/chat/messages", json=body).headers["set-cookie"].lower()
        assert "samesite=none" in cookie and "secure" in cookie and "httponly" in cookie
        # Kept for the framing site only, so it survives third-party cookie blocking.
        assert "partitioned" in cookie
        dropped = client.post("/chat/finish", json={"conversation_id": CONVERSATION})
        gone = dropped.headers["set-cookie"].lower()
        assert gone.startswith('fd_chat="";') or gone.startswith("fd_chat=;")
        assert "max-age=0" in gone and "partitioned" in gone and "path=/chat" in gone


def test_the_finished_chat_drops_its_cookie(client: TestClient) -> None:
    gone = client.post("/chat/finish", json={"conversation_id": CONVERSATION})
    cookie = gone.headers["set-cookie"].lower()
    assert cookie.startswith("fd_chat=") and "max-age=0" in cookie and "path=/chat" in cookie
    assert "partitioned" not in cookie


# --- case updates (issue #16): the page hears that staff resolved the case -------------------


def _bot(text: str, at: float, utter: str | None = None) -> dict:
    return {"event": "bot", "text": text, "timestamp": at, "metadata": {"utter_action": utter}}


TRACKER_EVENTS = [
    {"event": "user", "text": "my phone is 07700 900123", "timestamp": 1.0},
    _bot("Thank you. Your reference is FD-ABC234.", 2.0, "utter_handoff_created"),
    _bot("An update on your case FD-ABC234: done.", 3.0, "utter_case_resolved"),
    _bot("An update on your case FD-BCD345: closed.", 4.0, "utter_case_resolved_no_note"),
]


def test_only_case_updates_after_the_cursor_are_returned() -> None:
    updates, cursor = chat_relay.case_updates_in(TRACKER_EVENTS, None)
    assert [u["text"] for u in updates] == [
        "An update on your case FD-ABC234: done.",
        "An update on your case FD-BCD345: closed.",
    ]
    assert cursor == 4.0
    updates, cursor = chat_relay.case_updates_in(TRACKER_EVENTS, 3.0)
    assert [u["at"] for u in updates] == [4.0] and cursor == 4.0
    assert chat_relay.case_updates_in(TRACKER_EVENTS, 4.0) == ([], 4.0)
    assert chat_relay.case_updates_in("not a list", None) == ([], 0.0)


@pytest.fixture
def tracker_api(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """A fake Rasa HTTP API that answers a tracker request with ``TRACKER_EVENTS``."""
    asked: list[httpx.Request] = []
    real_client = httpx.AsyncClient

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":  # the REST channel: a message that binds the browser
            return httpx.Response(200, json=[])
        asked.append(request)
        return httpx.Response(200, json={"sender_id": "x", "events": TRACKER_EVENTS})

    def client_factory(**kwargs: object) -> httpx.AsyncClient:
        return real_client(transport=httpx.MockTransport(handler), **kwargs)

    monkeypatch.setattr(chat_relay.httpx, "AsyncClient", client_factory)
    return asked


def _start(client: TestClient) -> None:
    """Send a first message, which binds the conversation to this browser's cookie."""
    client.post("/chat/messages", json={"conversation_id": CONVERSATION, "message": "hi"})


def test_the_page_gets_the_case_updates_of_its_own_conversation(
    client: TestClient, tracker_api: list[httpx.Request]
) -> None:
    _start(client)
    response = client.get("/chat/updates", params={"conversation_id": CONVERSATION, "after": "3.0"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {
        "updates": [{"text": "An update on your case FD-BCD345: closed.", "at": 4.0}],
        "cursor": 4.0,
    }
    [asked] = tracker_api
    assert asked.url.path == f"/conversations/web-{CONVERSATION}/tracker"
    assert asked.headers["authorization"].startswith("Bearer ")
    # Nothing but the case updates leaves: not the resident's own words.
    assert "07700" not in response.text


@pytest.mark.parametrize("conversation", ["", "short", "../../admin", "a" * 65])
def test_updates_for_a_malformed_conversation_id_are_refused(
    client: TestClient, tracker_api: list[httpx.Request], conversation: str
) -> None:
    response = client.get("/chat/updates", params={"conversation_id": conversation})
    assert response.status_code == 400
    assert tracker_api == []


def test_another_browser_gets_no_case_updates(
    client: TestClient, tracker_api: list[httpx.Request]
) -> None:
    _start(client)
    # The same service and conversation id, but a browser without the first one's cookie.
    other = TestClient(client.app)
    response = other.get("/chat/updates", params={"conversation_id": CONVERSATION})
    assert response.status_code == 403
    assert tracker_api == []
    assert client.get("/chat/updates", params={"conversation_id": CONVERSATION}).status_code == 200


def test_updates_for_a_conversation_never_started_are_refused(
    client: TestClient, tracker_api: list[httpx.Request]
) -> None:
    response = client.get("/chat/updates", params={"conversation_id": CONVERSATION})
    assert response.status_code == 403
    assert tracker_api == []


def test_updates_when_the_assistant_is_down_get_a_503(client: TestClient) -> None:
    _start(client)
    response = client.get("/chat/updates", params={"conversation_id": CONVERSATION})
    assert response.status_code == 503


def test_the_page_script_asks_for_updates_only_while_a_case_is_open(client: TestClient) -> None:
    script = client.get("/chat/chat.js").text
    assert '"/chat/updates"' in script
    assert "!openCase()" in script
