"""Children that die with their launcher, whatever ends it (Linux).

``die_with_parent`` runs in each child just before it executes its command: it asks the
kernel (``prctl(PR_SET_PDEATHSIG, SIGTERM)``) to send the child SIGTERM the moment the
launcher dies, even by SIGKILL, when no clean-up code of the launcher can run. If the
launcher already died between ``fork`` and this call, the child ends itself at once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return libc.prctl


def die_with_parent_hook(parent_pid: int | None = None) -> Callable[[], None]:
    """A ``preexec_fn`` that makes the child die (SIGTERM) when ``parent_pid`` does.

    Args:
        parent_pid: the launcher's pid; this process by default.
    """
    parent = os.getpid() if parent_pid is None else parent_pid
    prctl = _prctl()

    def hook() -> None:
        if prctl is not None and prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            os.write(2, b"warning: could not ask to die with the launcher\n")
        if os.getppid() != parent:  # the launcher died before the request took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return hook
