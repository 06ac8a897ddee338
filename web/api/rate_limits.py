"""Rate limits of the public edges: 429 with ``Retry-After`` when a caller sends too much.

The limiters (``lib/rate_limit.py``) are built once per app from the settings and kept in
``app.state.rate_limits``. ``web_chat_limit`` and ``booking_limit`` are route dependencies
keyed by the client's address; ``check_conversation`` limits one conversation's bookings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import HTTPException, Request, status

from lib.rate_limit import RateLimiter, limiter
from web.core.config import Settings

logger = logging.getLogger(__name__)

TOO_MANY = "Too many requests. Please wait a moment and try again."


@dataclass(frozen=True)
class RateLimits:
    """The limiters of one app."""

    web_chat: RateLimiter
    booking: RateLimiter
    booking_conversation: RateLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        """Build each limiter from its setting."""
        return cls(
            web_chat=limiter(settings.web_chat_rate_limit),
            booking=limiter(settings.booking_rate_limit),
            booking_conversation=limiter(settings.booking_conversation_rate_limit),
        )


def rate_limits(request: Request) -> RateLimits:
    """The app's limiters (built on first use when the app did not build them)."""
    state = request.app.state
    if getattr(state, "rate_limits", None) is None:
        state.rate_limits = RateLimits.from_settings(state.settings)
    return state.rate_limits


def check(limit: RateLimiter, key: str, what: str) -> None:
    """Count one request for ``key``.

    Raises:
        HTTPException: 429 with ``Retry-After`` (whole seconds) when over the limit.
    """
    wait_s = limit.hit(key)
    if wait_s:
        logger.warning("rate limit reached", extra={"limit": what, "retry_after": wait_s})
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            {"code": "rate_limited", "message": TOO_MANY},
            headers={"Retry-After": str(wait_s)},
        )


def client_address(request: Request) -> str:
    """The caller's address as the server saw it (behind a proxy: uvicorn's forwarded one)."""
    return request.client.host if request.client else "unknown"


def web_chat_limit(request: Request) -> None:
    """Dependency: web chat messages per client address."""
    check(rate_limits(request).web_chat, client_address(request), "web_chat")


def booking_limit(request: Request) -> None:
    """Dependency: booking and cancelling calls per client address."""
    check(rate_limits(request).booking, client_address(request), "booking")


def check_conversation(request: Request, conversation_id: str | None) -> None:
    """Booking and cancelling calls per conversation (none named: nothing to count)."""
    if conversation_id:
        check(rate_limits(request).booking_conversation, conversation_id, "booking_conversation")
