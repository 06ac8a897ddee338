"""One reusable ``httpx.AsyncClient`` per client object, for the clients of our services.

Building an ``httpx.AsyncClient`` is not free (it makes an SSL context) and a fresh one
opens fresh connections, so the service clients keep one and reuse its connection pool.
An ``AsyncClient`` belongs to the event loop it first ran in: when the running loop is a
different one (a script or a test that calls ``asyncio.run`` more than once), a new client
is made for it.
"""

from __future__ import annotations

import asyncio

import httpx


class PooledClient:
    """Hands out the same ``httpx.AsyncClient`` for as long as the event loop is the same.

    Args:
        timeout: the client's timeouts.
        headers: headers sent with every request (a service token).
        transport: a transport to use instead of the network (tests).
    """

    def __init__(
        self,
        timeout: httpx.Timeout,
        headers: dict[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._timeout = timeout
        self._headers = dict(headers or {})
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> httpx.AsyncClient:
        """The client for the running event loop (made on first use, or after a close)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client.is_closed or self._loop is not loop:
            options: dict = {"timeout": self._timeout, "headers": self._headers}
            if self._transport is not None:
                options["transport"] = self._transport
            self._client = httpx.AsyncClient(**options)
            self._loop = loop
        return self._client

    async def aclose(self) -> None:
        """Close the client, if there is one."""
        if self._client is not None:
            await self._client.aclose()
