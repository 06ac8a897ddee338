"""The triage queue API of the running stand-in (contract sections 3 and 6).

Runs against a real server (see conftest.py), once on SQLite and once on PostgreSQL. The
tests share one server per backend, so each creates its own records and checks only those
(or properties that hold for every record, such as the order of a listing).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.contract.web.triage_data import (
    CONTACT,
    TRIAGE,
    create_record,
    new_reference,
    post_record,
    record_body,
)

if TYPE_CHECKING:
    from conftest import RunningServer

REFERENCE = re.compile(r"^FD-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$")
CONTRACT_FIELDS = {
    "reference",
    "created_at",
    "conversation_id",
    "channel",
    "language",
    "category",
    "priority",
    "vulnerability",
    "summary",
    "transcript",
    "contact",
    "status",
}
EXTRA_FIELDS = {
    "assignee",
    "interpreter",
    "assisted",
    "journey",
    "what_was_tried",
    "last_failure",
    "resolution_note",
    "updated_at",
    "transcript_purged_at",
    "due_by",
    "overdue",
    "linked",
    "labels",
}
CHANNELS = {"web", "ivr", "library", "api"}
CATEGORIES = {
    "street",
    "council_tax",
    "universal_credit",
    "digital_access",
    "broadband",
    "digital_skills",
    "housing",
    "safeguarding",
    "other",
}


def post(client: httpx.Client, server: RunningServer, **changes: Any) -> httpx.Response:
    return post_record(client, server, **changes)


def create(client: httpx.Client, server: RunningServer, **changes: Any) -> dict[str, Any]:
    return create_record(client, server, **changes)


def patch(
    client: httpx.Client, server: RunningServer, reference: str, **body: Any
) -> httpx.Response:
    return client.patch(f"{TRIAGE}/{reference}", json=body, headers=server.staff_headers)


def listing(client: httpx.Client, server: RunningServer, **params: Any) -> dict[str, Any]:
    response = client.get(TRIAGE, params={"limit": 200, **params}, headers=server.staff_headers)
    assert response.status_code == 200, response.text
    return response.json()


def audit_actions(client: httpx.Client, server: RunningServer, reference: str) -> list[str]:
    response = client.get(f"{TRIAGE}/{reference}/audit", headers=server.staff_headers)
    assert response.status_code == 200, response.text
    return [entry["action"] for entry in response.json()["data"]]


def parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert moment.tzinfo is not None, value
    return moment


# --- the record -------------------------------------------------------------------------------


def test_post_then_get_returns_every_contract_field(
    client: httpx.Client, council_services: RunningServer
) -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    created = create(client, council_services, vulnerability=["money worries"], priority=2)
    response = client.get(
        f"{TRIAGE}/{created['reference']}", headers=council_services.staff_headers
    )
    assert response.status_code == 200
    record = response.json()
    assert record == created
    assert CONTRACT_FIELDS | EXTRA_FIELDS == set(record)

    assert isinstance(record["reference"], str) and REFERENCE.match(record["reference"])
    created_at = parse_time(record["created_at"])
    assert before - timedelta(seconds=5) <= created_at <= datetime.now(timezone.utc)
    assert isinstance(record["conversation_id"], str) and record["conversation_id"]
    assert record["channel"] in CHANNELS and record["channel"] == "web"
    assert isinstance(record["language"], str) and record["language"] == "en"
    assert record["category"] in CATEGORIES and record["category"] == "council_tax"
    assert type(record["priority"]) is int and record["priority"] == 2
    assert record["vulnerability"] == ["money worries"]
    assert isinstance(record["summary"], str) and "council tax bill" in record["summary"]
    assert isinstance(record["transcript"], list) and len(record["transcript"]) == 2
    for line in record["transcript"]:
        assert set(line) == {"role", "text", "at"}
        assert isinstance(line["role"], str) and isinstance(line["text"], str)
        parse_time(line["at"])
    assert record["contact"] == CONTACT
    assert record["status"] == "new"
    assert record["assignee"] is None and record["resolution_note"] is None
    assert record["interpreter"] is False and record["assisted"] is False
    assert record["journey"] == "council_tax_bill"
    parse_time(record["updated_at"])


def test_contact_is_null_without_consent(
    client: httpx.Client, council_services: RunningServer
) -> None:
    created = create(client, council_services, contact=None)
    assert created["contact"] is None
    minimal = record_body(transcript=..., vulnerability=..., journey=..., last_failure=...)
    for key in ("contact", "interpreter", "assisted"):
        minimal.pop(key)
    response = client.post(TRIAGE, json=minimal, headers=council_services.staff_headers)
    assert response.status_code == 201, response.text
    assert response.json()["contact"] is None and response.json()["transcript"] == []


def test_unknown_reference_is_404(client: httpx.Client, council_services: RunningServer) -> None:
    headers = council_services.staff_headers
    for reference in ("FD-ZZZZZZ", "not-a-reference"):
        assert client.get(f"{TRIAGE}/{reference}", headers=headers).status_code == 404
        assert client.get(f"{TRIAGE}/{reference}/audit", headers=headers).status_code == 404
        response = patch(client, council_services, reference, status="claimed")
        assert response.status_code == 404


# --- authentication ---------------------------------------------------------------------------

BAD_CREDENTIALS = [
    {},
    {"Authorization": "Bearer wrong-token"},
    {"Authorization": "Bearer"},
    {"Authorization": "Basic eDp5"},
    {"Authorization": "contract-staff-token"},
]


@pytest.mark.parametrize("headers", BAD_CREDENTIALS, ids=lambda h: h.get("Authorization", "none"))
def test_every_triage_endpoint_needs_the_staff_token(
    client: httpx.Client, council_services: RunningServer, headers: dict[str, str]
) -> None:
    record = create(client, council_services, summary="Secret summary for the 401 test.")
    reference = record["reference"]
    attempts = [
        client.get(TRIAGE, headers=headers),
        client.get(TRIAGE, params={"status": "new"}, headers=headers),
        client.get(f"{TRIAGE}/{reference}", headers=headers),
        client.patch(f"{TRIAGE}/{reference}", json={"status": "claimed"}, headers=headers),
        client.post(TRIAGE, json=record_body(), headers=headers),
        client.post(
            TRIAGE,
            content=b"{not json",
            headers={**headers, "Content-Type": "application/json"},
        ),
        client.get(f"{TRIAGE}/{reference}/audit", headers=headers),
        client.post(f"{TRIAGE}/{reference}/messages", json={"text": "Hi"}, headers=headers),
    ]
    for response in attempts:
        assert response.status_code == 401, (response.request.url, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
        assert reference not in response.text and "Secret summary" not in response.text
        assert set(response.json()) == {"detail"}
    stored = client.get(f"{TRIAGE}/{reference}", headers=council_services.staff_headers).json()
    assert stored["status"] == "new"
    actions = audit_actions(client, council_services, reference)
    assert actions.count("create") == 1 and "claim" not in actions


# --- validation -------------------------------------------------------------------------------

BAD_BODIES = {
    "priority 0": {"priority": 0},
    "priority 4": {"priority": 4},
    "priority as text": {"priority": "2"},
    "priority true": {"priority": True},
    "unknown category": {"category": "bins"},
    "unknown channel": {"channel": "sms"},
    "language not ISO 639-1": {"language": "english"},
    "empty summary": {"summary": "   "},
    "summary too long": {"summary": "x" * 1001},
    "too many transcript lines": {
        "transcript": [{"role": "resident", "text": "hi", "at": "2026-11-01T10:00:00Z"}] * 1001
    },
    "transcript line too long": {
        "transcript": [{"role": "resident", "text": "x" * 2001, "at": "2026-11-01T10:00:00Z"}]
    },
    "transcript role unknown": {
        "transcript": [{"role": "robot", "text": "hi", "at": "2026-11-01T10:00:00Z"}]
    },
    "transcript time without zone": {
        "transcript": [{"role": "resident", "text": "hi", "at": "2026-11-01T10:00:00"}]
    },
    "vulnerability not a list": {"vulnerability": "homeless"},
    "unknown field": {"favourite_colour": "blue"},
    "malformed reference": {"reference": "FD-0O1I00"},
    "status on create": {"status": "resolved"},
    "created_at without zone": {"created_at": "2026-11-01T10:00:00"},
    "created_at in the future": {"created_at": "2099-01-01T00:00:00+00:00"},
    "contact email": {"contact": {**CONTACT, "email": "not-an-email"}},
    "contact preference": {"contact": {**CONTACT, "preferred": "pigeon"}},
    "conversation id is a phone number": {"conversation_id": "+44 7700 900123"},
    "missing summary": {"summary": ...},
    "missing category": {"category": ...},
}


@pytest.mark.parametrize("changes", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_input_is_422(
    client: httpx.Client, council_services: RunningServer, changes: dict[str, Any]
) -> None:
    before = listing(client, council_services, limit=1)["count"]
    response = post(client, council_services, **changes)
    assert response.status_code == 422, response.text
    assert "detail" in response.json()
    assert listing(client, council_services, limit=1)["count"] == before


def test_bad_json_is_422(client: httpx.Client, council_services: RunningServer) -> None:
    response = client.post(
        TRIAGE,
        content=b"{not json",
        headers={**council_services.staff_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    "params",
    [
        {"status": "open"},
        {"priority": "4"},
        {"priority": "urgent"},
        {"category": "bins"},
        {"limit": "0"},
        {"limit": "201"},
        {"offset": "-1"},
    ],
)
def test_bad_filters_are_422(
    client: httpx.Client, council_services: RunningServer, params: dict[str, str]
) -> None:
    response = client.get(TRIAGE, params=params, headers=council_services.staff_headers)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"status": "done"},
        {"status": None},
        {"resolution_note": "Sorted."},
        {"status": "claimed", "resolution_note": "Sorted."},
        {"assignee": ""},
        {"assignee": "x" * 65},
        {"priority": 1},
    ],
)
def test_bad_patches_are_422(
    client: httpx.Client, council_services: RunningServer, body: dict[str, Any]
) -> None:
    reference = create(client, council_services)["reference"]
    response = patch(client, council_services, reference, **body)
    assert response.status_code == 422, response.text


# --- idempotent posting -----------------------------------------------------------------------


def test_posting_the_same_reference_again_returns_the_record(
    client: httpx.Client, council_services: RunningServer
) -> None:
    reference = new_reference()
    shown_at = (datetime.now(timezone.utc) - timedelta(minutes=20)).replace(microsecond=0)
    body = record_body(reference=reference.lower(), created_at=shown_at.isoformat())
    headers = council_services.staff_headers
    first = client.post(TRIAGE, json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["reference"] == reference
    assert parse_time(first.json()["created_at"]) == shown_at

    again = client.post(TRIAGE, json={**body, "summary": "A retry."}, headers=headers)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()

    matches = [
        record
        for record in listing(client, council_services, category="council_tax")["data"]
        if record["reference"] == reference
    ]
    assert len(matches) == 1
    assert audit_actions(client, council_services, reference)[:2] == ["create", "resubmit"]


def test_a_reference_of_another_conversation_is_409(
    client: httpx.Client, council_services: RunningServer
) -> None:
    reference = new_reference()
    create(client, council_services, reference=reference)
    response = post(client, council_services, reference=reference)  # a new conversation id
    assert response.status_code == 409


# --- listing ----------------------------------------------------------------------------------


def test_listing_shape_and_newest_first(
    client: httpx.Client, council_services: RunningServer
) -> None:
    now = datetime.now(timezone.utc).replace(microsecond=0)
    made = [
        create(client, council_services, created_at=(now - timedelta(minutes=m)).isoformat())
        for m in (3, 1, 2)
    ]
    body = listing(client, council_services)
    assert set(body) == {"count", "limit", "offset", "data"}
    assert body["limit"] == 200 and body["offset"] == 0
    assert body["count"] >= len(body["data"]) >= 3
    times = [parse_time(record["created_at"]) for record in body["data"]]
    assert times == sorted(times, reverse=True)
    mine = [
        r["reference"] for r in body["data"] if r["reference"] in {m["reference"] for m in made}
    ]
    assert mine == [made[1]["reference"], made[2]["reference"], made[0]["reference"]]
    for record in body["data"]:
        assert CONTRACT_FIELDS <= set(record)

    first_two = listing(client, council_services, limit=2)
    next_one = listing(client, council_services, limit=1, offset=2)
    assert [r["reference"] for r in first_two["data"] + next_one["data"]] == [
        r["reference"] for r in body["data"][:3]
    ]


def test_filters(client: httpx.Client, council_services: RunningServer) -> None:
    urgent = create(client, council_services, priority=1, category="safeguarding")
    housing = create(client, council_services, priority=2, category="housing")
    claimed = create(client, council_services, priority=3, category="broadband")
    assert (
        patch(client, council_services, claimed["reference"], status="claimed").status_code == 200
    )

    def references(**params: Any) -> set[str]:
        body = listing(client, council_services, **params)
        for record in body["data"]:
            for key, value in params.items():
                allowed = value if isinstance(value, list) else [value]
                assert str(record[key]) in {str(item) for item in allowed}, (key, record)
        return {record["reference"] for record in body["data"]}

    assert urgent["reference"] in references(priority=1)
    assert housing["reference"] not in references(priority=1)
    assert {urgent["reference"], housing["reference"]} <= references(priority=[1, 2])
    assert housing["reference"] in references(category="housing")
    assert urgent["reference"] not in references(category="housing")
    assert claimed["reference"] in references(status="claimed")
    assert claimed["reference"] not in references(status="new")
    assert urgent["reference"] in references(status=["new", "resolved"])
    found = references(status="claimed", priority=3, category="broadband")
    assert claimed["reference"] in found and housing["reference"] not in found


# --- moving a record --------------------------------------------------------------------------


def test_claim_then_resolve_with_a_note(
    client: httpx.Client, council_services: RunningServer
) -> None:
    reference = create(client, council_services)["reference"]
    response = patch(client, council_services, reference, status="claimed", assignee="alice")
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["assignee"]) == ("claimed", "alice")

    note = "Rang the resident and explained the bill; no further action."
    response = patch(client, council_services, reference, status="resolved", resolution_note=note)
    assert response.status_code == 200, response.text
    record = response.json()
    assert (record["status"], record["resolution_note"]) == ("resolved", note)
    assert parse_time(record["updated_at"]) >= parse_time(record["created_at"])
    fetched = client.get(f"{TRIAGE}/{reference}", headers=council_services.staff_headers).json()
    assert fetched["status"] == "resolved" and fetched["assignee"] == "alice"


def test_unclaim_reopen_and_reassign(client: httpx.Client, council_services: RunningServer) -> None:
    reference = create(client, council_services)["reference"]
    assert (
        patch(client, council_services, reference, status="claimed", assignee="bob").json()[
            "assignee"
        ]
        == "bob"
    )
    unclaimed = patch(client, council_services, reference, status="new").json()
    assert (unclaimed["status"], unclaimed["assignee"]) == ("new", None)
    assert patch(client, council_services, reference, status="resolved").status_code == 200
    reopened = patch(client, council_services, reference, status="claimed", assignee="carol")
    assert (reopened.json()["status"], reopened.json()["assignee"]) == ("claimed", "carol")
    reassigned = patch(client, council_services, reference, assignee="dave").json()
    assert (reassigned["status"], reassigned["assignee"]) == ("claimed", "dave")


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [
        ([], "new"),
        (["claimed"], "claimed"),
        (["resolved"], "resolved"),
        (["resolved"], "new"),
    ],
)
def test_invalid_transitions_are_409(
    client: httpx.Client, council_services: RunningServer, path: list[str], forbidden: str
) -> None:
    reference = create(client, council_services)["reference"]
    for status in path:
        assert patch(client, council_services, reference, status=status).status_code == 200
    before = client.get(f"{TRIAGE}/{reference}", headers=council_services.staff_headers).json()
    response = patch(client, council_services, reference, status=forbidden)
    assert response.status_code == 409, response.text
    assert forbidden in response.json()["detail"]
    after = client.get(f"{TRIAGE}/{reference}", headers=council_services.staff_headers).json()
    assert after["status"] == before["status"]


def test_contact_details_added_after_an_urgent_record(
    client: httpx.Client, council_services: RunningServer
) -> None:
    """The assistant opens an urgent record at once and adds consented contact details later."""
    created = create(client, council_services, priority=1, category="safeguarding", contact=None)
    reference = created["reference"]
    response = patch(
        client,
        council_services,
        reference,
        contact=CONTACT,
        conversation_id=created["conversation_id"],
    )
    assert response.status_code == 200, response.text
    assert response.json()["contact"] == CONTACT and response.json()["status"] == "new"


@pytest.mark.parametrize(
    "conversation,refusal", [(None, 403), ("another-conversation", 403), ("", 422)]
)
def test_only_the_records_own_conversation_may_change_its_contact_details(
    client: httpx.Client, council_services: RunningServer, conversation: str | None, refusal: int
) -> None:
    """The bearer token is the assistant's, held by every conversation: it is not enough."""
    created = create(client, council_services, priority=1, category="safeguarding")
    reference = created["reference"]
    forged = {"name": "Someone Else", "phone": "07700900999", "email": None, "preferred": "phone"}
    body = {"contact": forged} if conversation is None else {
        "contact": forged, "conversation_id": conversation,
    }  # fmt: skip
    response = client.patch(
        f"{TRIAGE}/{reference}", json=body, headers=council_services.staff_headers
    )
    assert response.status_code == refusal, response.text
    stored = client.get(f"{TRIAGE}/{reference}", headers=council_services.staff_headers).json()
    assert stored["contact"] == created["contact"]
    assert "update" not in audit_actions(client, council_services, reference)


