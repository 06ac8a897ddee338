"""Rasa's calls to the action server on kept-alive connections, the domain encoded once.

Rasa 3.6 sends each custom action call through a new aiohttp ``ClientSession``: a new
connection to the action server, opened and closed for every call, and a body encoded
whole by ``json.dumps`` every time, the domain included (32 KB here without its responses,
the same for every call while a model is loaded). Profiled on whole turns (py-spy, 10
conversations at once), the calls took 12% of the Rasa server's main thread, more than
half of it encoding JSON. :func:`install` replaces ``EndpointConfig.request`` so that:

* each endpoint keeps one session per event loop, whose idle connections are reused and
  closed after :data:`IDLE_SECONDS` (before the action server's own 5 s), and which is
  closed when the server stops;
* a body with a domain is sent as JSON text made of the call without its domain, encoded,
  and the domain's JSON, encoded once for each domain object (``bot/rasa_server.py``
  sends the same trimmed domain object with every call of a model); the encoding is
  ujson's where it can (:func:`dumps`).

Everything else is Rasa's request as it was: the headers, the query parameters (the
token), compression, the certificate file, the ``ClientResponseError`` for a status of
400 or more, and the JSON read back (``None`` when the reply is not JSON).
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
from typing import Any

import aiohttp
import ujson
from aiohttp.client_exceptions import ContentTypeError
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.exceptions import FileNotFoundException
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

from bot import app_listeners

#: Seconds an idle connection is kept for the next call.
IDLE_SECONDS = 2.0

_rasa_request = EndpointConfig.request
#: Open sessions by (event loop, headers, basic auth).
_sessions: dict[tuple[Any, str, str], aiohttp.ClientSession] = {}
#: The last domain encoded: (the object, its JSON).
_encoded_domain: list[tuple[Any, str]] = []


def dumps(value: Any) -> str:
    """``value`` as JSON text: ujson's encoder (already Rasa's and Sanic's), else ``json``.

    ujson writes the same JSON values about twice as fast here (a tracker of 148 events:
    0.14 ms against 0.34). What it refuses (a type it does not know, a number it cannot
    write, a lone surrogate) goes to ``json.dumps``, as before.
    """
    try:
        return ujson.dumps(value)
    except (TypeError, ValueError, OverflowError):
        return json.dumps(value)


def encode_body(body: Any) -> bytes:
    """``body`` as JSON, its ``domain`` (if a mapping) encoded once per domain object."""
    if not isinstance(body, dict) or not isinstance(body.get("domain"), dict):
        return dumps(body).encode()
    domain = body["domain"]
    if not _encoded_domain or _encoded_domain[0][0] is not domain:
        _encoded_domain[:] = [(domain, dumps(domain))]
    rest = {key: value for key, value in body.items() if key != "domain"}
    head = dumps(rest)[:-1] + (", " if rest else "")
    return f'{head}"domain": {_encoded_domain[0][1]}}}'.encode()


def _session(endpoint: EndpointConfig) -> aiohttp.ClientSession:
    """The open session for ``endpoint``'s headers and credentials on this event loop."""
    key = (
        asyncio.get_running_loop(),
        json.dumps(endpoint.headers, sort_keys=True, default=str),
        json.dumps(endpoint.basic_auth, sort_keys=True, default=str),
    )
    session = _sessions.get(key)
    if session is None or session.closed:
        auth = None
        if endpoint.basic_auth:
            auth = aiohttp.BasicAuth(
                endpoint.basic_auth["username"], endpoint.basic_auth["password"]
            )
        session = aiohttp.ClientSession(
            headers=endpoint.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_SECONDS),
        )
        _sessions[key] = session
    return session


async def request(
    self: EndpointConfig,
    method: str = "post",
    subpath: str | None = None,
    content_type: str | None = "application/json",
    compress: bool = False,
    **kwargs: Any,
) -> Any:
    """Rasa's ``EndpointConfig.request`` on a kept session, the domain encoded once."""
    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if "headers" in kwargs:
        headers.update(kwargs.pop("headers"))
    if self.headers:
        headers.update(self.headers)
    if "json" in kwargs and "data" not in kwargs:
        kwargs["data"] = encode_body(kwargs.pop("json"))
        headers.setdefault("Content-Type", "application/json")

    sslcontext = None
    if self.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=self.cafile)
        except FileNotFoundError as error:
            path = os.path.abspath(self.cafile)
            raise FileNotFoundException(
                f"Failed to find certificate file, '{path}' does not exist."
            ) from error

    async with _session(self).request(
        method,
        concat_url(self.url, subpath),
        headers=headers,
        params=self.combine_parameters(kwargs),
        compress=compress,
        ssl=sslcontext,
        **kwargs,
    ) as response:
        if response.status >= 400:
            raise ClientResponseError(
                response.status, response.reason, await response.content.read()
            )
        try:
            return await response.json()
        except ContentTypeError:
            return None


async def close_sessions(*_: Any) -> None:
    """Close every kept session (when the server stops)."""
    sessions = list(_sessions.values())
    _sessions.clear()
    for session in sessions:
        await session.close()


def install() -> None:
    """Send endpoint requests with :func:`request`; close its sessions with the server."""
    EndpointConfig.request = request  # type: ignore[method-assign]
    app_listeners.add(close_sessions, "after_server_stop")


def uninstall() -> None:
    """Rasa's own request."""
    EndpointConfig.request = _rasa_request  # type: ignore[method-assign]
