"""A bare Rasa project to measure Front Door against (``make bench``, issue #19).

The bare project is what ``rasa init --no-prompt`` creates with the installed Rasa: its
example assistant, its default pipeline and policies (the empty ``config.yml`` that Rasa
fills in), the in-memory tracker store and no custom actions. It is created and trained at
bench time, never committed, and kept under ``~/.cache/front-door/bare-rasa/<rasa version>/``
so later runs skip the training. :class:`BareRasa` serves it with ``rasa run --enable-api``
on a free port of the loopback interface.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import IO, Any

from bot.launcher.stack import Service
from bot.nlu.encoder_files import default_cache_root
from tests.helpers import free_port

#: The name of the bare project's Rasa process in memory figures and logs.
SERVICE_NAME = "bare-rasa"


def rasa_executable() -> Path:
    """The ``rasa`` command of the interpreter that runs this script."""
    return Path(sys.executable).with_name("rasa")


def cache_folder(root: Path | None = None, rasa_version: str | None = None) -> Path:
    """Where the trained bare project of this Rasa version is kept."""
    base = root if root is not None else default_cache_root() / "bare-rasa"
    return base / (rasa_version or version("rasa"))


def trained_model(project: Path) -> Path | None:
    """The newest trained model of a bare project folder, if it has one."""
    models = sorted((project / "models").glob("*.tar.gz"))
    return models[-1] if models else None


def ensure_project(root: Path | None = None, log: Path | None = None) -> Path:
    """The trained bare project of the installed Rasa, created and trained when missing.

    ``rasa init --no-prompt`` creates and trains it in a scratch folder beside the cache,
    which is renamed into place only when a model came out, so an interrupted training
    leaves nothing half made.

    Args:
        root: the cache of bare projects; ``~/.cache/front-door/bare-rasa`` by default.
        log: a file for the output of ``rasa init``; standard error by default.

    Raises:
        RuntimeError: when ``rasa init`` fails or trains no model.
    """
    project = cache_folder(root)
    if trained_model(project) is not None:
        return project
    project.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="init-", dir=project.parent))
    try:
        command = [str(rasa_executable()), "init", "--no-prompt", "--init-dir", str(scratch)]
        env = {"RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1"}
        with contextlib.ExitStack() as files:
            out: IO[Any] = files.enter_context(log.open("ab")) if log else sys.stderr
            done = subprocess.run(
                command,
                cwd=scratch,
                env={**os.environ, **env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        if done.returncode != 0 or trained_model(scratch) is None:
            raise RuntimeError(f"rasa init failed (exit {done.returncode}); see {log or 'above'}")
        shutil.rmtree(scratch / ".rasa", ignore_errors=True)  # training's own cache
        shutil.rmtree(project, ignore_errors=True)
        scratch.rename(project)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return project


class BareRasa:
    """``rasa run --enable-api`` of the bare project, on a free loopback port."""

    def __init__(self, project: Path, port: int | None = None) -> None:
        model = trained_model(project)
        if model is None:
            raise RuntimeError(f"no trained model in {project}")
        self.project = project
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Credentials and endpoints are named: the process runs in Front Door's folder,
        # whose own files must not be read.
        command = [
            str(rasa_executable()), "run", "--enable-api",
            "--interface", "127.0.0.1", "--port", str(self.port),
            "--model", str(model),
            "--credentials", str(project / "credentials.yml"),
            "--endpoints", str(project / "endpoints.yml"),
        ]  # fmt: skip
        self.service = Service(
            SERVICE_NAME,
            command,
            f"{self.url}/status",
            {"RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1"},
        )

    def launch(self, log_dir: Path) -> None:
        """Start the server without waiting (it loads its model meanwhile)."""
        self.service.start(log_dir)

    def wait_ready(self, timeout_s: float = 600.0) -> None:
        """Wait until the server answers with its model loaded.

        Raises:
            RuntimeError: with the end of its log when it dies or is not ready in time.
        """
        deadline = time.monotonic() + timeout_s
        while not self.service.is_healthy():
            if not self.service.running:
                raise RuntimeError(f"bare Rasa died:\n{self.service.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"bare Rasa not ready in {timeout_s:.0f} s")
            time.sleep(0.5)

    def stop(self) -> None:
        """Stop the server (SIGTERM to its process group, then SIGKILL)."""
        self.service.stop()

    def __enter__(self) -> BareRasa:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
