"""``make run`` refuses a port in use and names the process holding it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from bot.launcher.ports import PortInUse, check_free, holders, is_free

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc")

LISTENER = (
    "import socket, sys, time\n"
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
    "print(s.getsockname()[1], flush=True)\n"
    "time.sleep(600)\n"
)


def test_a_taken_port_is_refused_with_the_holders_pid_and_command() -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", LISTENER, "--marker-for-the-test"], stdout=subprocess.PIPE
    )
    try:
        port = int(holder.stdout.readline())
        assert not is_free("127.0.0.1", port)
        assert [h.pid for h in holders(port)] == [holder.pid]
        with pytest.raises(PortInUse) as refused:
            check_free([("127.0.0.1", port)])
        message = str(refused.value)
        assert f"port {port} is in use by pid {holder.pid}" in message
        assert "--marker-for-the-test" in message  # the command line, to recognise it
    finally:
        holder.kill()
        holder.wait()
    deadline = time.monotonic() + 5
    while not is_free("127.0.0.1", port) and time.monotonic() < deadline:
        time.sleep(0.05)
    check_free([("127.0.0.1", port)])  # free again: no error


def test_free_ports_pass() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    check_free([("127.0.0.1", port)])
    assert holders(port) == []
