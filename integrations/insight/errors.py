"""Failures of the insight API, as the worker needs to tell them apart."""

from __future__ import annotations


class InsightUnavailable(Exception):
    """The council services did not answer, or answered 5xx: try again later."""


class InsightRejected(Exception):
    """The council services refused the event (4xx): retrying will not help."""

    def __init__(self, status_code: int, detail: str) -> None:
        self.status_code = status_code
        self.detail = detail
        super().__init__(f"HTTP {status_code}: {detail}")
