"""The reusable client of the service clients (``lib/pooled_http.py``)."""

from __future__ import annotations

import asyncio

import httpx

from lib.pooled_http import PooledClient


def pool() -> PooledClient:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    return PooledClient(httpx.Timeout(1.0), {"Authorization": "Bearer t"}, transport)


def test_one_loop_gets_one_client_with_the_headers() -> None:
    pooled = pool()

    async def twice() -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
        first = pooled.get()
        await first.get("http://service.test/")
        return first, pooled.get()

    first, second = asyncio.run(twice())
    assert first is second
    assert first.headers["Authorization"] == "Bearer t"


def test_another_loop_or_a_closed_client_gets_a_new_one() -> None:
    pooled = pool()

    async def get() -> httpx.AsyncClient:
        return pooled.get()

    first = asyncio.run(get())
    second = asyncio.run(get())  # a new event loop
    assert second is not first

    async def closed_then_get() -> tuple[httpx.AsyncClient, httpx.AsyncClient]:
        before = pooled.get()
        await pooled.aclose()
        return before, pooled.get()

    before, after = asyncio.run(closed_then_get())
    assert before.is_closed and after is not before and not after.is_closed