# --- audit ------------------------------------------------------------------------------------


def test_audit_records_views_and_changes(
    client: httpx.Client, council_services: RunningServer
) -> None:
    reference = create(client, council_services)["reference"]
    headers = council_services.staff_headers
    client.get(f"{TRIAGE}/{reference}", headers=headers)
    patch(client, council_services, reference, status="claimed", assignee="alice")
    patch(client, council_services, reference, status="resolved", resolution_note="Done.")
    response = client.get(f"{TRIAGE}/{reference}/audit", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == reference and body["count"] == len(body["data"]) == 4
    assert [entry["action"] for entry in body["data"]] == ["create", "view", "claim", "resolve"]
    for entry in body["data"]:
        assert set(entry) == {"at", "actor", "action", "detail"}
        assert entry["actor"] == "api-token"
        parse_time(entry["at"])
    assert body["data"][2]["detail"] == "from new to claimed; assignee: alice"
    assert body["data"][3]["detail"] == "from claimed to resolved with a note"

    listing(client, council_services, category="council_tax")
    assert audit_actions(client, council_services, reference)[-1] == "list"


def test_openapi_documents_the_triage_endpoints(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths[TRIAGE]) == {"get", "post"}
    assert set(paths[f"{TRIAGE}/{{reference}}"]) == {"get", "patch"}
    assert set(paths[f"{TRIAGE}/{{reference}}/audit"]) == {"get"}
    for operations in (paths[TRIAGE], paths[f"{TRIAGE}/{{reference}}"]):
        for operation in operations.values():
            assert "401" in operation["responses"] and operation.get("security")
    assert not any(path.startswith("/staff") for path in paths)


# --- staff messages to the resident (issue #18) ------------------------------------------------


def test_a_staff_message_by_text_is_kept_in_the_record_and_the_audit_log(
    client: httpx.Client, council_services: RunningServer
) -> None:
    record = create(client, council_services, channel="ivr")
    reference = record["reference"]
    response = client.post(
        f"{TRIAGE}/{reference}/messages",
        json={"text": "We have booked a repair.", "sender_name": "Sam Jones", "sms": True},
        headers=council_services.staff_headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["reference"], body["web_chat"], body["sms"]) == (reference, False, True)
    assert body["line"]["role"] == "staff" and body["line"]["name"] == "Sam Jones"
    parse_time(body["line"]["at"])
    stored = client.get(f"{TRIAGE}/{reference}", headers=council_services.staff_headers).json()
    assert stored["transcript"][-1] == body["line"]
    assert "message" in audit_actions(client, council_services, reference)
    texts = client.get("/api/v1/sms", headers=council_services.staff_headers).json()
    assert any(reference in text["body"] and text["to"] == "+447700900123" for text in texts)


def test_a_staff_message_that_cannot_reach_the_resident_is_refused(
    client: httpx.Client, council_services: RunningServer
) -> None:
    headers = council_services.staff_headers
    no_consent = create(client, council_services, channel="ivr", contact=None)["reference"]
    response = client.post(
        f"{TRIAGE}/{no_consent}/messages", json={"text": "Hi", "sms": True}, headers=headers
    )
    assert response.status_code == 409, response.text
    by_phone = client.post(f"{TRIAGE}/{no_consent}/messages", json={"text": "Hi"}, headers=headers)
    assert by_phone.status_code == 409
    for bad in ({"text": ""}, {"text": "x" * 501}, {"text": "Hi", "sms": "yes"}, {"txt": "Hi"}):
        response = client.post(f"{TRIAGE}/{no_consent}/messages", json=bad, headers=headers)
        assert response.status_code == 422, bad
    missing = client.post(f"{TRIAGE}/FD-ZZZZZZ/messages", json={"text": "Hi"}, headers=headers)
    assert missing.status_code == 404
    assert "message" not in audit_actions(client, council_services, no_consent)
