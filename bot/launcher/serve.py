"""Runs a started stack until a signal stops it; keeps its processes alive meanwhile.

Ctrl-C (SIGINT), ``kill`` (SIGTERM) and the terminal closing (SIGHUP) all stop the stack
the same way, even while it is still starting: each stops every process and returns.
(A launcher killed outright cannot clean up; its children then get SIGTERM from the
kernel, ``bot/launcher/child_process.py``.) While running, a process that dies is restarted with
back-off and reported (``bot/launcher/supervisor.py``), not a reason to stop everything.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path
from typing import Protocol

from bot.launcher.startup import Stage, StageLines, format_duration
from bot.launcher.supervisor import Backoff, Supervised, Supervisor

#: The signals that stop the stack: Ctrl-C, ``kill``, and the terminal closing.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Runnable(Protocol):
    """What the launcher needs of a stack (``bot.launcher.stack.Stack``)."""

    log_dir: Path

    @property
    def services(self) -> list[Supervised]:  # noqa: D102
        ...

    def start(self, timeout_s: float | None = None, progress: Stage | None = None) -> None:  # noqa: D102
        ...

    def stop(self) -> None:  # noqa: D102
        ...

    def urls(self) -> dict[str, str]:  # noqa: D102
        ...


class StopRequested(Exception):
    """A stop signal arrived."""


def stop_on_signals() -> None:
    """Turn each stop signal into :class:`StopRequested`, wherever the launcher is."""

    def stop(signum: int, _frame: object) -> None:
        for number in STOP_SIGNALS:  # once: a second signal must not cut the clean-up short
            signal.signal(number, signal.SIG_IGN)
        raise StopRequested(signal.Signals(signum).name)

    for number in STOP_SIGNALS:
        signal.signal(number, stop)


def report(message: str) -> None:
    """Tell the person running the stack (standard error; gone with a closed terminal)."""
    try:
        sys.stderr.write(message.rstrip("\n") + "\n")
        sys.stderr.flush()
    except (OSError, ValueError):  # the terminal closed: the services' logs still say it
        pass


def serve(
    stack: Runnable,
    backoff: Backoff | None = None,
    tick_s: float = 1.0,
    lines: StageLines | None = None,
    started_at: float | None = None,
    record_loading: bool = True,
) -> int:
    """Start the stack, keep it running until a stop signal, then stop it.

    Args:
        stack: the processes.
        backoff: the waits between restarts.
        tick_s: how often to look for dead processes.
        lines: the stage lines of ``make run``: the loading stage says what starts, what
            is ready, and how long it took.
        started_at: when ``make run`` began (``time.time``), for the total on the last line.
        record_loading: keep the loading time for the next estimate (not for other stacks).

    Returns:
        The exit code: 0 after a stop signal.
    """
    stop_on_signals()
    try:
        if lines is None:
            sys.stdout.write("Starting Front Door (council services, actions, outbox, Rasa)...\n")
            sys.stdout.flush()
            stack.start()
        else:
            count = len(stack.services)
            with lines.stage(
                "loading",
                f"starting {count} processes",
                lines.times.estimate("loading"),
                record=record_loading,
            ) as stage:
                stack.start(progress=stage)
        took = f" (all ready in {format_duration(time.time() - started_at)})" if started_at else ""
        urls = [f"  {name:32} {url}" for name, url in stack.urls().items()]
        sys.stdout.write(
            f"Front Door is running{took}:\n" + "\n".join(urls) + "\nPress Ctrl-C to stop.\n"
        )
        sys.stdout.flush()
        supervisor = Supervisor(stack.services, stack.log_dir, report, backoff or Backoff())
        while True:
            supervisor.check()
            time.sleep(tick_s)
    except StopRequested as reason:
        report(f"Stopping ({reason})...")
    finally:
        stack.stop()
    return 0
