"""CPU time of processes, read from Linux's /proc: what the scaled benchmark charges a message.

A snapshot holds every process on the machine, keyed by its id and start time (so a reused
id is a new process). The CPU a process used between two snapshots is its time in the
second one minus its time in the first; a process that started in between counts whole.
A process's time includes its children that have ended and been waited for (``cutime``
and ``cstime``), so summing the live processes of a tree counts nothing twice. A process
that ended between the snapshots without a parent in the tree to wait for it is lost:
the benchmark's processes live for the whole run, so this loses little.

Which processes belong to whom is decided from the second snapshot: the descendants of
a service's process (by parent id), or a set of ids (PostgreSQL's backends, Redis).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

#: Clock ticks per second, the unit of /proc's times.
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessTimes:
    """One line of ``/proc/<pid>/stat``, the parts the benchmark needs."""

    pid: int
    name: str
    ppid: int
    #: user + system time, its own and that of its waited-for children, in clock ticks.
    ticks: int
    #: when it started, in clock ticks after boot: with ``pid``, names one process.
    started: int

    @property
    def key(self) -> tuple[int, int]:
        """The process's identity across snapshots."""
        return (self.pid, self.started)


#: Every process on the machine by :attr:`ProcessTimes.key`.
Snapshot = dict[tuple[int, int], ProcessTimes]


def parse_stat(line: str) -> ProcessTimes:
    """Read a ``/proc/<pid>/stat`` line (the name may hold spaces and parentheses).

    Raises:
        ValueError: when the line is not in that form.
    """
    head, close, rest = line.rpartition(")")
    pid_text, open_, name = head.partition(" (")
    if not close or not open_:
        raise ValueError(f"not a /proc stat line: {line[:80]!r}")
    fields = rest.split()
    # fields[0] is field 3 of proc(5) (the state): field n is fields[n - 3].
    utime, stime, cutime, cstime = (int(fields[n - 3]) for n in (14, 15, 16, 17))
    return ProcessTimes(
        pid=int(pid_text),
        name=name,
        ppid=int(fields[4 - 3]),
        ticks=utime + stime + cutime + cstime,
        started=int(fields[22 - 3]),
    )


def snapshot(proc: Path = PROC) -> Snapshot:
    """The times of every process on the machine now."""
    found: Snapshot = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            times = parse_stat((entry / "stat").read_text())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue  # ended while we looked
        found[times.key] = times
    return found


def descendants(roots: Iterable[int], processes: Iterable[ProcessTimes]) -> set[int]:
    """The ids of ``roots`` and of every process below them (by parent id)."""
    children: dict[int, list[int]] = {}
    for times in processes:
        children.setdefault(times.ppid, []).append(times.pid)
    found: set[int] = set()
    waiting = list(roots)
    while waiting:
        pid = waiting.pop()
        if pid in found:
            continue
        found.add(pid)
        waiting.extend(children.get(pid, []))
    return found


def cpu_seconds(before: Snapshot, after: Snapshot, pids: set[int]) -> float:
    """CPU seconds the processes ``pids`` (as in ``after``) used since ``before``."""
    ticks = 0
    for key, times in after.items():
        if times.pid in pids:
            previous = before.get(key)
            ticks += times.ticks - (previous.ticks if previous else 0)
    return ticks / CLOCK_TICKS


def cpu_by_group(
    before: Snapshot, after: Snapshot, groups: Mapping[str, set[int]]
) -> dict[str, float]:
    """CPU seconds of each named group of process ids between two snapshots."""
    return {name: cpu_seconds(before, after, pids) for name, pids in groups.items()}


def parse_machine_busy(stat_text: str) -> tuple[int, int]:
    """Busy and total clock ticks of all cores together, from ``/proc/stat``.

    Busy is everything but idle and waiting for I/O (user time includes guests).

    Raises:
        ValueError: when the text has no ``cpu`` line.
    """
    for line in stat_text.splitlines():
        if line.startswith("cpu "):
            values = [int(value) for value in line.split()[1:]]
            # user nice system idle iowait irq softirq steal [guest guest_nice]
            total = sum(values[:8])
            return total - values[3] - values[4], total
    raise ValueError("no cpu line in /proc/stat")


def machine_busy_ticks(proc: Path = PROC) -> int:
    """Busy clock ticks of all cores since boot."""
    return parse_machine_busy((proc / "stat").read_text())[0]
