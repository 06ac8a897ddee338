"""Action calls on kept connections send what Rasa's own request sent, and read it back."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot import action_calls


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _serving(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    calls: Callable[[EndpointConfig], Awaitable[Any]],
) -> tuple[Any, list[dict[str, Any]], int]:
    """Run ``calls`` against a local server; what it returned, what arrived, connections."""
    seen: list[dict[str, Any]] = []
    peers: set[Any] = set()

    async def recording(request: web.Request) -> web.StreamResponse:
        peers.add(request.transport.get_extra_info("peername"))
        seen.append({
            "body": await request.read(),
            "content_type": request.headers.get("Content-Type"),
            "query": dict(request.query),
            "path": request.path,
        })  # fmt: skip
        return await handler(request)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", recording)
    runner = web.AppRunner(app)
    await runner.setup()
    port = _free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", token="s3cret")
        result = await calls(endpoint)
    finally:
        await action_calls.close_sessions()
        await runner.cleanup()
    return result, seen, len(peers)


async def _json_reply(request: web.Request) -> web.StreamResponse:
    return web.json_response({"events": [], "responses": [{"text": "hi"}]})


DOMAIN = {"version": "3.1", "slots": {"place": {"type": "text"}}, "intents": ["greet"]}


def _call(sender: str) -> dict[str, Any]:
    return {"next_action": "action_x", "sender_id": sender, "tracker": {"events": []},
            "domain": DOMAIN, "version": "3.6.21"}  # fmt: skip


async def _three_calls(endpoint: EndpointConfig) -> list[Any]:
    return [await endpoint.request(json=_call(f"r{n}"), method="post") for n in range(3)]


@pytest.fixture
def rasas_own():
    action_calls.uninstall()
    yield
    action_calls.uninstall()


def test_the_same_calls_arrive_on_one_connection(rasas_own) -> None:
    theirs, their_seen, their_connections = asyncio.run(_serving(_json_reply, _three_calls))
    action_calls.install()
    ours, our_seen, our_connections = asyncio.run(_serving(_json_reply, _three_calls))

    assert ours == theirs == [{"events": [], "responses": [{"text": "hi"}]}] * 3
    for mine, rasas in zip(our_seen, their_seen, strict=True):
        assert json.loads(mine["body"]) == json.loads(rasas["body"])
        assert mine["content_type"] == rasas["content_type"] == "application/json"
        assert mine["query"] == rasas["query"] == {"token": "s3cret"}
        assert mine["path"] == rasas["path"] == "/webhook"
    assert their_connections == 3
    assert our_connections == 1


def test_errors_and_replies_that_are_not_json_read_as_rasas(rasas_own) -> None:
    async def refuse(request: web.Request) -> web.StreamResponse:
        return web.Response(status=500, text="broken")

    async def plain(request: web.Request) -> web.StreamResponse:
        return web.Response(text="not json")

    async def one(endpoint: EndpointConfig) -> Any:
        try:
            return await endpoint.request(json=_call("r"), method="post")
        except ClientResponseError as error:
            return ("error", error.status, error.text)

    for handler in (refuse, plain):
        theirs = asyncio.run(_serving(handler, one))[0]
        action_calls.install()
        ours = asyncio.run(_serving(handler, one))[0]
        action_calls.uninstall()
        assert ours == theirs
    assert asyncio.run(_serving(refuse, one))[0] == ("error", 500, b"broken")


def test_a_body_is_the_json_of_the_call_with_the_domain_encoded_once() -> None:
    first = action_calls.encode_body(_call("a"))
    assert json.loads(first) == _call("a")
    assert json.loads(action_calls.encode_body({"domain": DOMAIN})) == {"domain": DOMAIN}
    changed = {**DOMAIN, "intents": ["greet", "bye"]}
    assert json.loads(action_calls.encode_body({**_call("b"), "domain": changed}))["domain"] == (
        changed
    )
    assert json.loads(action_calls.encode_body({"no": "domain"})) == {"no": "domain"}
    assert json.loads(action_calls.encode_body([1, 2])) == [1, 2]
    # The same object again: its cached JSON, not a stale one of another domain.
    assert json.loads(action_calls.encode_body(_call("c")))["domain"] == DOMAIN


def test_json_text_is_the_same_values_as_json_dumps_and_falls_back_for_what_ujson_refuses():
    import math

    tracker = {
        "events": [
            {"event": "user", "text": "café on Leek Road / lane", "confidence": 0.1 + 0.2,
             "entities": [{"start": 0, "end": 4, "value": "caf\u00e9"}], "flags": (1, 2)},
            {"event": "slot", "name": "count", "value": 2**63 - 1, "big": 10**30},
        ],
        "nothing": None,
        "yes": True,
    }  # fmt: skip
    assert json.loads(action_calls.dumps(tracker)) == json.loads(json.dumps(tracker))
    lone = {"text": "\ud800"}  # a lone surrogate, escaped either way
    assert json.loads(action_calls.dumps(lone)) == lone
    assert math.isnan(json.loads(action_calls.dumps({"x": float("nan")}))["x"])

    class Unknown:
        pass

    with pytest.raises(TypeError):
        action_calls.dumps({"x": Unknown()})  # json.dumps's own error, as before
