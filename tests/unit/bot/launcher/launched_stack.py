"""A launcher over tiny children, run as its own process by ``test_launcher.py``.

``python -m tests.unit.bot.launcher.launched_stack <log dir> <pids file> [exit code of child 0]``:
two children that sleep (or exit at once with the given code, to test restarts), served
by the real ``bot.launcher.serve`` and ``bot.launcher.stack.Service`` (with die-with-parent).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.launcher.serve import serve
from bot.launcher.stack import Service
from bot.launcher.supervisor import Backoff

SLEEPER = "import time; time.sleep(600)"


class TinyStack:
    """Two sleeping children, as ``bot.launcher.stack.Stack`` would start them."""

    def __init__(self, log_dir: Path, pids_file: Path, first_exits: str | None) -> None:
        self.log_dir = log_dir
        self.pids_file = pids_file
        first = f"import sys; sys.exit({first_exits})" if first_exits else SLEEPER
        self.services = [
            Service("child-a", [sys.executable, "-c", first], ""),
            Service("child-b", [sys.executable, "-c", SLEEPER], ""),
        ]

    def start(self) -> None:
        for service in self.services:
            service.start(self.log_dir)
        self.pids_file.write_text(json.dumps([s.process.pid for s in self.services]))

    def stop(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def urls(self) -> dict[str, str]:
        return {}


if __name__ == "__main__":
    stack = TinyStack(
        Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None
    )
    sys.exit(serve(stack, Backoff(base_s=0.2, max_s=1.0, stable_s=30.0), tick_s=0.1))
