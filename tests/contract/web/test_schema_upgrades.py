"""The stand-in migrates its schema at start and starts again cleanly on the same database."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import TYPE_CHECKING

import httpx
import sqlalchemy as sa

from web.core.config import Settings
from web.core.db import (
    MIGRATIONS,
    apply_migrations,
    create_db_engine,
)

if TYPE_CHECKING:
    from conftest import RunningServer


def schema_versions(database_url: str) -> list[int]:
    engine = sa.create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT version FROM schema_version ORDER BY version")
            return list(connection.execute(query).scalars())
    finally:
        engine.dispose()


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
    assert schema_versions(empty_database) == [migration.version for migration in MIGRATIONS]

    with start_server(empty_database) as server:
        assert httpx.get(f"{server.base_url}/healthz").json() == {"status": "ok"}
        found = httpx.get(f"{server.base_url}/open311/v2/requests/{reference}.json")
        assert found.status_code == 200
        assert found.json()[0]["service_code"] == "STREETLIGHT"
    assert schema_versions(empty_database) == [migration.version for migration in MIGRATIONS]


def test_a_version_1_database_is_upgraded_at_start(
    empty_database: str,
    start_server: Callable[[str], AbstractContextManager[RunningServer]],
) -> None:
    """A database left by the release before the triage queue gains it, keeping its reports."""
    engine = create_db_engine(Settings(database_url=empty_database, environment="test"))
    try:
        assert apply_migrations(engine, MIGRATIONS[:1]) == 1
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
    assert schema_versions(empty_database) == [1]

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
    assert schema_versions(empty_database) == [migration.version for migration in MIGRATIONS]
