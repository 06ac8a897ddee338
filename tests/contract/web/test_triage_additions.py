"""One conversation, one open record: additions to it, and the note for the resident.

Runs against the real stand-in (see conftest.py), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import httpx

from tests.contract.web.triage_data import CONTACT, TRIAGE, create_record

if TYPE_CHECKING:
    from conftest import RunningServer


def _addition(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    body: dict[str, Any] = {
        "conversation_id": record["conversation_id"],
        "category": "housing",
        "priority": 1,
        "vulnerability": ["homeless tonight"],
        "summary": "URGENT: homeless tonight. Contact by text.",
        "transcript": [
            *record["transcript"],
            {"role": "resident", "text": "I have nowhere to sleep tonight", "at": at},
        ],
        "contact": CONTACT,
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not ...}


def _add(
    client: httpx.Client, server: RunningServer, reference: str, body: dict[str, Any]
) -> httpx.Response:
    return client.post(f"{TRIAGE}/{reference}/additions", json=body, headers=server.staff_headers)


def _audit(client: httpx.Client, server: RunningServer, reference: str) -> list[dict[str, Any]]:
    response = client.get(f"{TRIAGE}/{reference}/audit", headers=server.staff_headers)
    return response.json()["data"]


def test_an_addition_joins_the_open_record_and_rebuilds_its_summary(
    client: httpx.Client, council_services: RunningServer
) -> None:
    record = create_record(client, council_services, contact=None)
    assert record["summary"].startswith("The resident has a letter")
    response = _add(client, council_services, record["reference"], _addition(record))
    assert response.status_code == 200, response.text
    stored = response.json()
    assert stored["reference"] == record["reference"]
    assert stored["priority"] == 1 and stored["category"] == "housing"
    assert stored["vulnerability"] == ["homeless tonight"]
    assert stored["contact"]["phone"] == CONTACT["phone"]
    assert stored["summary"] == "URGENT: homeless tonight. Contact by text."
    # The lines it already held are not repeated; the new one is added once.
    texts = [line["text"] for line in stored["transcript"]]
    assert texts == [line["text"] for line in record["transcript"]] + [
        "I have nowhere to sleep tonight"
    ]
    detail = _audit(client, council_services, record["reference"])[-1]
    assert detail["action"] == "add"
    assert "1 message(s) added" in detail["detail"] and "priority 3 to 1" in detail["detail"]
    assert "contact details added" in detail["detail"]


def test_a_retried_addition_adds_nothing_twice_and_priority_never_drops(
    client: httpx.Client, council_services: RunningServer
) -> None:
    record = create_record(client, council_services, priority=2)
    body = _addition(record, priority=3, category="other", contact=...)
    first = _add(client, council_services, record["reference"], body).json()
    again = _add(client, council_services, record["reference"], body).json()
    assert len(again["transcript"]) == len(first["transcript"]) == len(record["transcript"]) + 1
    assert again["priority"] == 2 and again["category"] == record["category"]
    assert again["contact"] == record["contact"]  # none sent: the stored details stay


def test_another_conversation_cannot_add_to_a_record(
    client: httpx.Client, council_services: RunningServer
) -> None:
    record = create_record(client, council_services)
    body = _addition(record, conversation_id="someone-else")
    response = _add(client, council_services, record["reference"], body)
    assert response.status_code == 403
    unchanged = client.get(
        f"{TRIAGE}/{record['reference']}", headers=council_services.staff_headers
    ).json()
    assert unchanged["priority"] == record["priority"]
    assert unchanged["summary"] == record["summary"]


def test_a_resolved_record_takes_no_additions(
    client: httpx.Client, council_services: RunningServer
) -> None:
    record = create_record(client, council_services)
    resolved = client.patch(
        f"{TRIAGE}/{record['reference']}",
        json={"status": "resolved", "resolution_note": "Rang back."},
        headers=council_services.staff_headers,
    )
    assert resolved.status_code == 200
    response = _add(client, council_services, record["reference"], _addition(record))
    assert response.status_code == 409


def test_additions_need_the_staff_token_and_a_known_record(
    client: httpx.Client, council_services: RunningServer
) -> None:
    record = create_record(client, council_services)
    url = f"{TRIAGE}/{record['reference']}/additions"
    assert client.post(url, json=_addition(record)).status_code == 401
    assert _add(client, council_services, "FD-ZZZZZZ", _addition(record)).status_code == 404


def test_resolving_with_a_note_for_the_resident_keeps_it_in_the_conversation(
    client: httpx.Client, council_services: RunningServer
) -> None:
    record = create_record(client, council_services)
    note = "We have paused recovery action while we check your bill."
    response = client.patch(
        f"{TRIAGE}/{record['reference']}",
        json={"status": "resolved", "resolution_note": "Checked the bill.", "resident_note": note},
        headers=council_services.staff_headers,
    )
    assert response.status_code == 200, response.text
    stored = response.json()
    assert stored["resolution_note"] == "Checked the bill."
    assert stored["transcript"][-1]["role"] == "staff"
    assert stored["transcript"][-1]["text"] == note
    resolve = _audit(client, council_services, record["reference"])[-1]
    assert resolve["action"] == "resolve"
    assert resolve["detail"] == "from new to resolved with a note and a note for the resident"


def test_a_note_for_the_resident_comes_only_with_resolving(
    client: httpx.Client, council_services: RunningServer
) -> None:
    record = create_record(client, council_services)
    response = client.patch(
        f"{TRIAGE}/{record['reference']}",
        json={"status": "claimed", "resident_note": "Hello"},
        headers=council_services.staff_headers,
    )
    assert response.status_code == 422
