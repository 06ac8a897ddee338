"""The stand-in on its own port, and the web service with the stand-in off (issue #17).

``python -m web.stand_in`` serves only the council's systems faked for development;
``python -m web`` with ``STAND_IN=false`` serves Front Door's own routes and answers 404
where those systems were. Both run for real, on one fresh SQLite database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.contract.web.conftest import RunningServer, run_server

POTHOLE = {
    "service_code": "POTHOLE",
    "lat": "53.01191",
    "long": "-2.17825",
    "attribute[depth]": "over_10cm",
}
VERIFICATION = {"account_reference": "40012345", "postcode": "ST4 2DX", "surname": "Nobody"}
SMS = {"to": "+447700900123", "body": "Your reference is FD-7K3Q9X"}


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RunningServer, RunningServer]]:
    """The stand-in alone, then the web service with the stand-in off, on one database."""
    directory: Path = tmp_path_factory.mktemp("stand_in_alone")
    url = f"sqlite:///{directory / 'council_services.db'}"
    with run_server(url, directory / "stand_in.log", "sqlite", module="web.stand_in") as alone:
        with run_server(url, directory / "web.log", "sqlite", {"STAND_IN": "false"}) as web:
            yield alone, web


@pytest.fixture(scope="module")
def stand_in(servers: tuple[RunningServer, RunningServer]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=servers[0].base_url, timeout=10.0) as client:
        yield client


@pytest.fixture(scope="module")
def web(servers: tuple[RunningServer, RunningServer]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=servers[1].base_url, timeout=10.0) as client:
        yield client


def test_open311_answers_on_the_stand_in_port(
    stand_in: httpx.Client, servers: tuple[RunningServer, RunningServer]
) -> None:
    alone = servers[0]
    services = stand_in.get("/open311/v2/services.json")
    assert services.status_code == 200
    assert "POTHOLE" in {service["service_code"] for service in services.json()}
    posted = stand_in.post("/open311/v2/requests.json", data={"api_key": alone.api_key, **POTHOLE})
    assert posted.status_code == 200, posted.text
    reference = posted.json()[0]["service_request_id"]
    fetched = stand_in.get(f"/open311/v2/requests/{reference}.json")
    assert fetched.status_code == 200
    assert fetched.json()[0]["status"] == "open"


def test_the_crm_and_sms_gateway_answer_on_the_stand_in_port(
    stand_in: httpx.Client, servers: tuple[RunningServer, RunningServer]
) -> None:
    headers = servers[0].staff_headers
    refused = stand_in.post("/api/v1/council-tax/verify", json=VERIFICATION, headers=headers)
    assert refused.status_code == 403  # served: the details match no account
    queued = stand_in.post("/api/v1/sms", json=SMS, headers=headers)
    assert queued.status_code == 201, queued.text


def test_the_stand_in_alone_serves_none_of_front_doors_routes(
    stand_in: httpx.Client, servers: tuple[RunningServer, RunningServer]
) -> None:
    headers = servers[0].staff_headers
    assert stand_in.get("/api/v1/triage", headers=headers).status_code == 404
    assert stand_in.get("/api/v1/places", params={"near": "ST4 2DX"}).status_code == 404
    assert stand_in.get("/staff/login").status_code == 404


def test_with_the_stand_in_off_its_paths_answer_404(
    web: httpx.Client, servers: tuple[RunningServer, RunningServer]
) -> None:
    main = servers[1]
    headers = main.staff_headers
    assert web.get("/open311/v2/services.json").status_code == 404
    posted = web.post("/open311/v2/requests.json", data={"api_key": main.api_key, **POTHOLE})
    assert posted.status_code == 404
    verify = web.post("/api/v1/council-tax/verify", json=VERIFICATION, headers=headers)
    assert verify.status_code == 404
    assert web.get("/api/v1/broadband/applications/BB-7K3Q9X", headers=headers).status_code == 404
    assert web.post("/api/v1/sms", json=SMS, headers=headers).status_code == 404
    assert web.get("/api/v1/reports/SR-7K3Q9X", headers=headers).status_code == 404


def test_with_the_stand_in_off_front_door_still_answers(
    web: httpx.Client, servers: tuple[RunningServer, RunningServer]
) -> None:
    headers = servers[1].staff_headers
    triage = web.get("/api/v1/triage", headers=headers)
    assert triage.status_code == 200, triage.text
    assert web.get("/api/v1/triage").status_code == 401
    places = web.get("/api/v1/places", params={"near": "ST4 2DX", "limit": 1})
    assert places.status_code == 200, places.text
    assert len(places.json()["places"]) == 1
    home = web.get("/")
    assert home.status_code == 200
    assert "/open311/" not in home.text  # no developer link to what is not served
    assert web.get("/staff/login").status_code == 200
    # The outbox page is Front Door's own: it stays, behind the staff sign-in.
    assert web.get("/staff/sms", follow_redirects=False).status_code in {302, 303, 401}
