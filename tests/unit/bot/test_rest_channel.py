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
    from lib.assisted_tokens import token_is_valid

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


def _turn(monkeypatch, replies, language, output_channel=None, events=()):
    """Run one prediction loop that sends ``replies``, logs ``events`` and sets ``language``."""
    import asyncio

    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.channels import rest

    async def rasas_loop(self, channel, tracker) -> None:
        for reply in replies:
            await channel.send_response("web-language-1", dict(reply))
        for event in events:
            tracker.update(event)
        tracker.update(SlotSet("language", language))

    monkeypatch.setattr(MessageProcessor, "_run_prediction_loop", rasas_loop)
    rest.install_reply_marks()
    rest.install_reply_marks()  # a second install wraps nothing twice
    channel = output_channel or CollectingOutputChannel()
    tracker = DialogueStateTracker("web-language-1", slots=[_any_slot("language")])
    tracker.update(UserUttered("how do I pay my council tax"))
    asyncio.run(MessageProcessor._run_prediction_loop(None, channel, tracker))
    return channel.messages


def _any_slot(name):
    from rasa.shared.core.slots import AnySlot

    return AnySlot(name, mappings=[{"type": "custom"}])


def test_each_reply_message_states_the_language_after_the_turn(monkeypatch):
    replies = _turn(
        monkeypatch,
        [
            {"text": "Dzień dobry!"},
            {"text": "Czy to niebezpieczne?", "buttons": [{"title": "Tak", "payload": "/affirm"}]},
            {"custom": {"exit_this_page": True}},
        ],
        "pl",
    )
    assert replies == [
        {"recipient_id": "web-language-1", "text": "Dzień dobry!", "language": "pl"},
        {
            "recipient_id": "web-language-1",
            "text": "Czy to niebezpieczne?",
            "buttons": [{"title": "Tak", "payload": "/affirm"}],
            "language": "pl",
        },
        {"recipient_id": "web-language-1", "custom": {"exit_this_page": True}, "language": "pl"},
    ]


@pytest.mark.parametrize("language", [None, ""], ids=["no-language", "empty"])
def test_without_a_language_the_reply_is_exactly_rasas(monkeypatch, language):
    replies = _turn(monkeypatch, [{"text": "Hello"}], language)
    assert replies == [{"recipient_id": "web-language-1", "text": "Hello"}]


def test_an_empty_reply_stays_empty(monkeypatch):
    assert _turn(monkeypatch, [], "pl") == []


def test_a_streamed_reply_is_left_as_rasa_streams_it(monkeypatch):
    from asyncio import Queue

    from rasa.core.channels.rest import QueueOutputChannel

    queue: Queue = Queue()
    _turn(monkeypatch, [{"text": "Cześć"}], "pl", output_channel=QueueOutputChannel(queue))
    assert queue.get_nowait() == {"recipient_id": "web-language-1", "text": "Cześć"}


def _said(response: str):
    from rasa.shared.core.events import BotUttered

    return BotUttered("...", metadata={"utter_action": response})


def test_an_information_answer_marks_the_reply_for_the_feedback_question(monkeypatch):
    replies = _turn(
        monkeypatch,
        [{"text": "You can pay online."}, {"text": "Anything else?"}],
        "en",
        events=[_said("utter_council_tax/pay_online"), _said("utter_anything_else")],
    )
    assert [reply.get("information_answer") for reply in replies] == [True, True]
    assert {reply["language"] for reply in replies} == {"en"}


def test_a_question_or_an_earlier_answer_does_not_mark_the_reply(monkeypatch):
    from rasa.shared.core.events import UserUttered

    replies = _turn(
        monkeypatch,
        [{"text": "What is the postcode?"}],
        "en",
        # An answer given before the resident's latest message belongs to an older turn.
        events=[
            _said("utter_council_tax/pay_online"),
            UserUttered("report a pothole"),
            _said("utter_ask_postcode"),
        ],
    )
    assert replies == [
        {"recipient_id": "web-language-1", "text": "What is the postcode?", "language": "en"}
    ]
