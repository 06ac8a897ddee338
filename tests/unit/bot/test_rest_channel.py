import json

import pytest

from bot.channels.rest import EMPTY_MESSAGE, clean_message


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("pothole on Leek Road", "pothole on Leek Road"),
        ("", EMPTY_MESSAGE),
        ("   \n\t ", EMPTY_MESSAGE),
        (None, EMPTY_MESSAGE),
        (12, "12"),
        ("\x00\x01\x02", EMPTY_MESSAGE),
        ("a\x00b", "a b"),
        ("/affirm", "/affirm"),
        ('/inform{"postcode": "ST4 2DX"}', 'inform{"postcode": "ST4 2DX"}'),
        ("//restart now", "restart now"),
        ("🙂🙂", "🙂🙂"),
    ],
)
def test_clean_message(raw, expected):
    assert clean_message(raw) == expected


def test_clean_message_caps_length():
    assert len(clean_message("x" * 20_000, 1000)) == 1000


@pytest.mark.parametrize(
    "payload",
    ['/greet{"language":"en"}', '/greet{"language":"pl"}', '/greet{"language": "ur"}'],
)
def test_language_buttons_pass(payload):
    assert clean_message(payload) == payload


@pytest.mark.parametrize(
    "raw,expected",
    [
        ('/greet{"language":"xx"}', 'greet{"language":"xx"}'),  # not a language we know
        ('/affirm{"language":"pl"}', 'affirm{"language":"pl"}'),  # only greet
        ('/greet{"postcode":"pl"}', 'greet{"postcode":"pl"}'),  # only the language entity
        ('/greet{"language":"pl","problem_type":"x"}', 'greet{"language":"pl","problem_type":"x"}'),
        ('/greet{"language":"pl"} and more', 'greet{"language":"pl"} and more'),
        ('/greet{"language":"PL"}', 'greet{"language":"PL"}'),
    ],
)
def test_other_entity_payloads_are_still_refused(raw, expected):
    assert clean_message(raw) == expected


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("pothole \ud800 on Leek Road", "pothole on Leek Road"),  # lone surrogate (legal JSON)
        ("\ufeffpothole", "pothole"),  # byte-order mark
        ("pay \u2066QQ123456C\u2069 now \u202e", "pay QQ123456C now"),  # isolates, override
        ("07700\u200b900123", "07700900123"),  # zero-width space inside a number
        ("\ud800\u200b\ufeff", EMPTY_MESSAGE),
    ],
)
def test_hostile_characters_never_reach_the_assistant(raw, expected):
    cleaned = clean_message(raw)
    assert cleaned == expected
    cleaned.encode("utf-8")


@pytest.mark.parametrize("token", ["\ud800", "１２３.abc", "9999999999.é"])
def test_an_assist_token_that_is_not_ascii_is_simply_invalid(token):
    from integrations.assisted import token_is_valid

    assert token_is_valid("secret", "library-1", token) is False


def _received_through_the_channel(channel, text: str) -> str:
    """What Rasa would be handed for one message sent to the channel's webhook."""
    import asyncio

    from sanic import Sanic

    from tests.unit.bot.sanic_client import call

    seen: list[str] = []

    async def on_new_message(message) -> None:
        seen.append(message.text)
        await message.output_channel.send_text_message(message.sender_id, "ok")

    app = Sanic(f"rest_max_chars_{id(channel)}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/rest")
    body = {"sender": "web-cap", "message": text}
    response = asyncio.run(call(app, "POST", "/webhooks/rest/webhook", json=body))
    assert response.status_code == 200
    return seen[0]


def test_the_rest_channel_cuts_messages_at_max_message_chars(monkeypatch):
    from bot.channels import rest
    from bot.settings import Settings

    monkeypatch.setattr(rest, "settings", Settings(_env_file=None, max_message_chars=40))
    channel = rest.GuardedRestInput.from_credentials(None)
    assert channel.max_message_chars == 40
    assert _received_through_the_channel(channel, "pothole " * 50) == ("pothole " * 5).strip()


