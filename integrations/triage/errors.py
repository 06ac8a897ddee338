"""The failures a triage call can end in."""

from __future__ import annotations


class TriageError(Exception):
    """Base class of every triage client failure."""


class TriageUnavailable(TriageError):
    """The triage queue could not be reached, timed out, or answered with a 5xx."""


class TriageRejected(TriageError):
    """The triage queue refused the record (4xx)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
