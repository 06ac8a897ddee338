"""Rasa's CORS answers only the configured origins, exactly (issue #15 item 9).

The app is built as Rasa builds its own (``rasa.server.configure_cors`` on a Sanic app),
after ``bot.rasa_server.install()`` has replaced the origin matching.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest
import rasa.server
from sanic import Sanic, response

from bot import cors
from bot.launcher.stack import cors_arguments
from bot.rasa_server import install
from bot.settings import Settings
from tests.unit.bot.sanic_client import call

HOSTILE = [
    "http://127x0x0x1.evil.example",
    "http://localhost:8000.evil.example",
    "http://evil.example",
    "https://localhost:8000",
    "http://localhost:8001",
    "null",
]
_names = itertools.count()


def _rasa_like_app(origins: list[str] | str | None) -> Sanic:
    install()
    app = Sanic(f"cors_probe_{next(_names)}")
    rasa.server.configure_cors(app, origins)

    @app.get("/status")
    async def status(request):  # noqa: ANN001, ANN202
        return response.json({"ok": True})

    return app


def _allowed(app: Sanic, origin: str, method: str = "GET") -> str | None:
    headers = {"Origin": origin}
    if method == "OPTIONS":
        headers["Access-Control-Request-Method"] = "GET"
    reply = asyncio.run(call(app, method, "/status", headers=headers))
    return reply.headers.get("Access-Control-Allow-Origin")


@pytest.mark.parametrize("method", ["GET", "OPTIONS"])
def test_only_configured_origins_are_echoed(method: str) -> None:
    app = _rasa_like_app(["http://localhost:8000", "https://www.example-council.gov.uk"])
    assert _allowed(app, "http://localhost:8000", method) == "http://localhost:8000"
    assert _allowed(app, "https://www.example-council.gov.uk", method)
    for origin in HOSTILE:
        assert _allowed(app, origin, method) is None, origin


def test_no_origin_configured_means_no_cors() -> None:
    app = _rasa_like_app(None)
    for origin in ["http://localhost:8000", *HOSTILE]:
        assert _allowed(app, origin) is None


def test_wildcards_are_refused_not_widened() -> None:
    for bad in ("http://127.0.0.1:*", "*", "http://*.example.com", "localhost:8000"):
        with pytest.raises(cors.CorsError):
            cors.exact_patterns(bad)
        with pytest.raises(ValueError):
            Settings(rasa_cors_origins=bad)


def test_the_launcher_passes_the_configured_origins_only() -> None:
    assert cors_arguments(Settings(rasa_cors_origins="")) == []
    configured = Settings(rasa_cors_origins="http://localhost:8000, https://a.example/")
    assert cors_arguments(configured) == [
        "--cors", "http://localhost:8000", "--cors", "https://a.example"
    ]  # fmt: skip


def test_rasas_own_matching_let_the_hostile_origin_through() -> None:
    """Why the fix exists: the old ``--cors http://127.0.0.1:*`` echoed the hostile origin."""
    install()
    app = Sanic(f"cors_probe_{next(_names)}")
    cors._RASA["configure_cors"](app, ["http://127.0.0.1:*"])

    @app.get("/status")
    async def status(request):  # noqa: ANN001, ANN202
        return response.json({"ok": True})

    assert _allowed(app, "http://127x0x0x1.evil.example") == "http://127x0x0x1.evil.example"
