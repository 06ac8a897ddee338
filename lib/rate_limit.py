"""An in-process rate limiter: at most N requests per key in a rolling period.

Each key (a client address, a conversation) has a token bucket that holds up to ``limit``
tokens and refills at ``limit / period_s`` a second. A request takes one token; with none
left it is refused, and the limiter says how many whole seconds to wait (the HTTP
``Retry-After``). Memory stays bounded: the least recently seen keys are forgotten first,
and a forgotten key would have had a full bucket by then anyway unless the table is full.

A limit is written ``"<requests>/<seconds>"`` in settings (``"30/60"``: 30 a minute);
``""`` or ``"0"`` switches it off. Each process keeps its own counts, so behind a load
balancer each process allows the limit (documented in the deploy guide).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

#: The most keys one limiter remembers before it forgets the least recently seen.
MAX_KEYS = 100_000


@dataclass(frozen=True)
class Limit:
    """``requests`` per ``period_s`` seconds; ``requests == 0`` means no limit."""

    requests: int
    period_s: float

    @classmethod
    def parse(cls, text: str) -> Limit:
        """Read ``"30/60"`` (30 requests every 60 seconds); ``""`` or ``"0"`` is off.

        Raises:
            ValueError: when the text is neither.
        """
        text = text.strip()
        if text in {"", "0"}:
            return cls(0, 1.0)
        requests, _, period = text.partition("/")
        try:
            limit = cls(int(requests), float(period))
        except ValueError:
            message = f"a rate limit looks like 30/60 (requests/seconds), not {text!r}"
            raise ValueError(message) from None
        if limit.requests < 1 or not limit.period_s > 0:
            raise ValueError(f"a rate limit needs at least 1 request and a period, not {text!r}")
        return limit

    @property
    def enabled(self) -> bool:
        """Whether this limit refuses anything."""
        return self.requests > 0


class RateLimiter:
    """Token buckets, one per key; thread-safe."""

    def __init__(
        self,
        limit: Limit,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._max_keys = max_keys
        self._rate = limit.requests / limit.period_s if limit.enabled else 0.0
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> int:
        """Count one request for ``key``.

        Returns:
            0 when it is allowed; otherwise the whole seconds until one more would be.
        """
        if not self.limit.enabled:
            return 0
        now = self._clock()
        capacity = float(self.limit.requests)
        with self._lock:
            tokens, seen = self._buckets.pop(key, (capacity, now))
            tokens = min(capacity, tokens + (now - seen) * self._rate)
            if tokens >= 1.0:
                self._remember(key, tokens - 1.0, now)
                return 0
            self._remember(key, tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self._rate))

    def _remember(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)


def limiter(text: str) -> RateLimiter:
    """A limiter for a setting such as ``"30/60"``."""
    return RateLimiter(Limit.parse(text))
