"""Refuse to start on a port another process holds, and name that process.

``make run`` used to start into a half-dead stack when an earlier run's services still
held 5005, 5055 or 8000. :func:`check_free` tries each port first; for a taken one it
finds the listening socket in ``/proc/net/tcp`` and ``tcp6`` and the process that owns
it through ``/proc/<pid>/fd`` (Linux; elsewhere the message says only that it is taken).
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_LISTEN = "0A"
PROC = Path("/proc")


class PortInUse(RuntimeError):
    """One or more ports the stack needs are taken; the message names who holds them."""


@dataclass(frozen=True)
class Holder:
    """A process listening on a port."""

    pid: int
    command: str

    def describe(self) -> str:
        """``pid 1234 (python -m bot.rasa_server run ...)``."""
        return f"pid {self.pid} ({self.command})" if self.command else f"pid {self.pid}"


def is_free(host: str, port: int) -> bool:
    """Whether a server could bind ``host:port`` now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def _listening_inodes(port: int, proc: Path) -> set[str]:
    inodes: set[str] = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (proc / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == _LISTEN:
                if int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    return inodes


def _command(pid_dir: Path) -> str:
    try:
        raw = (pid_dir / "cmdline").read_bytes()
    except OSError:
        return ""
    return " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)[:200]


def holders(port: int, proc: Path = PROC) -> list[Holder]:
    """The processes listening on ``port`` that this user may see."""
    inodes = _listening_inodes(port, proc)
    if not inodes:
        return []
    wanted = {f"socket:[{inode}]" for inode in inodes}
    found: list[Holder] = []
    for pid_dir in proc.iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            links = {os.readlink(fd) for fd in (pid_dir / "fd").iterdir()}
        except OSError:
            continue
        if links & wanted:
            found.append(Holder(int(pid_dir.name), _command(pid_dir)))
    return sorted(found, key=lambda holder: holder.pid)


def check_free(ports: Iterable[tuple[str, int]]) -> None:
    """Raise unless every ``(host, port)`` is free.

    Raises:
        PortInUse: naming each taken port and the process holding it, and what to do.
    """
    problems = []
    for host, port in ports:
        if is_free(host, port):
            continue
        who = holders(port)
        names = ", ".join(holder.describe() for holder in who) or "another process"
        problems.append(f"port {port} is in use by {names}")
    if problems:
        raise PortInUse(
            "Cannot start: "
            + "; ".join(problems)
            + ". Stop that process (an earlier `make run`?) or choose other ports."
        )
