"""Council tax verification, cases and broadband applications in the stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from tests.web_app import make_seeded_app
from web.core.config import Settings

TOKEN = {"Authorization": "Bearer dev-staff-token"}
GOOD = {"account_reference": "40012345", "postcode": "st42dx", "surname": "bloggs"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    settings = Settings(
        database_url="sqlite://",
        environment="development",
        council_tax_max_failed_verifications=3,
        council_tax_lock_minutes=30,
    )
    with TestClient(make_seeded_app(settings)) as client:
        yield client


def test_every_endpoint_needs_the_service_token(client: TestClient):
    assert client.post("/api/v1/council-tax/verify", json=GOOD).status_code == 401
    assert client.get("/api/v1/council-tax/cases/CT-ABCDEF").status_code == 401
    assert client.post("/api/v1/broadband/applications", json={}).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert client.post("/api/v1/council-tax/verify", json=GOOD, headers=wrong).status_code == 401


def test_verified_details_return_the_account_summary(client: TestClient):
    response = client.post("/api/v1/council-tax/verify", json=GOOD, headers=TOKEN)
    assert response.status_code == 200
    body = response.json()
    assert body["band"] == "B" and body["balance_pence"] == 84250
    assert body["next_instalment_pence"] == 16850 and body["sample_data"] is True
    assert "surname" not in body and "address" not in body


def test_surname_and_postcode_are_compared_loosely():
    # O'Neill, ST6 3JJ: punctuation, case and spaces do not matter.
    settings = Settings(database_url="sqlite://", environment="development")
    with TestClient(make_seeded_app(settings)) as client:
        body = {"account_reference": "4006 7890", "postcode": "ST6 3JJ", "surname": "oneill"}
        assert (
            client.post("/api/v1/council-tax/verify", json=body, headers=TOKEN).status_code == 200
        )


@pytest.mark.parametrize(
    "details",
    [
        {**GOOD, "surname": "Smith"},
        {**GOOD, "postcode": "ST6 3JJ"},
        {**GOOD, "account_reference": "49999999"},
    ],
    ids=["wrong surname", "wrong postcode", "unknown account"],
)
def test_a_failure_says_the_same_whatever_went_wrong(client: TestClient, details: dict):
    response = client.post("/api/v1/council-tax/verify", json=details, headers=TOKEN)
    assert response.status_code == 403
    assert response.json() == {"detail": "The details given do not match an account."}


def test_a_caller_is_locked_out_after_repeated_failures_even_with_the_right_details(
    client: TestClient,
):
    """The caller (conversation) that failed is locked out; the account is not."""
    stranger = {"conversation_id": "web-stranger"}
    for _ in range(3):
        wrong = {**GOOD, "surname": "Guess", **stranger}
        assert (
            client.post("/api/v1/council-tax/verify", json=wrong, headers=TOKEN).status_code == 403
        )
    locked = client.post("/api/v1/council-tax/verify", json={**GOOD, **stranger}, headers=TOKEN)
    assert locked.status_code == 403
    assert locked.json() == {"detail": "The details given do not match an account."}
    # The resident, in their own conversation, still gets in: no denial of service.
    resident = {**GOOD, "conversation_id": "web-the-resident"}
    assert (
        client.post("/api/v1/council-tax/verify", json=resident, headers=TOKEN).status_code == 200
    )
    # The stranger is locked out of this account only.
    other = {"account_reference": "40024680", "postcode": "ST1 1HP", "surname": "Patel"}
    assert (
        client.post(
            "/api/v1/council-tax/verify", json={**other, **stranger}, headers=TOKEN
        ).status_code
        == 200
    )


def test_five_wrong_surnames_from_a_stranger_do_not_lock_the_resident_out() -> None:
    """The issue's case with the default settings: five failures, then the resident."""
    settings = Settings(database_url="sqlite://", environment="development")
    with TestClient(make_seeded_app(settings)) as client:
        for n in range(5):
            wrong = {**GOOD, "surname": f"Guess{n}", "conversation_id": "web-stranger"}
            client.post("/api/v1/council-tax/verify", json=wrong, headers=TOKEN)
        stranger = {**GOOD, "conversation_id": "web-stranger"}
        assert (
            client.post("/api/v1/council-tax/verify", json=stranger, headers=TOKEN).status_code
            == 403
        )
        resident = {**GOOD, "conversation_id": "web-resident"}
        assert (
            client.post("/api/v1/council-tax/verify", json=resident, headers=TOKEN).status_code
            == 200
        )
        case = {**resident, "kind": "twelve_instalments"}
        created = client.post("/api/v1/council-tax/cases", json=case, headers=TOKEN)
        assert created.status_code == 201


