"""The failures an Open311 call can end in, so actions catch only these."""

from __future__ import annotations


class Open311Error(Exception):
    """Base class of every Open311 client failure."""


class Open311Unavailable(Open311Error):
    """The server could not be reached, timed out, or answered with a 5xx."""


class Open311Rejected(Open311Error):
    """The server refused the request (HTTP 400/403) with a GeoReport error array."""

    def __init__(self, status: int, code: int | str, description: str) -> None:
        super().__init__(f"{status}: {code} {description}")
        self.status = status
        self.code = code
        self.description = description


class Open311NotFound(Open311Error):
    """The service or request does not exist (HTTP 404)."""
