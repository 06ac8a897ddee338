"""Runs a job now and then at a fixed interval until told to stop (the retention workers)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)


def run_every(job: Callable[[], Any], interval_s: float, stop: threading.Event) -> int:
    """Call ``job`` now and every ``interval_s`` seconds until ``stop`` is set.

    A failing run is logged and the job is tried again at the next interval, so a
    database that is down for a while does not end the worker.

    Returns:
        How many runs were made.
    """
    runs = 0
    while not stop.is_set():
        try:
            job()
        except Exception:  # noqa: BLE001 - keep the worker alive; the next run retries
            logger.exception("%s failed; trying again in %.0f s", _name(job), interval_s)
        runs += 1
        stop.wait(interval_s)
    return runs


def stop_on_signals(stop: threading.Event) -> Callable[[], None]:
    """Set ``stop`` on SIGTERM or SIGINT; returns a function that puts the old handlers back."""
    import signal

    previous = {
        signum: signal.signal(signum, lambda *_: stop.set())
        for signum in (signal.SIGTERM, signal.SIGINT)
    }

    def restore() -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)

    return restore


def _name(job: Callable[[], Any]) -> str:
    return getattr(job, "__name__", None) or type(job).__name__