def test_a_success_resets_the_failure_count(client: TestClient):
    wrong = {**GOOD, "surname": "Guess"}
    for _ in range(2):
        client.post("/api/v1/council-tax/verify", json=wrong, headers=TOKEN)
    assert client.post("/api/v1/council-tax/verify", json=GOOD, headers=TOKEN).status_code == 200
    for _ in range(2):
        client.post("/api/v1/council-tax/verify", json=wrong, headers=TOKEN)
    assert client.post("/api/v1/council-tax/verify", json=GOOD, headers=TOKEN).status_code == 200


def test_a_single_person_discount_case_is_recorded_and_read_back(client: TestClient):
    since = (date.today() - timedelta(days=30)).isoformat()
    body = {
        **GOOD,
        "kind": "single_person_discount",
        "details": {"living_alone_since": since},
        "conversation_id": "conv-1",
    }
    created = client.post("/api/v1/council-tax/cases", json=body, headers=TOKEN)
    assert created.status_code == 201
    reference = created.json()["reference"]
    assert reference.startswith("CT-")
    read = client.get(f"/api/v1/council-tax/cases/{reference}", headers=TOKEN).json()
    assert read["account_reference"] == "40012345"
    assert read["kind"] == "single_person_discount" and read["status"] == "open"
    assert read["details"] == {"living_alone_since": since}


@pytest.mark.parametrize(
    "kind,details",
    [
        ("single_person_discount", {"living_alone_since": "2999-01-01"}),
        ("single_person_discount", {"living_alone_since": "1980-01-01"}),
        ("single_person_discount", {"living_alone_since": "yesterday"}),
        ("moving_home", {"moving_date": date.today().isoformat(), "new_address": "x"}),
        ("moving_home", {"moving_date": "2001-01-01", "new_address": "1 New Road, Leeds"}),
        ("something_else", {}),
    ],
)
def test_impossible_details_are_refused_and_nothing_is_recorded(
    client: TestClient, kind: str, details: dict
):
    response = client.post(
        "/api/v1/council-tax/cases", json={**GOOD, "kind": kind, "details": details}, headers=TOKEN
    )
    assert response.status_code == 422


def test_a_case_needs_verification(client: TestClient):
    body = {**GOOD, "surname": "Other", "kind": "twelve_instalments"}
    assert client.post("/api/v1/council-tax/cases", json=body, headers=TOKEN).status_code == 403


def test_moving_home_and_instalment_cases(client: TestClient):
    moving = {
        **GOOD,
        "kind": "moving_home",
        "details": {"moving_date": date.today().isoformat(), "new_address": "9 New Road, ST4 2DX"},
    }
    created = client.post("/api/v1/council-tax/cases", json=moving, headers=TOKEN).json()
    assert created["details"]["new_address"] == "9 New Road, ST4 2DX"
    twelve = {**GOOD, "kind": "twelve_instalments", "details": {"ignored": 1}}
    created = client.post("/api/v1/council-tax/cases", json=twelve, headers=TOKEN).json()
    assert created["details"] == {}
    assert client.get("/api/v1/council-tax/cases/CT-ZZZZZZ", headers=TOKEN).status_code == 404


def test_a_broadband_application_is_recorded_and_read_back(client: TestClient):
    body = {
        "business_name": "Potteries Pots Ltd",
        "postcode": "ST4 2DX",
        "staff_count": 12,
        "current_speed_mbps": 8,
        "voucher_pounds": 3000,
        "conversation_id": "conv-2",
    }
    created = client.post("/api/v1/broadband/applications", json=body, headers=TOKEN)
    assert created.status_code == 201
    reference = created.json()["reference"]
    read = client.get(f"/api/v1/broadband/applications/{reference}", headers=TOKEN).json()
    assert read["business_name"] == "Potteries Pots Ltd" and read["voucher_pounds"] == 3000
