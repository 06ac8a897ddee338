"""The benchmark's stack: settings as in production but for what one client address changes."""

from __future__ import annotations

from pathlib import Path

from lib.rate_limit import Limit
from scripts import bench
from tests.helpers import stack_settings


def test_the_per_address_limit_is_off_and_each_conversations_limit_stays_on(
    tmp_path: Path,
) -> None:
    """One address plays every resident: its limit would refuse them with 429 at 50 at once."""
    settings = stack_settings(tmp_path, **bench.BENCH_OVERRIDES)
    assert not Limit.parse(settings.rest_address_rate_limit).enabled
    assert Limit.parse(settings.rest_rate_limit) == Limit.parse(
        stack_settings(tmp_path).rest_rate_limit
    )
    assert Limit.parse(settings.rest_rate_limit).enabled
