"""Starts and stops the whole product, each service in its own process.

The services are the council services, the action server, the outbox worker, the
insight worker, the two retention workers (the assistant's data and the council
services' data, each purged daily) and the Rasa server.
Used by ``python -m bot run`` (``make run``) and by the end-to-end tests, which start
the same stack on free ports with their own database files. Before any of them starts,
``python -m web seed`` brings the council services' database up to date and adds the
stand-in's sample data (when the stand-in is on).

Every child dies with the launcher, however the launcher ends: a clean stop signals each
process group, and the kernel sends SIGTERM to any child left when the launcher itself is
killed (``bot/launcher/child_process.py``). The stack refuses to start on a port another process
holds, naming that process (``bot/launcher/ports.py``).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from bot.launcher.allocator import allocator_env
from bot.launcher.blas import blas_env
from bot.launcher.child_process import die_with_parent_hook
from bot.launcher.ports import check_free
from bot.launcher.rasa_files import write_endpoints
from bot.launcher.startup import Stage
from bot.settings import REPO_ROOT, Settings
from lib.private_files import PRIVATE_UMASK, make_private, open_private_log

logger = logging.getLogger(__name__)


def _env_value(value: object) -> str:
    """A setting as an environment variable holds it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, SecretStr):  # its str() is a mask
        return value.get_secret_value()
    return str(value)


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a child process these settings.

    Every field of :class:`Settings` passes under its own variable name, taken from the
    model, so a new setting reaches every child without being listed here. Only the
    settings whose effective value is worked out (the council, the databases) are named.
    Each child also runs with one BLAS thread (``bot/launcher/blas.py``).
    """
    env = {
        str(field.field_info.extra["env"]): _env_value(getattr(settings, name))
        for name, field in Settings.__fields__.items()
    }
    env.update({
        "COUNCIL": settings.council_slug,
        "DATABASE_URL": settings.database,
        "TRACKER_STORE_URL": settings.tracker_store,
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(REPO_ROOT),
        "PYTHONUNBUFFERED": "1",
        **blas_env(os.environ),
    })  # fmt: skip
    return env


@dataclass
class Service:
    """One process of the stack."""

    name: str
    command: list[str]
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    #: Headers of the health check (a token goes in a header, never in the URL).
    health_headers: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    log_file: IO[bytes] | None = None
    #: When it was last started (``time.monotonic``), for the "ready in N s" line.
    started_at: float = 0.0

    def start(self, log_dir: Path) -> None:
        """Start the process, writing its output to ``<log_dir>/<name>.log`` (owner-only).

        The process starts with a private umask, so its databases and files are too.
        """
        self.log_path = log_dir / f"{self.name}.log"
        self.log_file = log = os.fdopen(open_private_log(self.log_path), "ab")
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(
            self.command,
            cwd=REPO_ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            umask=PRIVATE_UMASK,
            preexec_fn=die_with_parent_hook(),
        )

    def is_healthy(self) -> bool:
        """Whether the health URL answers 200."""
        if not self.health_url:
            return self.running
        try:
            reply = httpx.get(self.health_url, headers=self.health_headers, timeout=2.0)
            return reply.status_code == 200
        except httpx.HTTPError:
            return False

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self.process is not None and self.process.poll() is None

    def exit_code(self) -> int | None:
        """How the process ended (negative: the signal that ended it); None if running."""
        return None if self.process is None else self.process.poll()

    def wait(self, timeout_s: float) -> int | None:
        """Wait for the process to end; its exit code, or None if it is still running."""
        if self.process is None:
            return None
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and close its log."""
        if self.running and self.process is not None:
            _terminate(self.process, timeout_s)
        if self.log_file is not None:
            self.log_file.close()
            self.log_file = None

    def log_tail(self, lines: int = 40) -> str:
        """The end of the process's output, for error messages."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _terminate(process: subprocess.Popen, timeout_s: float) -> None:
    """SIGTERM the process group, then SIGKILL it if it does not exit in time."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout_s)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=timeout_s)


def action_server_service(name: str, host: str, port: int, env: dict[str, str]) -> Service:
    """An action server (rasa-sdk behind the shared secret, ``bot/action_server.py``)."""
    return Service(
        name,
        [sys.executable, "-m", "bot.action_server", "--actions", "actions",
         "--host", host, "--port", str(port)],
        f"http://{_reachable(host)}:{port}/health",
        env,
    )  # fmt: skip


