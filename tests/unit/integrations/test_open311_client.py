import asyncio
import json

import httpx
import pytest

from integrations.open311 import (
    NewServiceRequest,
    Open311Client,
    Open311NotFound,
    Open311Rejected,
    Open311Unavailable,
)


def _client(handler) -> Open311Client:
    return Open311Client(
        "http://crm.test", "key-1", jurisdiction_id="council.test",
        transport=httpx.MockTransport(handler),
    )  # fmt: skip


def run(coro):
    return asyncio.run(coro)


def test_submit_posts_form_with_api_key_and_location():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["url"] = str(request.url)
        seen["form"] = dict(httpx.QueryParams(request.content.decode()))
        return httpx.Response(200, json=[{"service_request_id": "SR-ABC234"}])

    request = NewServiceRequest(
        "POTHOLE", "Deep hole", lat=53.01191, long=-2.17825, address_string="ST4 2DX",
        attributes={"hazard": "yes"},
    )  # fmt: skip
    assert run(_client(handler).submit(request)) == "SR-ABC234"
    assert seen["url"] == "http://crm.test/open311/v2/requests.json"
    form = seen["form"]
    assert form["api_key"] == "key-1"
    assert form["jurisdiction_id"] == "council.test"
    assert form["lat"] == "53.011910" and form["long"] == "-2.178250"
    assert form["attribute[hazard]"] == "yes"
    assert "email" not in form


def test_submit_redacts_the_public_description_and_address_but_keeps_the_contact():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["form"] = dict(httpx.QueryParams(request.content.decode()))
        return httpx.Response(200, json=[{"service_request_id": "SR-ABC234"}])

    # As an old outbox item would hold it, written before the assistant redacted.
    request = NewServiceRequest(
        "POTHOLE", "Hole. Call 07700 900123, NI QQ123456C, DOB 12/03/1985",
        address_string="12 Leek Road, my sort code 20-00-00", phone="07700 900123",
    )  # fmt: skip
    run(_client(handler).submit(request))
    form = seen["form"]
    assert form["description"] == "Hole. Call [phone], NI [NI number], DOB [date of birth]"
    assert form["address_string"] == "12 Leek Road, my sort code [sort code]"
    assert form["phone"] == "07700 900123"  # a private field of Open311


def test_get_request_parses_status():
    def handler(request):
        assert request.url.params["jurisdiction_id"] == "council.test"
        return httpx.Response(
            200,
            json=[{"service_request_id": "SR-ABC234", "status": "closed",
                   "status_notes": "Filled in", "service_code": "POTHOLE",
                   "lat": "53.0", "long": "-2.1"}],
        )  # fmt: skip

    report = run(_client(handler).get_request("SR-ABC234"))
    assert report.status == "closed" and not report.is_open
    assert report.status_notes == "Filled in"
    assert report.lat == 53.0


@pytest.mark.parametrize(
    "status,body,error",
    [
        (404, [{"code": 404, "description": "not found"}], Open311NotFound),
        (400, [{"code": 400, "description": "service_code is required"}], Open311Rejected),
        (403, [{"code": 403, "description": "bad api_key"}], Open311Rejected),
        (500, {"detail": "boom"}, Open311Unavailable),
        (503, "down", Open311Unavailable),
    ],
)
def test_errors_map_to_the_error_family(status, body, error):
    def handler(request):
        return httpx.Response(status, content=json.dumps(body))

    with pytest.raises(error):
        run(_client(handler).get_request("SR-ABC234"))


def test_rejection_keeps_code_and_description():
    def handler(request):
        return httpx.Response(400, json=[{"code": 400, "description": "lat out of range"}])

    with pytest.raises(Open311Rejected) as caught:
        run(_client(handler).submit(NewServiceRequest("POTHOLE", "x", address_string="y")))
    assert caught.value.code == 400
    assert caught.value.description == "lat out of range"


def test_connection_failure_is_unavailable():
    def handler(request):
        raise httpx.ConnectError("refused")

    with pytest.raises(Open311Unavailable):
        run(_client(handler).services())


def test_non_json_body_is_unavailable():
    def handler(request):
        return httpx.Response(200, content=b"<html>proxy error</html>")

    with pytest.raises(Open311Unavailable):
        run(_client(handler).services())


def test_submit_sends_the_idempotency_key_as_a_header_not_in_the_form():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["key"] = request.headers.get("Idempotency-Key")
        seen["form"] = dict(httpx.QueryParams(request.content.decode()))
        return httpx.Response(200, json=[{"service_request_id": "SR-ABC234"}])

    keyed = NewServiceRequest("POTHOLE", "Deep hole", idempotency_key="k-123")
    run(_client(handler).submit(keyed))
    assert seen["key"] == "k-123"
    assert "idempotency_key" not in seen["form"]
    run(_client(handler).submit(NewServiceRequest("POTHOLE", "Deep hole")))
    assert seen["key"] is None  # a request without a key is sent as before
