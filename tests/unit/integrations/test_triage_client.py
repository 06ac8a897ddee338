import asyncio

import httpx
import pytest

from integrations.triage import TriageClient, TriageRejected, TriageUnavailable


def _client(handler) -> TriageClient:
    return TriageClient("http://crm.test", "staff-token", transport=httpx.MockTransport(handler))


def test_create_posts_json_with_the_staff_token():
    seen = {}

    def handler(request):
        seen["auth"] = request.headers["Authorization"]
        seen["url"] = str(request.url)
        return httpx.Response(201, json={"reference": "FD-ABC234"})

    assert asyncio.run(_client(handler).create({"reference": "FD-ABC234"})) == "FD-ABC234"
    assert seen == {"auth": "Bearer staff-token", "url": "http://crm.test/api/v1/triage"}


@pytest.mark.parametrize(
    "status,error", [(401, TriageRejected), (422, TriageRejected), (500, TriageUnavailable)]
)
def test_errors(status, error):
    with pytest.raises(error):
        asyncio.run(_client(lambda r: httpx.Response(status, json={})).create({}))


def test_unreachable_is_unavailable():
    def handler(request):
        raise httpx.ConnectTimeout("slow")

    with pytest.raises(TriageUnavailable):
        asyncio.run(_client(handler).add_contact("FD-ABC234", {"phone": "07700900123"}, "c-1"))


def test_create_sends_an_idempotency_key_the_record_s_reference_by_default():
    seen = []

    def handler(request):
        seen.append(request.headers.get("Idempotency-Key"))
        return httpx.Response(201, json={"reference": "FD-ABC234"})

    asyncio.run(_client(handler).create({"reference": "FD-ABC234"}))
    asyncio.run(_client(handler).create({"reference": "FD-ABC234"}, idempotency_key="other"))
    assert seen == ["FD-ABC234", "other"]


def test_undelivered_items_are_put_and_cleared_with_the_staff_token():
    seen = []

    def handler(request):
        seen.append((request.method, str(request.url), request.headers["Authorization"]))
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200, json={"reference": "HR-ABC234"})

    client = _client(handler)
    asyncio.run(client.report_undelivered({"reference": "HR-ABC234", "reason": "HTTP 400"}))
    asyncio.run(client.clear_undelivered("HR-ABC234"))
    url = "http://crm.test/api/v1/undelivered/HR-ABC234"
    assert seen == [("PUT", url, "Bearer staff-token"), ("DELETE", url, "Bearer staff-token")]


def test_add_posts_to_the_record_s_additions():
    seen = {}

    def handler(request):
        seen["method"], seen["url"] = request.method, str(request.url)
        return httpx.Response(200, json={"reference": "FD-ABC234"})

    body = {"conversation_id": "c-1", "summary": "s"}
    assert asyncio.run(_client(handler).add("FD-ABC234", body)) == "FD-ABC234"
    assert seen == {"method": "POST", "url": "http://crm.test/api/v1/triage/FD-ABC234/additions"}


def test_a_resolved_record_refuses_an_addition_with_its_status():
    with pytest.raises(TriageRejected) as refused:
        asyncio.run(_client(lambda r: httpx.Response(409, json={})).add("FD-ABC234", {}))
    assert refused.value.status == 409


def test_get_reads_a_record_back():
    seen = {}

    def handler(request):
        seen["method"], seen["url"] = request.method, str(request.url)
        return httpx.Response(200, json={"reference": "FD-ABC234", "status": "claimed"})

    record = asyncio.run(_client(handler).get("FD-ABC234"))
    assert record["status"] == "claimed"
    assert seen == {"method": "GET", "url": "http://crm.test/api/v1/triage/FD-ABC234"}
