"""Shared by the browser and staff tests: axe findings, and staff accounts made with the CLI."""

from __future__ import annotations

import os
import subprocess
import sys

from axe_playwright_python.sync_playwright import Axe

from bot.settings import REPO_ROOT


def wait_for_chat(frame) -> None:
    """Wait until the chat in ``frame`` has loaded and its script runs (the widget's panel).

    The message box is in the page before ``chat.js`` (a deferred script) has run, and a
    frame just attached may still hold its first blank document, whose load state is
    already complete. So wait for both: the chat's message box, in a document whose
    scripts have run. Enter pressed earlier only adds a line to the box.
    """
    frame.wait_for_function(
        "() => document.getElementById('message') !== null && document.readyState === 'complete'"
    )


def serious_violations(page, options: dict | None = None) -> list[str]:
    """axe findings of serious or critical impact on the page (or frame), one line each.

    ``options`` are axe's run options, e.g. ``{"iframes": False}`` to check a page and its
    frame separately.
    """
    results = Axe().run(page, options=options)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def create_staff(database_url: str, username: str, password: str, *, name: str, role: str) -> None:
    """A staff account on the council services' database, made with ``create-staff``."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(COUNCIL_SERVICES_DATABASE_URL=database_url, ENVIRONMENT="test")
    result = subprocess.run(
        [sys.executable, "-m", "web", "create-staff", username,
         "--name", name, "--role", role, "--password-stdin"],
        input=password + "\n", capture_output=True, text=True, cwd=REPO_ROOT, env=env,
        timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
