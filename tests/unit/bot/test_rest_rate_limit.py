"""The REST channel answers 429 with Retry-After when a conversation or address sends too much."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.rest import RELAYED_ADDRESS_HEADER, GuardedRestInput
from lib.rate_limit import Limit, RateLimiter
from tests.unit.bot.sanic_client import call

_names = itertools.count()


def _app(per_sender: str, per_address: str, relay_token: str = "") -> tuple[Sanic, list[str]]:
    seen: list[str] = []

    async def on_new_message(message: UserMessage) -> None:
        seen.append(message.sender_id)
        await message.output_channel.send_text_message(message.sender_id, "hello")

    channel = GuardedRestInput(
        limits=(RateLimiter(Limit.parse(per_sender)), RateLimiter(Limit.parse(per_address))),
        relay_token=relay_token,
    )
    app = Sanic(f"rest_rate_limit_{next(_names)}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/rest")
    return app, seen


def _send(app: Sanic, sender: str, client_ip: str = "203.0.113.7", headers=None):
    body = {"sender": sender, "message": "hi"}
    return asyncio.run(
        call(app, "POST", "/webhooks/rest/webhook", json=body, client_ip=client_ip, headers=headers)
    )


RELAY = "127.0.0.1"


def _relayed(resident: str, token: str = "relay-token") -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", RELAYED_ADDRESS_HEADER: resident}


def test_one_conversation_is_limited_and_others_carry_on() -> None:
    app, seen = _app("2/60", "0")
    assert [_send(app, "web-a").status_code for _ in range(2)] == [200, 200]
    refused = _send(app, "web-a")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) == 30
    assert _send(app, "web-b").status_code == 200
    assert seen == ["web-a", "web-a", "web-b"]  # the refused message never reached Rasa


def test_one_address_is_limited_whatever_the_conversation() -> None:
    app, seen = _app("0", "3/60")
    statuses = [_send(app, f"script-{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert _send(app, "resident", client_ip="198.51.100.2").status_code == 200
    assert len(seen) == 4


def test_the_relay_with_the_token_counts_each_resident_alone() -> None:
    """Every web resident comes from the relay's address; each has their own allowance."""
    app, seen = _app("0", "2/60", relay_token="relay-token")
    first = [_send(app, f"web-{n}", RELAY, _relayed("198.51.100.2")).status_code for n in range(3)]
    assert first == [200, 200, 429]
    # Another resident through the same relay is not held back by the first.
    second = [
        _send(app, f"web-b{n}", RELAY, _relayed("198.51.100.3")).status_code for n in range(2)
    ]
    assert second == [200, 200]
    # Nor is the relay's own address used up by them.
    assert _send(app, "script", RELAY).status_code == 200
    assert len(seen) == 5


@pytest.mark.parametrize(
    "headers",
    [
        {RELAYED_ADDRESS_HEADER: "198.51.100.9"},  # no token
        _relayed("198.51.100.9", token="guessed"),  # a wrong token
        {"Authorization": "Basic relay-token", RELAYED_ADDRESS_HEADER: "198.51.100.9"},
        _relayed("not-an-address"),  # the token, but no address
    ],
)
def test_a_named_address_is_not_believed_without_the_token(headers: dict[str, str]) -> None:
    """Otherwise any caller could dodge its limit by naming a new address each time."""
    app, _ = _app("0", "2/60", relay_token="relay-token")
    statuses = [_send(app, f"x-{n}", "203.0.113.50", headers).status_code for n in range(3)]
    assert statuses == [200, 200, 429]


def test_with_no_relay_token_configured_no_named_address_is_believed() -> None:
    app, _ = _app("0", "1/60", relay_token="")
    statuses = [
        _send(app, f"y-{n}", RELAY, _relayed("198.51.100.4", token="")).status_code
        for n in range(2)
    ]
    assert statuses == [200, 429]


def test_the_relay_and_the_channel_name_the_same_header() -> None:
    from web.chat_relay import RESIDENT_ADDRESS_HEADER

    assert RESIDENT_ADDRESS_HEADER == RELAYED_ADDRESS_HEADER
