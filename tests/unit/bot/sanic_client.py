"""Call a Sanic app in-process through ASGI (no server, no port), as Rasa's channels run."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import httpx
from sanic import Sanic
from sanic.handlers import ErrorHandler


async def call(
    app: Sanic, method: str, path: str, *, client_ip: str = "203.0.113.7", **kwargs: Any
) -> httpx.Response:
    """One request to ``app`` from ``client_ip``."""
    if not app.state.is_started:
        try:
            await app._startup()  # what the server does before it serves
        except KeyError:
            # Sanic rewrites its own request methods once per process ("TouchUp") and
            # cannot do it twice; a later app only needs the rest of the start-up.
            if not app.signal_router.finalized:
                app.signalize()
            if not app.router.finalized:
                app.finalize()
            ErrorHandler.finalize(app.error_handler, config=app.config)
            app.state.is_started = True
        with warnings.catch_warnings():  # "a listener in ASGI mode": as intended here
            warnings.simplefilter("ignore", UserWarning)
            # "before_server_start" listeners (sanic-cors adds its middleware in one).
            await app._server_event("init", "before", loop=asyncio.get_running_loop())
    transport = httpx.ASGITransport(app=app, client=(client_ip, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://rasa.test") as http:
        return await http.request(method, path, **kwargs)
