import os
import signal
import threading

from lib.periodic import run_every, stop_on_signals


def test_the_job_runs_at_once_and_at_each_interval_until_stopped():
    stop = threading.Event()
    calls: list[int] = []

    def job() -> None:
        calls.append(1)
        if len(calls) == 3:
            stop.set()

    assert run_every(job, 0.01, stop) == 3


def test_a_failing_run_is_logged_and_the_next_one_still_happens(caplog):
    stop = threading.Event()
    calls: list[int] = []

    def job() -> None:
        calls.append(1)
        if len(calls) == 2:
            stop.set()
        raise RuntimeError("database is down")

    assert run_every(job, 0.01, stop) == 2
    assert "job failed" in caplog.text


def test_a_stopped_worker_does_not_run():
    stop = threading.Event()
    stop.set()
    assert run_every(lambda: None, 0.01, stop) == 0


def test_sigterm_sets_the_stop_event_and_the_old_handler_comes_back():
    before = signal.getsignal(signal.SIGTERM)
    stop = threading.Event()
    restore = stop_on_signals(stop)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(2)
    finally:
        restore()
    assert signal.getsignal(signal.SIGTERM) is before
