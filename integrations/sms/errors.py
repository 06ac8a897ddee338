"""The failures sending a text message can end in."""

from __future__ import annotations


class SmsError(Exception):
    """Base class of every SMS gateway failure."""


class SmsUnavailable(SmsError):
    """The gateway could not be reached, timed out, or answered with a 5xx."""


class SmsRejected(SmsError):
    """The gateway refused the message (4xx)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
