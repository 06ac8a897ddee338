"""The CRM client through a fake transport: outcomes become typed results or errors."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from integrations.crm import (
    CrmClient,
    CrmNotFound,
    CrmRejected,
    CrmUnavailable,
    Identity,
    NotVerified,
)

IDENTITY = Identity("40012345", "ST4 2DX", "Bloggs")
SUMMARY = {
    "account_reference": "40012345",
    "band": "B",
    "balance_pence": 84250,
    "instalments": 10,
    "next_instalment_date": "2027-01-01",
    "next_instalment_pence": 16850,
    "sample_data": True,
}


def _client(handler) -> CrmClient:
    return CrmClient("http://crm.test", "token-1", transport=httpx.MockTransport(handler))


def test_verify_sends_the_token_and_reads_the_summary():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["auth"] = request.headers["authorization"]
        seen["path"] = request.url.path
        seen["body"] = json.loads(request.content)
        return httpx.Response(200, json=SUMMARY)

    summary = asyncio.run(_client(handler).verify(IDENTITY, "web-caller-1"))
    assert seen == {
        "auth": "Bearer token-1",
        "path": "/api/v1/council-tax/verify",
        "body": {
            "account_reference": "40012345",
            "postcode": "ST4 2DX",
            "surname": "Bloggs",
            "conversation_id": "web-caller-1",  # the caller, whose failures are counted
        },
    }
    assert summary.band == "B" and summary.next_instalment_pence == 16850


@pytest.mark.parametrize(
    "status,error",
    [(403, NotVerified), (404, CrmNotFound), (422, CrmRejected), (500, CrmUnavailable)],
)
def test_statuses_become_errors(status, error):
    client = _client(lambda request: httpx.Response(status, json={"detail": "x"}))
    with pytest.raises(error):
        asyncio.run(client.verify(IDENTITY))


def test_a_connection_failure_is_unavailable():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    with pytest.raises(CrmUnavailable):
        asyncio.run(_client(handler).create_case(IDENTITY, "twelve_instalments", {}, "c1"))


def test_create_case_posts_identity_kind_and_details():
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        assert body["kind"] == "moving_home" and body["conversation_id"] == "c1"
        assert body["details"] == {"moving_date": "2027-01-01", "new_address": "1 Road"}
        return httpx.Response(
            201,
            json={"reference": "CT-ABCDEF", "kind": "moving_home", "status": "open", "details": {}},
        )

    case = asyncio.run(
        _client(handler).create_case(
            IDENTITY, "moving_home", {"moving_date": "2027-01-01", "new_address": "1 Road"}, "c1"
        )
    )
    assert case.reference == "CT-ABCDEF"


def test_get_application_reads_a_broadband_application_back():
    seen = {}

    def handler(request):
        seen["method"], seen["url"] = request.method, str(request.url)
        body = {"reference": "BB-ABC234", "business_name": "Kiln Cafe", "voucher_pounds": 500}
        return httpx.Response(200, json={**body, "status": "refused"})

    application = asyncio.run(_client(handler).get_application("BB-ABC234"))
    assert application.status == "refused"
    assert seen["method"] == "GET"
    assert seen["url"].endswith("/broadband/applications/BB-ABC234")
