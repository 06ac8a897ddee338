"""The failures a call to the council's CRM (council tax, broadband) can end in."""

from __future__ import annotations


class CrmError(Exception):
    """Base class of every CRM client failure."""


class CrmUnavailable(CrmError):
    """The CRM could not be reached, timed out, or answered with a 5xx."""


class CrmRejected(CrmError):
    """The CRM refused the request (4xx other than a failed verification)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


class NotVerified(CrmError):
    """The account details did not verify; the CRM says nothing more, on purpose."""


class CrmNotFound(CrmError):
    """No record with that reference."""
