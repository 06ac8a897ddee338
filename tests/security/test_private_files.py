"""Log files and databases are readable by their owner only (issue #15, item 3)."""

from __future__ import annotations

import pytest

from bot.launcher.stack import Stack

pytestmark = pytest.mark.e2e


def _mode(path) -> int:
    return path.stat().st_mode & 0o777


def test_logs_and_databases_are_owner_only(stack: Stack) -> None:
    var = stack.settings.var_dir
    assert _mode(var) == 0o700
    assert _mode(var / "logs") == 0o700
    logs = list((var / "logs").glob("*.log"))
    assert len(logs) >= 5  # council services, action server, both workers, Rasa
    # The databases: the tracker store (made by Rasa), the outbox (the action server and
    # the outbox worker) and the council services', all created after the launcher began.
    databases = [var / "tracker.db", var / "frontdoor.db", var / "council_services.db"]
    databases += [path for path in var.glob("*.db-*")]  # journals and WAL files
    for path in [*logs, *databases, var / "endpoints.yml"]:
        assert path.exists(), path
        assert _mode(path) == 0o600, (path.name, oct(_mode(path)))