def retention_workers(env: dict[str, str], council_services_db: str) -> list[Service]:
    """The workers that purge personal data past its retention, daily (issue #15 item 12).

    One for the assistant's own stores (``workers/retention.py``), one for the council
    services' database (``web/retention.py``).
    """
    python = sys.executable
    return [
        Service("retention-worker", [python, "-m", "bot", "retention-worker"], "", env),
        Service(
            "council-retention-worker",
            [python, "-m", "web", "retention-worker"],
            "",
            {**env, "COUNCIL_SERVICES_DATABASE_URL": council_services_db},
        ),
    ]


def _reachable(host: str) -> str:
    """Where this machine reaches a server bound to ``host`` (all interfaces: loopback)."""
    return "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host


def cors_arguments(settings: Settings) -> list[str]:
    """Rasa's ``--cors`` options: the configured origins only (``bot/cors.py`` keeps them exact)."""
    return [part for origin in settings.cors_origins for part in ("--cors", origin)]


def rasa_service(
    name: str,
    settings: Settings,
    model: Path,
    host: str,
    port: int,
    endpoints: Path,
    env: dict[str, str],
) -> Service:
    """A Rasa server with the HTTP API on (token-protected) and our channels.

    It runs on jemalloc when the system has it, unless ``RASA_ALLOCATOR=system``
    (``bot/launcher/allocator.py``).
    """
    env = {**env, **allocator_env(settings.rasa_allocator, {**os.environ, **env})}
    return Service(
        name,
        [sys.executable, "-m", "bot.rasa_server", "run", "--model", str(model),
         "--enable-api", "--auth-token", settings.rasa_api_token.get_secret_value(),
         "--interface", host, "--port", str(port),
         "--endpoints", str(endpoints), "--credentials", str(REPO_ROOT / "credentials.yml"),
         *cors_arguments(settings)],
        f"http://{host}:{port}/status",
        env,
        {"Authorization": f"Bearer {settings.rasa_api_token.get_secret_value()}"},
    )  # fmt: skip


