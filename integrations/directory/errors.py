"""The failures a directory call can end in."""

from __future__ import annotations


class DirectoryError(Exception):
    """Base class of every directory client failure."""


class DirectoryUnavailable(DirectoryError):
    """The directory could not be reached, timed out, or answered with a 5xx or non-JSON."""


class DirectoryRejected(DirectoryError):
    """The directory refused the request (4xx) with a code and a reason.

    Codes include ``outside_area``, ``postcode_not_found``, ``near_not_understood``,
    ``in_the_past``, ``outside_opening_hours``, ``closed_that_day``, ``fully_booked``,
    ``bad_length``, ``bad_start``, ``not_bookable``, ``not_found``, ``already_cancelled``,
    ``too_far_ahead`` and ``too_many_bookings`` (with the rule's number in ``limit``),
    ``rate_limited``.
    """

    def __init__(self, status: int, code: str, message: str, limit: int | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.limit = limit
