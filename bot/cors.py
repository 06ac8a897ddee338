"""CORS for Rasa's HTTP server: only the configured origins, exactly.

Rasa hands ``--cors`` values to sanic-cors, which treats any value with ``*`` as a regular
expression matched from the start only: ``http://127.0.0.1:*`` then lets
``http://127x0x0x1.evil.example`` through (each ``.`` matches any character), and Rasa
answers it with ``Access-Control-Allow-Credentials: true``. :func:`install` replaces Rasa's
``configure_cors`` so each origin is compared whole and literally (scheme, host and port),
and a wildcard is refused at start-up instead of being widened.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: ``scheme://host[:port]``: what a browser sends in ``Origin``.
_ORIGIN = re.compile(
    r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$"
)


class CorsError(ValueError):
    """A configured origin is not one exact ``scheme://host[:port]``."""


def split_origins(value: str | Iterable[str] | None) -> list[str]:
    """The origins of a setting (comma-separated) or of Rasa's ``--cors`` list."""
    if value is None:
        return []
    parts = value.split(",") if isinstance(value, str) else list(value)
    return [part.strip().rstrip("/") for part in parts if part and part.strip()]


def exact_patterns(value: str | Iterable[str] | None) -> list[re.Pattern[str]]:
    """One whole-string, literal pattern per origin.

    Raises:
        CorsError: for a wildcard or anything that is not ``scheme://host[:port]``.
    """
    patterns = []
    for origin in split_origins(value):
        if not _ORIGIN.match(origin):
            raise CorsError(
                f"CORS origin {origin!r} is not an exact scheme://host[:port] "
                "(wildcards are refused: list each origin)"
            )
        patterns.append(re.compile(re.escape(origin) + r"\Z", re.IGNORECASE))
    return patterns


def configure_cors(app: Any, cors_origins: str | list[str] | None = "") -> None:
    """Rasa's ``configure_cors`` with exact origins only (none configured: no CORS)."""
    _RASA["configure_cors"](app, exact_patterns(cors_origins))


#: Rasa's own function, kept when :func:`install` replaces it.
_RASA: dict[str, Any] = {}


def install() -> None:
    """Make Rasa's server use :func:`configure_cors` (before it builds its app)."""
    import rasa.server

    if rasa.server.configure_cors is not configure_cors:
        _RASA["configure_cors"] = rasa.server.configure_cors
        rasa.server.configure_cors = configure_cors
