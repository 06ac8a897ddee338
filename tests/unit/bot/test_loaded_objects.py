"""Objects alive once the model is loaded leave the collector's passes; later ones do not."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

from rasa.core import run as rasa_run

from bot import app_listeners, loaded_objects


def test_freezing_moves_what_is_alive_out_of_later_passes_and_still_collects_new_cycles():
    """In a process of its own: freezing this test process would outlive the test."""
    script = textwrap.dedent(
        """
        import gc
        from bot.loaded_objects import freeze_loaded_objects

        class Node:
            pass

        loaded = [Node() for _ in range(50_000)]
        before = len(gc.get_objects())
        frozen = freeze_loaded_objects()
        assert frozen >= 50_000, frozen
        assert len(gc.get_objects()) < before - 50_000  # out of every generation
        cycle = Node()
        cycle.me = cycle
        del cycle
        assert gc.collect() >= 1  # what turns create is still collected
        print("ok", frozen)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("ok ")


def test_the_freeze_runs_after_the_server_has_started(monkeypatch) -> None:
    monkeypatch.setattr(rasa_run, "configure_app", rasa_run.configure_app)
    monkeypatch.setattr(app_listeners, "_listeners", [])
    try:
        loaded_objects.install()
        assert app_listeners._listeners == [
            (loaded_objects.freeze_loaded_objects, "after_server_start")
        ]
    finally:
        app_listeners.remove_all()
    assert gc.get_freeze_count() == 0  # nothing frozen here
