"""The nginx configuration the scaled stack writes (``bot/scaled_stack.py``)."""

from __future__ import annotations

import os
import pwd

from bot.scaled_stack import InternalPorts, write_nginx_config
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
