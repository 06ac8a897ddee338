"""Configures logging once (from the CLI), with a filter that redacts personal data."""

from __future__ import annotations

import logging
import re

_PATTERNS = (
    (re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[email]"),
    (re.compile(r"(?:\+44\s?|\b0)(?:\d[\s-]?){9,10}\b"), "[phone]"),
    (re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.I), "[ni-number]"),
)


def redact(text: str) -> str:
    """Replace email addresses, UK phone numbers and NI numbers with placeholders."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """A backstop: personal data that reaches a log line is masked before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the formatted message in place."""
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure(level: str = "INFO") -> None:
    """Set up the root logger for a Front Door process."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
