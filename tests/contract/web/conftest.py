"""Fixtures that run the real council services stand-in on a free port.

The server runs as ``python -m web`` in a subprocess, once per
database backend: a fresh SQLite file, and a fresh PostgreSQL database created and dropped
here (skipped, with the reason, only when PostgreSQL is not reachable).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

REPO_ROOT = Path(__file__).resolve().parents[3]
POSTGRES_ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
API_KEY = "contract-open311-key"
STAFF_TOKEN = "contract-staff-token"
#: A deadline, not a measure: on a 2-core machine loading three Rasa servers at once, the
#: web service has taken over 30 s to answer its first health check.
START_TIMEOUT = 120.0
NO_RATE_LIMITS = {
    "WEB_CHAT_RATE_LIMIT": "0",
    "WEB_CHAT_CONVERSATION_RATE_LIMIT": "0",
    "BOOKING_RATE_LIMIT": "0",
    "BOOKING_CONVERSATION_RATE_LIMIT": "0",
}


@dataclass(frozen=True)
class RunningServer:
    """A council services process under test."""

    backend: str
    base_url: str
    database_url: str
    log_path: Path
    api_key: str = API_KEY
    staff_token: str = STAFF_TOKEN

    @property
    def staff_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.staff_token}"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def run_server(
    database_url: str,
    log_path: Path,
    backend: str,
    extra_env: dict[str, str] | None = None,
    module: str = "web",
) -> Iterator[RunningServer]:
    """Start ``python -m <module>``, wait for /healthz, and stop it afterwards.

    Rate limits are off unless ``extra_env`` sets them: the shared servers take many
    requests from one address; ``test_rate_limits.py`` starts its own with tight limits.
    ``module="web.stand_in"`` starts the stand-ins of the council's systems alone.
    """
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "COUNCIL_SERVICES_CATALOGUE"}
    }
    env.update(
        COUNCIL_SERVICES_DATABASE_URL=database_url,
        COUNCIL_SERVICES_HOST="127.0.0.1",
        OPEN311_API_KEY=API_KEY,
        STAFF_API_TOKEN=STAFF_TOKEN,
        ENVIRONMENT="test",
        PYTHONUNBUFFERED="1",
    )
    env.update({**NO_RATE_LIMITS, **(extra_env or {})})
    command = [sys.executable, "-m", module, "--port", str(port)]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    server = RunningServer(
        backend=backend,
        base_url=f"http://127.0.0.1:{port}",
        database_url=database_url,
        log_path=log_path,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"council services exited with {process.returncode}:\n{log_path.read_text()}"
                )
            try:
                if httpx.get(f"{server.base_url}/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"council services not ready in time:\n{log_path.read_text()}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create a randomly named PostgreSQL database and drop it afterwards."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432: {exc.orig}")
    name = f"council_services_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """Yield the URL of an empty database of the given backend."""
    if backend == "postgresql":
        with fresh_postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{directory / 'council_services.db'}"


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session", params=BACKENDS)
def council_services(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    """The stand-in, running on a fresh database of each backend."""
    backend = request.param
    directory = tmp_path_factory.mktemp(f"council_services_{backend}")
    with fresh_database(backend, directory) as url:
        with run_server(url, directory / "server.log", backend) as server:
            yield server


@pytest.fixture(scope="session")
def client(council_services: RunningServer) -> Iterator[httpx.Client]:
    """An HTTP client for the running stand-in."""
    with httpx.Client(base_url=council_services.base_url, timeout=10.0) as http:
        yield http


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of each backend, for tests that start their own server."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def start_server(tmp_path: Path) -> Callable[..., AbstractContextManager[RunningServer]]:
    """Start a stand-in on the given database URL: ``with start_server(url) as server:``."""

    def start(
        database_url: str, extra_env: dict[str, str] | None = None
    ) -> AbstractContextManager[RunningServer]:
        backend = database_url.split(":", 1)[0]
        return run_server(database_url, tmp_path / "server.log", backend, extra_env)

    return start
