"""The stand-in migrates its schema at start and starts again cleanly on the same database."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import httpx
import sqlalchemy as sa

from integrations.council_services.core.db import LATEST_VERSION

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
    assert schema_versions(empty_database) == list(range(1, LATEST_VERSION + 1))

    with start_server(empty_database) as server:
        assert httpx.get(f"{server.base_url}/healthz").json() == {"status": "ok"}
        found = httpx.get(f"{server.base_url}/open311/v2/requests/{reference}.json")
        assert found.status_code == 200
        assert found.json()[0]["service_code"] == "STREETLIGHT"
    assert schema_versions(empty_database) == list(range(1, LATEST_VERSION + 1))
