"""Builders of triage records for the contract tests, in the shape the assistant sends."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from conftest import RunningServer

TRIAGE = "/api/v1/triage"
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CONTACT = {"name": "Jo Bloggs", "phone": "07700900123", "email": None, "preferred": "text"}


def new_reference() -> str:
    """A random, well-formed reference, as the assistant makes one while the service is down."""
    raw = uuid.uuid4().int
    return "FD-" + "".join(ALPHABET[(raw >> (5 * i)) & 31] for i in range(6))


def record_body(**changes: Any) -> dict[str, Any]:
    """A hand-off as the assistant's action server sends it; ``key=...`` drops a key."""
    at = datetime.now(timezone.utc).replace(microsecond=0)
    body: dict[str, Any] = {
        "conversation_id": f"contract-{uuid.uuid4().hex[:12]}",
        "channel": "web",
        "language": "en",
        "category": "council_tax",
        "priority": 3,
        "vulnerability": [],
        "summary": "The resident has a letter about their council tax bill and needs it explained.",
        "transcript": [
            {"role": "resident", "text": "can I talk to a person", "at": at.isoformat()},
            {"role": "assistant", "text": "What do you need help with?", "at": at.isoformat()},
        ],
        "contact": CONTACT,
        "journey": "council_tax_bill",
        "last_failure": "1 message(s) not understood",
        "interpreter": False,
        "assisted": False,
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not ...}


def post_record(client: httpx.Client, server: RunningServer, **changes: Any) -> httpx.Response:
    """POST a record built by ``record_body`` with the staff token."""
    return client.post(TRIAGE, json=record_body(**changes), headers=server.staff_headers)


def create_record(client: httpx.Client, server: RunningServer, **changes: Any) -> dict[str, Any]:
    """POST a record and return the stored one (asserting 201)."""
    response = post_record(client, server, **changes)
    assert response.status_code == 201, response.text
    return response.json()
