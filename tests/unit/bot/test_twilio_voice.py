"""The phone line's pure parts: voice forms of every response, spoken text, caller ids,
keypad digits, and the signature check of the channel."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from twilio.request_validator import RequestValidator

from bot.channels.twilio_voice import FrontDoorVoiceInput
from bot.channels.voice_text import (
    caller_conversation_id,
    dial_number,
    fill,
    keypad_payload,
    spoken,
)
from bot.settings import Settings
from integrations.sms import FakeSmsGateway
from tests.helpers import domain_documents

URL = "http://127.0.0.1:5005/webhooks/twilio_voice/webhook"
RESPONSES = [
    (path, name, variants)
    for path, document in domain_documents()
    for name, variants in (document.get("responses") or {}).items()
]


@pytest.mark.parametrize("path, name, variants", RESPONSES, ids=[name for _, name, _ in RESPONSES])
def test_every_response_has_a_voice_form(path: Path, name: str, variants: list[dict]) -> None:
    voice = [v for v in variants if v.get("channel") == "twilio_voice"]
    assert voice, f"{path.name}: {name} has no `channel: twilio_voice` variant"
    for variant in voice:
        text = variant.get("text", "")
        assert text.strip()
        assert not re.search(r"https?://|www\.|\{\w*url\}", text), f"{name}: a link on the phone"
        assert "{council_phone}" not in text, f"{name}: use {{council_phone_spoken}}"
        assert not re.search(r"\b(type|click|tap)\b", text, re.IGNORECASE), name


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Your reference is FD-7K3Q9X.", "Your reference is F D, 7 K 3 Q 9 X."),
        # Every kind of reference, not only street reports, hand-offs and held reports.
        ("Booking PC-7K3Q9X, case CT-ABC234", "Booking P C, 7 K 3 Q 9 X, case C T, A B C 2 3 4"),
        ("Application BB-23456A.", "Application B B, 2 3 4 5 6 A."),
        ("Call 0808 2000 247 now", "Call 0 8 0 8, 2 0 0 0, 2 4 7 now"),
        ("Ring 01782 234234.", "Ring 0 1 7 8 2, 2 3 4 2 3 4."),
        ("Call +44 7700 900123", "Call 0, 7 7 0 0, 9 0 0 1 2 3"),
        ("Samaritans: 116 123, or 999", "Samaritans: 1 1 6, 1 2 3, or 9 9 9"),
        ("See https://www.stoke.gov.uk/pay for more", "See for more"),
        ("Thanks 👍 **really**", "Thanks really"),
        ("A 20cm hole, 250 metres away at 8.30am", "A 20cm hole, 250 metres away at 8.30am"),
    ],
)
def test_spoken_text(text: str, expected: str) -> None:
    assert spoken(text) == expected


def test_caller_ids_are_keyed_hashes_never_the_number() -> None:
    number = "+447700900123"
    one = caller_conversation_id(number, "secret-one")
    assert one == caller_conversation_id("+44 7700 900123", "secret-one")
    assert one != caller_conversation_id(number, "secret-two")
    assert one != caller_conversation_id("+447700900124", "secret-one")
    assert re.fullmatch(r"ivr-[0-9a-f]{32}", one)
    assert "7700" not in one and "900123" not in one


def test_keypad_digits() -> None:
    buttons = [{"title": "Phone call", "payload": "phone call"}, {"title": "Text", "payload": "t"}]
    assert keypad_payload("1", buttons) == "phone call"
    assert keypad_payload("2#", buttons) == "t"
    assert keypad_payload("3", buttons) is None
    assert keypad_payload("1", None) == "/affirm"
    assert keypad_payload("2", []) == "/deny"
    assert keypad_payload("07700900123", None) is None


def test_dial_number_and_fill() -> None:
    assert dial_number("01782 234234") == "+441782234234"
    assert dial_number("+44 1782 234234") == "+441782234234"
    assert fill("Press {digit} for {option}. {unknown}", {"digit": 1, "option": "Yes"}) == (
        "Press 1 for Yes. {unknown}"
    )


@pytest.fixture
def channel() -> FrontDoorVoiceInput:
    settings = Settings(_env_file=None, twilio_auth_token="unit-test-token", sms_gateway="fake")
    return FrontDoorVoiceInput(settings, sms_gateway=FakeSmsGateway())


def _request(url: str, form: dict, signature: str | None) -> SimpleNamespace:
    path, _, query = url.partition("?")
    return SimpleNamespace(
        url=url,
        path=path.split("5005", 1)[1],
        query_string=query,
        form=form,
        headers={"X-Twilio-Signature": signature} if signature is not None else {},
    )


def test_only_correctly_signed_requests_pass(channel: FrontDoorVoiceInput) -> None:
    form = {"From": "+447700900123", "CallSid": "CA1", "SpeechResult": "pothole"}
    good = RequestValidator("unit-test-token").compute_signature(URL, form)
    assert channel.is_signed(_request(URL, form, good))
    assert not channel.is_signed(_request(URL, form, None))
    assert not channel.is_signed(_request(URL, form, ""))
    wrong = RequestValidator("another-token").compute_signature(URL, form)
    assert not channel.is_signed(_request(URL, form, wrong))
    tampered = {**form, "SpeechResult": "something else"}
    assert not channel.is_signed(_request(URL, tampered, good))


def test_the_public_url_is_used_behind_a_proxy() -> None:
    settings = Settings(
        _env_file=None,
        twilio_auth_token="unit-test-token",
        twilio_public_url="https://phone.example.gov.uk/",
        sms_gateway="fake",
    )
    channel = FrontDoorVoiceInput(settings, sms_gateway=FakeSmsGateway())
    public = "https://phone.example.gov.uk/webhooks/twilio_voice/webhook?s=0"
    form = {"From": "+447700900123"}
    signature = RequestValidator("unit-test-token").compute_signature(public, form)
    assert channel.is_signed(_request(URL + "?s=0", form, signature))
    internal = RequestValidator("unit-test-token").compute_signature(URL + "?s=0", form)
    assert not channel.is_signed(_request(URL + "?s=0", form, internal))


def test_a_voice_that_is_not_a_voice_is_refused() -> None:
    from rasa.shared.exceptions import InvalidConfigException

    with pytest.raises(InvalidConfigException):
        FrontDoorVoiceInput(
            Settings(_env_file=None, twilio_voice="<Play>x</Play>", sms_gateway="fake"),
            sms_gateway=FakeSmsGateway(),
        )


def test_the_development_auth_token_is_refused_in_production() -> None:
    settings = Settings(
        _env_file=None,
        environment="production",
        rasa_api_token="r" * 40,
        staff_api_token="s" * 40,
        open311_api_key="o" * 40,
        caller_id_secret="c" * 40,
    )
    with pytest.raises(ValueError, match="TWILIO_AUTH_TOKEN"):
        settings.check_secrets()


def test_a_reference_read_slowly() -> None:
    from bot.channels.voice_text import spelled_slowly

    assert spelled_slowly("FD-7K3Q9X") == "F, D, 7, K, 3, Q, 9, X"


@pytest.mark.parametrize(
    ("urls", "expected"),
    [
        ({}, "http://services.example:8000"),
        ({"sms_url": "https://sms.example"}, "https://sms.example"),
    ],
)
def test_the_phone_line_texts_through_the_sms_url(
    monkeypatch: pytest.MonkeyPatch, urls: dict[str, str], expected: str
) -> None:
    import bot.channels.twilio_voice as twilio_voice

    given = []
    monkeypatch.setattr(
        twilio_voice, "get_sms_gateway", lambda name, endpoint: given.append(endpoint)
    )
    settings = Settings(
        _env_file=None,
        council_services_url="http://services.example:8000",
        crm_url="https://crm.example",
        staff_api_token="staff-token",
        **urls,
    )
    FrontDoorVoiceInput(settings)
    assert [(e.base_url, e.token) for e in given] == [(expected, "staff-token")]
