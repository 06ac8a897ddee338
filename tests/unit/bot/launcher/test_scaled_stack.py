"""The nginx configuration the scaled stack writes (``bot/launcher/scaled_stack.py``)."""

from __future__ import annotations

import os
import pwd

from bot.launcher.scaled_stack import InternalPorts, write_nginx_config
from bot.settings import Settings


def test_nginx_workers_run_as_the_launchers_user_so_they_reach_the_private_var(tmp_path):
    settings = Settings(_env_file=None, var_dir=tmp_path)
    config = write_nginx_config(settings, InternalPorts.after(settings), tmp_path).read_text()
    user = pwd.getpwuid(os.geteuid()).pw_name
    if os.geteuid() == 0:
        assert f"\nuser {user};\n" in config
    else:
        assert "\nuser " not in config  # nginx ignores it unless started by root
    assert "${" not in config  # every placeholder filled


def test_the_scaled_stack_starts_both_retention_workers(tmp_path, monkeypatch):
    from bot.launcher import scaled_stack

    # No PostgreSQL databases or nginx are needed to list the processes.
    monkeypatch.setattr(scaled_stack, "check_scaled_settings", lambda *_: None)
    monkeypatch.setattr(scaled_stack, "ensure_database", lambda url: None)
    settings = Settings(_env_file=None, environment="test", var_dir=tmp_path)
    council_db = "postgresql+psycopg2://postgres@127.0.0.1:5432/council"
    stack = scaled_stack.ScaledStack(settings, tmp_path / "model.tar.gz", council_db)
    names = [service.name for service in stack.services]
    assert names.count("retention-worker") == 1
    assert names.count("council-retention-worker") == 1
    assert names.index("council-retention-worker") < names.index("rasa-a")
    council = next(s for s in stack.services if s.name == "council-retention-worker")
    assert council.env["COUNCIL_SERVICES_DATABASE_URL"] == council_db
