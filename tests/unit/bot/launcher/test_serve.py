"""The launcher's children die with it, whatever ends it; dead children are restarted.

Tiny children (``python -c "sleep"``) under the real ``bot.launcher.serve`` and
``bot.launcher.stack.Service``, never the real Rasa.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.settings import REPO_ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


def _alive(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait(condition, timeout_s: float = 20.0) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _launch(tmp_path: Path, *extra: str, dying: bool = False) -> tuple[subprocess.Popen, list[int]]:
    """Start the test stack; wait until its children run (all but the dying first one)."""
    pids_file = tmp_path / "pids.json"
    launcher = subprocess.Popen(
        [sys.executable, "-m", "tests.unit.bot.launcher.launched_stack", str(tmp_path),
         str(pids_file), *extra],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # signals reach the launcher only, as a terminal's would
    )  # fmt: skip
    assert _wait(pids_file.exists), launcher.communicate(timeout=5)[0]
    pids = json.loads(pids_file.read_text())
    # A child that exits at once may be gone before anyone looks: check only the others.
    steady = pids[1:] if dying else pids
    assert _wait(lambda: all(_alive(pid) for pid in steady))
    return launcher, pids


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_every_child_stops_when_the_launcher_is_told_to_stop(
    tmp_path: Path, stop: signal.Signals
) -> None:
    launcher, pids = _launch(tmp_path)
    launcher.send_signal(stop)
    output, _ = launcher.communicate(timeout=30)
    assert launcher.returncode == 0, output
    assert f"Stopping ({stop.name})" in output.decode()  # on standard error
    assert not any(_alive(pid) for pid in pids)


def test_children_die_even_when_the_launcher_is_killed(tmp_path: Path) -> None:
    launcher, pids = _launch(tmp_path)
    launcher.kill()  # SIGKILL: no clean-up code of the launcher runs
    launcher.wait(timeout=10)
    assert _wait(lambda: not any(_alive(pid) for pid in pids)), "children outlived the launcher"


def test_a_child_that_dies_is_restarted_with_back_off_and_reported(tmp_path: Path) -> None:
    launcher, pids = _launch(tmp_path, "3", dying=True)
    try:
        time.sleep(2.5)  # 0.2 s, 0.4 s, 0.8 s, then 1 s waits: four restarts or so
        assert launcher.poll() is None  # a dying child does not stop the stack
        assert _alive(pids[1])  # and the other keeps running
    finally:
        launcher.send_signal(signal.SIGTERM)
        output = launcher.communicate(timeout=30)[0].decode()
    assert "child-a stopped (exit code 3); restarting in 0 s" in output
    assert "child-a restarted (restart 1)" in output
    assert "child-a restarted (restart 3)" in output
    assert "restarting in 1 s" in output  # the wait grew
    assert "child-b stopped" not in output


class _LoadingStack:
    """A stack that says one server is ready; no processes."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.services: list = []
        self.stopped = False

    def start(self, timeout_s: float | None = None, progress=None) -> None:  # noqa: ANN001
        progress.say("rasa ready in 40 s")

    def stop(self) -> None:
        self.stopped = True

    def urls(self) -> dict[str, str]:
        return {"Web chat": "http://localhost:8000/"}


def test_the_loading_stage_is_timed_and_the_total_comes_with_the_urls(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    from bot.launcher import serve as serve_module
    from bot.launcher.startup import StageLines, StageTimes

    said: list[str] = []
    times = StageTimes.load(tmp_path / "stage-times.json")
    stack = _LoadingStack(tmp_path)

    def stop_at_once(_seconds: float) -> None:
        raise serve_module.StopRequested("SIGINT")

    monkeypatch.setattr(serve_module.time, "sleep", stop_at_once)
    monkeypatch.setattr(serve_module, "stop_on_signals", lambda: None)
    started = serve_module.time.time() - 75
    code = serve_module.serve(
        stack, lines=StageLines(said.append, times, tick_s=None), started_at=started
    )
    assert code == 0 and stack.stopped
    assert said[0] == "[loading] starting 0 processes (expect ~1 min)..."
    assert said[1] == "[loading] rasa ready in 40 s"
    assert said[2].startswith("[loading] done in ")
    assert StageTimes.load(tmp_path / "stage-times.json").measured("loading")
    out = capsys.readouterr().out
    assert out.startswith("Front Door is running (all ready in 1 min ")  # 75 s ago, give or take
    assert "  Web chat" in out and "http://localhost:8000/" in out