def test_a_cap_left_in_credentials_yml_is_ignored_with_a_warning(monkeypatch, caplog):
    from bot.channels import rest
    from bot.settings import Settings

    monkeypatch.setattr(rest, "settings", Settings(_env_file=None, max_message_chars=300))
    with caplog.at_level("WARNING", logger="bot.channels.rest"):
        channel = rest.GuardedRestInput.from_credentials({"max_message_chars": 5})
    assert channel.max_message_chars == 300
    assert "MAX_MESSAGE_CHARS" in caplog.text


# --- the reply states the conversation's language (issue #19) ---------------------------


class _Tracker:
    def __init__(self, slots: dict) -> None:
        self.slots = slots

    def get_slot(self, name: str):
        return self.slots.get(name)


class _TrackerStore:
    """Answers ``retrieve`` with the slots a turn left, and counts the reads."""

    def __init__(self, slots: dict | None = None, error: Exception | None = None) -> None:
        self.slots, self.error, self.reads = slots, error, []

    async def retrieve(self, sender_id: str):
        self.reads.append(sender_id)
        if self.error is not None:
            raise self.error
        return None if self.slots is None else _Tracker(self.slots)


def _reply_through_the_channel(store, replies, path="/webhooks/rest/webhook", name="lang"):
    """The REST channel's JSON answer to one message, with ``store`` as the tracker store."""
    import asyncio
    from types import SimpleNamespace

    from sanic import Sanic

    from bot.channels import rest
    from lib.rate_limit import limiter
    from tests.unit.bot.sanic_client import call

    async def on_new_message(message) -> None:
        for reply in replies:
            await message.output_channel.send_response(message.sender_id, dict(reply))

    channel = rest.GuardedRestInput(limits=(limiter("100/60"), limiter("100/60")))
    app = Sanic(f"rest_language_{name}_{id(store)}")
    app.ctx.agent = SimpleNamespace(tracker_store=store)
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/rest")
    body = {"sender": "web-language-1", "message": "dzień dobry"}
    response = asyncio.run(call(app, "POST", path, json=body))
    assert response.status_code == 200, response.text
    return response, store.reads


def test_each_reply_message_states_the_language_after_the_turn():
    store = _TrackerStore({"language": "pl"})
    response, reads = _reply_through_the_channel(
        store,
        [
            {"text": "Dzień dobry!"},
            {"text": "Czy to niebezpieczne?", "buttons": [{"title": "Tak", "payload": "/affirm"}]},
            {"custom": {"exit_this_page": True}},
        ],
        name="pl",
    )
    assert response.json() == [
        {"recipient_id": "web-language-1", "text": "Dzień dobry!", "language": "pl"},
        {
            "recipient_id": "web-language-1",
            "text": "Czy to niebezpieczne?",
            "buttons": [{"title": "Tak", "payload": "/affirm"}],
            "language": "pl",
        },
        {"recipient_id": "web-language-1", "custom": {"exit_this_page": True}, "language": "pl"},
    ]
    assert reads == ["web-language-1"]  # one in-process read, after the turn


@pytest.mark.parametrize(
    "store",
    [
        _TrackerStore(None),  # no tracker
        _TrackerStore({"language": None}),  # no language yet
        _TrackerStore({"language": ""}),
        _TrackerStore(error=RuntimeError("database is down")),
    ],
    ids=["no-tracker", "no-language", "empty", "store-fails"],
)
def test_without_a_language_the_reply_is_exactly_rasas(store, caplog):
    response, reads = _reply_through_the_channel(
        store, [{"text": "Hello"}], name=f"none_{id(store)}"
    )
    assert response.json() == [{"recipient_id": "web-language-1", "text": "Hello"}]
    assert reads == ["web-language-1"]


def test_an_empty_or_streamed_reply_reads_no_tracker():
    store = _TrackerStore({"language": "pl"})
    response, reads = _reply_through_the_channel(store, [], name="empty_reply")
    assert response.json() == [] and reads == []
    streamed, reads = _reply_through_the_channel(
        store, [{"text": "Cześć"}], path="/webhooks/rest/webhook?stream=true", name="stream"
    )
    lines = [json.loads(line) for line in streamed.text.splitlines() if line]
    assert lines == [{"recipient_id": "web-language-1", "text": "Cześć"}]  # as Rasa streams it
    assert reads == []