class Stack:
    """The product's processes for one set of settings."""

    def __init__(
        self, settings: Settings, model: Path, council_services_db: str | None = None
    ) -> None:
        self.settings = settings
        self.model = model
        self.council_services_port = urlsplit(settings.council_services_url).port or 80
        council_services_port = self.council_services_port
        env = settings_env(settings)
        council_db = (
            council_services_db
            or settings.council_services_database_url
            or f"sqlite:///{settings.var_dir / 'council_services.db'}"
        )
        self.council_services_database_url = council_db
        self.log_dir = settings.var_dir / "logs"
        python = sys.executable
        var = settings.var_dir
        endpoints = write_endpoints(settings, var / "endpoints.yml")
        self.council_services = Service(
            "council-services",
            [python, "-m", "web",
             "--host", "127.0.0.1", "--port", str(council_services_port)],
            f"http://127.0.0.1:{council_services_port}/healthz",
            {
                **env,
                "COUNCIL_SERVICES_DATABASE_URL": council_db,
                "ASSISTANT_RASA_URL": settings.rasa_url,
            },
        )  # fmt: skip
        # Runs once, before the rest: schema upgrade and sample data (``web/__main__.py``).
        self.council_seed = Service(
            "council-seed",
            [python, "-m", "web", "seed"],
            "",
            self.council_services.env,
        )
        self.action_server = action_server_service(
            "action-server", settings.action_server_host, settings.action_server_port, env
        )
        self.outbox_worker = Service(
            "outbox-worker", [python, "-m", "bot", "outbox-worker"], "", env
        )
        self.insight_worker = Service(
            "insight-worker", [python, "-m", "bot", "insight-worker"], "", env
        )
        self.retention_workers = retention_workers(env, council_db)
        self.rasa = rasa_service(
            "rasa", settings, model, settings.rasa_host, settings.rasa_port, endpoints, env
        )

    @property
    def services(self) -> list[Service]:
        """All processes, in start order."""
        return [
            self.council_services,
            self.action_server,
            self.outbox_worker,
            self.insight_worker,
            *self.retention_workers,
            self.rasa,
        ]

    def seed_free(self) -> list[Service]:
        """The slow servers that need nothing of the council services' database.

        They start before the seed runs, so Rasa loads its model while the seed works.
        """
        return [self.action_server, self.rasa]

    def start(self, timeout_s: float | None = None, progress: Stage | None = None) -> None:
        """Start everything and wait until each process answers its health check.

        Rasa and the action server start first; the council services' seed runs while they
        load, then the rest start. All are waited for at once.

        Args:
            timeout_s: how long to wait for all of them; ``STACK_START_TIMEOUT`` by default
                (a busy shared machine can take minutes to load the model).
            progress: the loading stage of ``make run``: told what starts and what is ready.

        Raises:
            RuntimeError: with the failing process's log when one dies or never gets ready.
        """
        make_private(self.settings.var_dir)
        log_dir = self.log_dir = make_private(self.settings.var_dir / "logs")
        wait_s = self.settings.stack_start_timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + wait_s

        def say(message: str) -> None:
            if progress is None:
                logger.debug(message)
            else:
                progress.say(message)

        early = [service for service in self.services if service in self.seed_free()]
        for service in early:
            service.start(log_dir)
        if early:
            say(f"starting {', '.join(service.name for service in early)}")
        try:
            seed_started = time.monotonic()
            self.seed_council_services(deadline)
            say(f"council services' database ready in {time.monotonic() - seed_started:.0f} s")
        except BaseException:
            self.stop()
            raise
        rest = [service for service in self.services if service not in early]
        for service in rest:
            service.start(log_dir)
        say(f"starting {', '.join(service.name for service in rest)}")
        self.wait_all_healthy(deadline, progress)

    def wait_all_healthy(self, deadline: float, progress: Stage | None = None) -> None:
        """Block until every server answers its health check, saying each as it does.

        A worker (no health check) counts as ready once started: a worker that dies is the
        supervisor's to restart, not a failed start.

        Raises:
            RuntimeError: when a server exits or the deadline passes.
        """
        waiting = [service for service in self.services if service.health_url]
        while waiting:
            for service in list(waiting):
                if service.is_healthy():
                    waiting.remove(service)
                    if progress is not None:
                        took = time.monotonic() - service.started_at
                        progress.say(f"{service.name} ready in {took:.0f} s")
                elif not service.running:
                    self.stop()
                    raise RuntimeError(f"{service.name} exited:\n{service.log_tail()}")
                elif time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"{service.name} did not start in time:\n{service.log_tail()}"
                    )
            if progress is not None:
                progress.status = (
                    f"waiting for {', '.join(s.name for s in waiting)}" if waiting else ""
                )
            if waiting:
                time.sleep(0.5)

    def seed_council_services(self, deadline: float) -> None:
        """Run ``python -m web seed`` to the end: the schema upgrade, then the sample data.

        Raises:
            RuntimeError: with its log when it fails or is still running at the deadline.
        """
        seed = self.council_seed
        seed.start(self.log_dir)
        code = seed.wait(max(0.0, deadline - time.monotonic()))
        seed.stop()
        if code != 0:
            raise RuntimeError(f"{seed.name} failed:\n{seed.log_tail()}")

    def bound_ports(self) -> list[tuple[str, int]]:
        """The interfaces and ports the stack's servers bind."""
        return [
            ("127.0.0.1", self.council_services_port),
            (self.settings.action_server_host, self.settings.action_server_port),
            (self.settings.rasa_host, self.settings.rasa_port),
        ]

    def check_ports(self) -> None:
        """Refuse to start when a port is taken.

        Raises:
            bot.launcher.ports.PortInUse: naming the port and the process holding it.
        """
        check_free(self.bound_ports())

    def wait_healthy(self, service: Service, deadline: float) -> None:
        """Block until one service is healthy (a worker, with no health check, at once).

        A worker that dies is the supervisor's to restart, not a failed start.

        Raises:
            RuntimeError: when a server exits or the deadline passes.
        """
        if not service.health_url:
            return
        while not service.is_healthy():
            if not service.running:
                self.stop()
                raise RuntimeError(f"{service.name} exited:\n{service.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{service.name} did not start in time:\n{service.log_tail()}")
            time.sleep(0.5)

    def stop(self) -> None:
        """Stop every process, the Rasa server first."""
        for service in reversed(self.services):
            service.stop()

    def urls(self) -> dict[str, str]:
        """What a developer opens or calls."""
        base = f"http://localhost:{self.council_services_port}"
        return {
            "Web chat and council services": f"{base}/",
            "Open311 services": f"{base}/open311/v2/services.json",
            "Council services API docs": f"{base}/docs",
            "Rasa REST channel": f"{self.settings.rasa_url}/webhooks/rest/webhook",
            "Action server": (
                f"http://{_reachable(self.settings.action_server_host)}:"
                f"{self.settings.action_server_port}/health"
            ),
        }
