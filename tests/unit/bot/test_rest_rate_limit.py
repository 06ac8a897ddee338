"""The REST channel answers 429 with Retry-After when a conversation or address sends too much."""

from __future__ import annotations

import asyncio
import itertools

from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.rest import GuardedRestInput
from lib.rate_limit import Limit, RateLimiter
from tests.unit.bot.sanic_client import call

_names = itertools.count()


def _app(per_sender: str, per_address: str) -> tuple[Sanic, list[str]]:
    seen: list[str] = []

    async def on_new_message(message: UserMessage) -> None:
        seen.append(message.sender_id)
        await message.output_channel.send_text_message(message.sender_id, "hello")

    channel = GuardedRestInput(
        limits=(RateLimiter(Limit.parse(per_sender)), RateLimiter(Limit.parse(per_address)))
    )
    app = Sanic(f"rest_rate_limit_{next(_names)}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/rest")
    return app, seen


def _send(app: Sanic, sender: str, client_ip: str = "203.0.113.7"):
    body = {"sender": sender, "message": "hi"}
    return asyncio.run(call(app, "POST", "/webhooks/rest/webhook", json=body, client_ip=client_ip))


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
