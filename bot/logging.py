"""Configures logging once (from the CLI), with a filter that redacts personal data."""

from __future__ import annotations

import logging

from bot.redaction import redact


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
    # Health polls and client calls are routine; their request lines would drown the log.
    logging.getLogger("httpx").setLevel(logging.WARNING)
