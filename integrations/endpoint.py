"""Where a client of an outside system connects, passed in by the process that builds it.

The clients' factories take an :class:`Endpoint` instead of reading the assistant's
settings, so ``integrations/`` never imports ``bot/`` or ``actions/`` (issue #17): the
process that owns the settings (``actions/common/deps.py``, ``bot/cli.py``) builds one.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Endpoint:
    """A service's base URL, its credential and how long to wait for it.

    Attributes:
        base_url: the service root, e.g. ``http://localhost:8000``.
        token: the bearer token or API key the service expects; empty when it needs none.
        connect_timeout_s: seconds to wait for a connection.
        read_timeout_s: seconds to wait for an answer.
    """

    base_url: str
    token: str = field(default="", repr=False)  # never in a repr or a log line
    connect_timeout_s: float = 2.0
    read_timeout_s: float = 5.0
