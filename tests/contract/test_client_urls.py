"""Each client of the assistant talks to its own base URL (contract section 3, issue #17).

Two council services run (``python -m web``, each on its own port and SQLite file). The
assistant's settings come from the environment: ``COUNCIL_SERVICES_URL`` names the first,
``OPEN311_URL`` the second, as a council that points Open311 at its real CRM and keeps the
rest. A report the Open311 client files lands on the second server only, and a hand-off
the triage client makes from the same settings lands on the first only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.councils.profile import load_profile
from bot.settings import CLIENTS, Settings
from integrations.open311 import NewServiceRequest, get_open311_client
from integrations.triage import get_triage_client
from tests.contract.web.conftest import API_KEY, STAFF_TOKEN, RunningServer, run_server
from tests.contract.web.triage_data import new_reference, record_body

POTHOLE = NewServiceRequest(
    service_code="POTHOLE",
    description="Contract check: a deep pothole outside the library.",
    lat=53.01191,
    long=-2.17825,
    attributes={"depth": "over_10cm"},
)


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, ...]]:
    """The council services (first) and a second server standing in for the council's CRM."""
    folder = tmp_path_factory.mktemp("client_urls")
    with run_server(f"sqlite:///{folder / 'services.db'}", folder / "services.log", "sqlite") as a:
        with run_server(f"sqlite:///{folder / 'crm.db'}", folder / "crm.log", "sqlite") as b:
            yield a, b


@pytest.fixture
def settings(
    monkeypatch: pytest.MonkeyPatch, two_servers: tuple[RunningServer, ...], tmp_path: Path
) -> Settings:
    """The assistant's settings, read from the environment as every process reads them."""
    services, crm = two_servers
    for client in CLIENTS:
        monkeypatch.delenv(f"{client.upper()}_URL", raising=False)
    monkeypatch.setenv("COUNCIL_SERVICES_URL", services.base_url)
    monkeypatch.setenv("OPEN311_URL", crm.base_url)
    monkeypatch.setenv("OPEN311_API_KEY", API_KEY)
    monkeypatch.setenv("STAFF_API_TOKEN", STAFF_TOKEN)
    return Settings(_env_file=None, environment="test", var_dir=tmp_path)


async def _file_report(settings: Settings) -> str:
    jurisdiction = load_profile(settings.council_dir).jurisdiction_id
    client = get_open311_client(settings.client_endpoint("open311"), jurisdiction)
    try:
        return await client.submit(POTHOLE)
    finally:
        await client.aclose()


def _status(server: RunningServer, path: str) -> int:
    reply = httpx.get(server.base_url + path, headers=server.staff_headers, timeout=10.0)
    return reply.status_code


def test_open311_files_at_its_own_url_and_nowhere_else(
    settings: Settings, two_servers: tuple[RunningServer, ...]
) -> None:
    services, crm = two_servers
    request_id = asyncio.run(_file_report(settings))
    path = f"/open311/v2/requests/{request_id}.json"
    assert _status(crm, path) == 200
    assert _status(services, path) == 404


def test_triage_from_the_same_settings_stays_on_the_council_services(
    settings: Settings, two_servers: tuple[RunningServer, ...]
) -> None:
    services, crm = two_servers
    triage = get_triage_client(settings.client_endpoint("triage"))
    record = record_body(reference=new_reference())
    reference = asyncio.run(triage.create(record))
    path = f"/api/v1/triage/{reference}"
    assert _status(services, path) == 200
    assert _status(crm, path) == 404
