"""Configures logging once (from the CLI and the launchers), with redaction of every line.

The redaction itself (personal data, secrets, URL tokens; on third-party loggers too) is
:mod:`lib.redacted_logs`, and the line format, which prints the ids passed as ``extra``, is
:mod:`lib.log_format`; both are shared with the council services.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from lib.log_format import FORMAT, KeyValueFormatter
from lib.redacted_logs import install as install_redaction

__all__ = ["FORMAT", "configure"]


def configure(level: str = "INFO", secrets: Iterable[str] = (), council: str = "") -> None:
    """Set up the root logger for a Front Door process and redact everything it writes.

    Args:
        level: the root logger's level.
        secrets: values never to write (the settings' tokens and shared secrets).
        council: the council's slug, shown on every line.
    """
    handler = logging.StreamHandler()
    handler.setFormatter(KeyValueFormatter(FORMAT, council=council))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    install_redaction(secrets)
