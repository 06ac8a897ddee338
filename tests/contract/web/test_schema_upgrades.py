"""The web service upgrades its schema at start and starts again cleanly on the same database.

A database of the schema framework before Alembic is upgraded in place, and the sample
accounts come from ``python -m web seed``, never from starting the server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING

import httpx
import sqlalchemy as sa

from tests.contract.web.conftest import REPO_ROOT
from tests.fixtures import legacy_schema
from tests.web_app import head_revision
from web.core.config import Settings
from web.core.db import create_db_engine

if TYPE_CHECKING:
    from conftest import RunningServer


VERSION_TABLES = (("alembic_version", "version_num"), ("schema_version", "version"))


def recorded_versions(database_url: str) -> dict[str, list]:
    """What each version table holds: Alembic's revision, the old framework's versions."""
    engine = sa.create_engine(database_url, future=True)
    found: dict[str, list] = {}
    try:
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            for table, column in VERSION_TABLES:
                if table in tables:
                    query = sa.text(f"SELECT {column} FROM {table} ORDER BY {column}")
                    found[table] = list(connection.execute(query).scalars())
    finally:
        engine.dispose()
    return found


def test_starting_twice_on_the_same_database(
    empty_database: str,
    start_server: Callable[[str], AbstractContextManager[RunningServer]],
) -> None:
    with start_server(empty_database) as server:
        response = httpx.post(
            f"{server.base_url}/open311/v2/requests.json",
            data={
                "api_key": server.api_key,
                "service_code": "STREETLIGHT",
                "address_string": "Outside 12 Example Road",
                "attribute[light_fault]": "flickering",
            },
        )
        assert response.status_code == 200, response.text
        reference = response.json()[0]["service_request_id"]
    assert recorded_versions(empty_database) == {"alembic_version": [head_revision()]}

    with start_server(empty_database) as server:
        assert httpx.get(f"{server.base_url}/healthz").json() == {"status": "ok"}
        found = httpx.get(f"{server.base_url}/open311/v2/requests/{reference}.json")
        assert found.status_code == 200
        assert found.json()[0]["service_code"] == "STREETLIGHT"
    assert recorded_versions(empty_database) == {"alembic_version": [head_revision()]}


def test_a_version_1_database_is_upgraded_at_start(
    empty_database: str,
    start_server: Callable[[str], AbstractContextManager[RunningServer]],
) -> None:
    """A database left by the release before the triage queue gains it, keeping its reports."""
    engine = create_db_engine(Settings(database_url=empty_database, environment="test"))
    try:
        assert legacy_schema.apply_migrations(engine, legacy_schema.MIGRATIONS[:1]) == 1
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO service_requests (service_request_id, service_code, "
                    "service_name, status, attributes, address_string, requested_at, updated_at) "
                    "VALUES ('SR-OLD234', 'GRAFFITI', 'Graffiti', 'received', '{}', "
                    "'1 Old Street', :now, :now)"
                ),
                {"now": datetime(2026, 1, 5, 9, 0)},
            )
    finally:
        engine.dispose()
    assert recorded_versions(empty_database) == {"schema_version": [1]}

    with start_server(empty_database) as server:
        old = httpx.get(f"{server.base_url}/open311/v2/requests/SR-OLD234.json")
        assert old.status_code == 200 and old.json()[0]["address"] == "1 Old Street"
        created = httpx.post(
            f"{server.base_url}/api/v1/triage",
            json={
                "conversation_id": "after-upgrade",
                "channel": "ivr",
                "language": "en",
                "category": "housing",
                "priority": 1,
                "summary": "Homeless tonight.",
            },
            headers=server.staff_headers,
        )
        assert created.status_code == 201, created.text
    assert recorded_versions(empty_database) == {"alembic_version": [head_revision()]}


def test_sample_accounts_come_from_the_seed_command(
    empty_database: str,
    start_server: Callable[[str], AbstractContextManager[RunningServer]],
) -> None:
    bloggs = {"account_reference": "40012345", "postcode": "ST4 2DX", "surname": "Bloggs"}
    with start_server(empty_database) as server:
        verify = f"{server.base_url}/api/v1/council-tax/verify"
        assert httpx.post(verify, json=bloggs, headers=server.staff_headers).status_code == 403
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(COUNCIL_SERVICES_DATABASE_URL=empty_database, ENVIRONMENT="test")
    seeded = subprocess.run(
        [sys.executable, "-m", "web", "seed"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert seeded.returncode == 0, seeded.stderr
    assert seeded.stdout.startswith("Sample data: ")
    with start_server(empty_database) as server:
        verify = f"{server.base_url}/api/v1/council-tax/verify"
        assert httpx.post(verify, json=bloggs, headers=server.staff_headers).status_code == 200
