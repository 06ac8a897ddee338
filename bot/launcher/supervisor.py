"""Keeps the stack's processes running: a process that dies is restarted with back-off.

A worker that crashes (a bad item, a lost database) is not a reason to stop the whole
product: :class:`Supervisor` reports it, waits (1 s, 2 s, 4 s ... up to ``max_s``) and
starts it again. The wait resets once the process has stayed up for ``stable_s``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


class Supervised(Protocol):
    """What the supervisor needs of a process (``bot.launcher.stack.Service``)."""

    name: str

    @property
    def running(self) -> bool:
        """Whether the process is alive."""

    def start(self, log_dir: Path) -> None:
        """Start it."""

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop it (and close its log)."""

    def exit_code(self) -> int | None:
        """How it ended, if it has."""

    def log_tail(self, lines: int = 40) -> str:
        """The end of its output."""


@dataclass(frozen=True)
class Backoff:
    """How long to wait before each restart."""

    base_s: float = 1.0
    max_s: float = 60.0
    #: Up this long without dying: the next death waits ``base_s`` again.
    stable_s: float = 60.0

    def delay(self, deaths: int) -> float:
        """The wait after the ``deaths``-th death in a row (1, 2, 4 ... ``max_s``)."""
        return min(self.max_s, self.base_s * 2 ** max(0, deaths - 1))


@dataclass
class _Track:
    started_at: float
    deaths: int = 0
    due: float | None = None
    restarts: int = 0


@dataclass
class Supervisor:
    """Restarts the processes that die; call :meth:`check` every second or so."""

    services: Sequence[Supervised]
    log_dir: Path
    report: Callable[[str], None]
    backoff: Backoff = field(default_factory=Backoff)
    clock: Callable[[], float] = time.monotonic
    _tracks: dict[str, _Track] = field(default_factory=dict)

    def restarts(self, name: str) -> int:
        """How many times a process has been restarted."""
        track = self._tracks.get(name)
        return track.restarts if track else 0

    def check(self) -> None:
        """Note deaths, and start again each dead process whose wait is over."""
        now = self.clock()
        for service in self.services:
            track = self._tracks.setdefault(service.name, _Track(started_at=now))
            if service.running:
                if track.deaths and now - track.started_at >= self.backoff.stable_s:
                    track.deaths = 0
                continue
            if track.due is None:
                track.deaths += 1
                wait_s = self.backoff.delay(track.deaths)
                track.due = now + wait_s
                self.report(
                    f"{service.name} stopped (exit code {service.exit_code()}); "
                    f"restarting in {wait_s:.0f} s.\n{service.log_tail(10)}"
                )
                service.stop()
                continue
            if now >= track.due:
                service.start(self.log_dir)
                track.started_at, track.due = now, None
                track.restarts += 1
                self.report(f"{service.name} restarted (restart {track.restarts}).")
