"""The insight API client (``integrations/insight/client.py``): answer feedback."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from integrations.insight import InsightClient, InsightRejected, InsightUnavailable

DIGEST = "ab" * 32


def client(handler) -> InsightClient:
    return InsightClient("http://cs/", "service-token", transport=httpx.MockTransport(handler))


def test_feedback_is_posted_with_the_staff_token() -> None:
    seen: list[httpx.Request] = []

    def council_services(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    asyncio.run(client(council_services).post_feedback(DIGEST, False, "ivr"))
    [request] = seen
    assert (request.method, str(request.url)) == ("POST", "http://cs/api/v1/insight/feedback")
    assert request.headers["Authorization"] == "Bearer service-token"
    assert json.loads(request.content) == {
        "conversation_hash": DIGEST,
        "answered": False,
        "channel": "ivr",
    }


@pytest.mark.parametrize(
    ("answer", "error"),
    [(httpx.Response(503), InsightUnavailable), (httpx.Response(422), InsightRejected)],
)
def test_refused_or_failed_feedback_raises_the_clients_errors(
    answer: httpx.Response, error: type[Exception]
) -> None:
    with pytest.raises(error):
        asyncio.run(client(lambda request: answer).post_feedback(DIGEST, True, "ivr"))
