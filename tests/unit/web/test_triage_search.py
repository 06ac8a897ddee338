"""Finding a case: ``q`` on the triage API and the console's search box and "assigned to me"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import staff_sign_in
from tests.web_app import make_app
from web.core.config import Settings
from web.crud_staff import create_staff
from web.triage_search import normalise_phone, phone_query

TOKEN = {"Authorization": "Bearer dev-staff-token"}
PASSWORD = "correct horse battery"
PEOPLE = {
    "jo": {"name": "Jo Smith", "phone": "07700 900123"},
    "amir": {"name": "Amir Khan", "phone": "+44 7700 900456"},
    "nobody": None,
}


def hand_off(client: TestClient, who: str) -> str:
    body: dict[str, Any] = {
        "conversation_id": f"conv-{who}",
        "channel": "web",
        "language": "en",
        "category": "council_tax",
        "priority": 3,
        "vulnerability": [],
        "summary": f"Hand-off for {who}.",
        "transcript": [],
        "contact": PEOPLE[who],
    }
    response = client.post("/api/v1/triage", json=body, headers=TOKEN)
    assert response.status_code == 201, response.text
    return response.json()["reference"]


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cs.db'}", environment="development")
    app = make_app(settings)
    with TestClient(app) as client:
        with app.state.session_factory() as session:
            create_staff(session, username="cara", password=PASSWORD, role="caseworker")
        yield client, {who: hand_off(client, who) for who in PEOPLE}


def found(client: TestClient, q: str) -> list[str]:
    response = client.get("/api/v1/triage", params={"q": q}, headers=TOKEN)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["data"])
    return sorted(record["reference"] for record in body["data"])


def test_the_api_finds_a_record_by_reference_in_any_case(setup) -> None:
    client, refs = setup
    assert found(client, refs["jo"]) == [refs["jo"]]
    assert found(client, refs["jo"].lower()) == [refs["jo"]]
    assert found(client, f"  {refs['amir'].lower()} ") == [refs["amir"]]


def test_the_api_finds_a_record_by_the_residents_name(setup) -> None:
    client, refs = setup
    assert found(client, "smith") == [refs["jo"]]
    assert found(client, "AMIR khan") == [refs["amir"]]
    assert found(client, "Jo Khan") == []


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("07700900123", "jo"),
        ("+447700900123", "jo"),
        ("+44 (0)7700 900 123", "jo"),
        ("0044 7700 900123", "jo"),
        ("07700 900456", "amir"),
        ("7700900456", "amir"),
        ("900456", "amir"),
    ],
)
def test_the_api_finds_a_record_by_phone_number_however_it_is_written(
    setup, query: str, who: str
) -> None:
    client, refs = setup
    assert found(client, query) == [refs[who]]


def test_a_search_that_matches_nothing_returns_nothing_and_no_q_returns_everything(setup) -> None:
    client, refs = setup
    assert found(client, "Nobody Here") == []
    assert found(client, "%") == [] and found(client, "_") == []
    assert found(client, "") == sorted(refs.values())
    response = client.get("/api/v1/triage", headers=TOKEN)
    assert response.json()["count"] == 3


def test_the_api_refuses_an_overlong_search(setup) -> None:
    client, _ = setup
    response = client.get("/api/v1/triage", params={"q": "x" * 101}, headers=TOKEN)
    assert response.status_code == 422


def test_phone_numbers_are_normalised() -> None:
    assert normalise_phone("+44 7700 900123") == normalise_phone("07700-900-123") == "07700900123"
    assert normalise_phone("0044 7700 900123") == "07700900123"
    assert normalise_phone("44 7700 900123") == "07700900123"
    assert normalise_phone("+44 (0) 7700 900123") == "07700900123"
    assert phone_query("Jo Smith") is None and phone_query("12 34") is None


def queue_references(client: TestClient, **params: str) -> list[str]:
    response = client.get("/staff", params=params)
    assert response.status_code == 200, response.text
    return sorted(set(re.findall(r'<a href="/staff/triage/([\w-]+)">', response.text)))


def test_the_console_searches_and_shows_what_was_asked(setup) -> None:
    client, refs = setup
    assert staff_sign_in(client, "cara", PASSWORD).status_code == 303
    page = client.get("/staff").text
    assert '<label for="q">Search</label>' in page
    assert '<label for="mine">Assigned to me</label>' in page
    assert queue_references(client, q="+44 7700 900 123") == [refs["jo"]]
    assert queue_references(client, q=refs["amir"].lower()) == [refs["amir"]]
    assert 'value="smith"' in client.get("/staff", params={"q": "smith"}).text


def test_a_console_search_finds_a_resolved_case_unless_a_status_is_chosen(setup) -> None:
    client, refs = setup
    resolved = client.patch(
        f"/api/v1/triage/{refs['jo']}",
        json={"status": "resolved", "resolution_note": "Sorted on the phone."},
        headers=TOKEN,
    )
    assert resolved.status_code == 200, resolved.text
    assert staff_sign_in(client, "cara", PASSWORD).status_code == 303
    assert queue_references(client, q="Jo Smith") == [refs["jo"]]
    assert queue_references(client, q="Jo Smith", status="open") == []


def test_the_console_shows_the_records_assigned_to_me(setup) -> None:
    client, refs = setup
    assert staff_sign_in(client, "cara", PASSWORD).status_code == 303
    page = client.get(f"/staff/triage/{refs['amir']}").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    claimed = client.post(
        f"/staff/triage/{refs['amir']}/claim", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert claimed.status_code == 303
    assert queue_references(client, mine="1") == [refs["amir"]]
    assert len(queue_references(client)) == 3
