"""Shared secrets presented as ``Authorization: Bearer <token>``, compared in constant time.

The Rasa server's API, the action server and the REST channel's relayed addresses all take
a token this way (any request object with ``headers``: Sanic's for each of them).
"""

from __future__ import annotations

import hmac
from typing import Any

#: The scheme, lower case, with its space.
BEARER = "bearer "


def bearer_token(request: Any) -> str:
    """The token of an ``Authorization: Bearer <token>`` header, or ``""``."""
    header = request.headers.get("Authorization", "")
    return header[len(BEARER) :].strip() if header.lower().startswith(BEARER) else ""


def same_secret(given: str, expected: str) -> bool:
    """Whether ``given`` is the (non-empty) ``expected`` secret, compared in constant time."""
    return bool(given) and bool(expected) and hmac.compare_digest(given.encode(), expected.encode())
