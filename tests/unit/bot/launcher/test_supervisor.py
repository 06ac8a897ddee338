"""The supervisor restarts a dead process with growing waits, and reports each step."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bot.launcher.stack import Service
from bot.launcher.supervisor import Backoff, Supervisor


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _dead(service: Service) -> None:
    deadline = time.monotonic() + 20
    while service.running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not service.running


def test_back_off_doubles_up_to_the_most_and_resets_after_a_stable_run(tmp_path: Path) -> None:
    crasher = Service("worker", [sys.executable, "-c", "import sys; sys.exit(4)"], "")
    clock, reports = Clock(), []
    backoff = Backoff(base_s=1, max_s=4, stable_s=60)
    supervisor = Supervisor([crasher], tmp_path, reports.append, backoff, clock)
    crasher.start(tmp_path)
    waits = []
    for _ in range(4):
        _dead(crasher)
        supervisor.check()  # noticed: a wait is set
        waits.append(float(reports[-1].split("restarting in ")[1].split(" s")[0]))
        assert "exit code 4" in reports[-1]
        clock.now += waits[-1] - 0.5
        supervisor.check()
        assert not crasher.running  # not before its time
        clock.now += 0.5
        supervisor.check()
        assert reports[-1].startswith("worker restarted")
    assert waits == [1, 2, 4, 4]
    assert supervisor.restarts("worker") == 4
    # Up for longer than stable_s: the next death waits base_s again.
    crasher.command = [sys.executable, "-c", "import time; time.sleep(600)"]
    _dead(crasher)
    supervisor.check()
    clock.now += 10
    supervisor.check()
    assert crasher.running
    clock.now += 61
    supervisor.check()
    crasher.stop()
    supervisor.check()
    assert "restarting in 1 s" in reports[-1]
    crasher.stop()
