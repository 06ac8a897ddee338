"""The in-process rate limiter: limits, Retry-After seconds, refill and bounded memory."""

from __future__ import annotations

import pytest

from lib.rate_limit import Limit, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_allows_the_limit_then_says_how_long_to_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(Limit.parse("3/60"), clock=clock)
    assert [limiter.hit("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.hit("a") == 20  # one token comes back every 20 seconds
    assert limiter.hit("b") == 0  # another key has its own bucket
    clock.now += 19.5
    assert limiter.hit("a") == 1
    clock.now += 1
    assert limiter.hit("a") == 0
    assert limiter.hit("a") > 0


def test_refills_to_the_limit_and_no_further() -> None:
    clock = Clock()
    limiter = RateLimiter(Limit.parse("2/10"), clock=clock)
    limiter.hit("a")
    limiter.hit("a")
    clock.now += 3600
    assert [limiter.hit("a") for _ in range(3)] == [0, 0, 5]


def test_off_and_bad_settings() -> None:
    assert not Limit.parse("").enabled and not Limit.parse("0").enabled
    off = RateLimiter(Limit.parse(""))
    assert all(off.hit("a") == 0 for _ in range(1000))
    for bad in ("ten", "5", "0/60", "5/0", "-1/5"):
        with pytest.raises(ValueError):
            Limit.parse(bad)


def test_memory_is_bounded_by_forgetting_the_oldest_keys() -> None:
    clock = Clock()
    limiter = RateLimiter(Limit.parse("1/60"), clock=clock, max_keys=3)
    for key in ("a", "b", "c", "d"):
        assert limiter.hit(key) == 0
    assert len(limiter._buckets) == 3
    assert limiter.hit("d") > 0  # remembered
    assert limiter.hit("a") == 0  # forgotten, so a fresh bucket
