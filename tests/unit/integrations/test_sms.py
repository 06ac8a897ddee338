"""The SMS gateway: the outbox client through a fake transport, the fake, and the factory."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.settings import Settings as BotSettings
from integrations.endpoint import Endpoint
from integrations.sms import (
    FakeSmsGateway,
    OutboxSmsGateway,
    SmsMessage,
    SmsRejected,
    SmsUnavailable,
    get_sms_gateway,
)
from integrations.sms.models import uk_mobile_e164
from tests.web_app import make_app
from web.core.config import Settings


@pytest.mark.parametrize(
    "number, expected",
    [
        ("07700 900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("447700900123", "+447700900123"),
        ("01782 234234", None),
        ("anonymous", None),
        ("", None),
    ],
)
def test_uk_mobile_numbers(number: str, expected: str | None) -> None:
    assert uk_mobile_e164(number) == expected


def test_outbox_gateway_posts_with_the_staff_token() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": 7, "status": "queued"})

    gateway = OutboxSmsGateway("http://cs.test/", "tok", transport=httpx.MockTransport(handler))
    receipt = gateway.send(SmsMessage(to="07700 900123", body="Hello", conversation_id="ivr-1"))
    assert receipt.id == "7" and receipt.status == "queued"
    (request,) = seen
    assert str(request.url) == "http://cs.test/api/v1/sms"
    assert request.headers["authorization"] == "Bearer tok"
    assert json.loads(request.content) == {
        "to": "+447700900123",
        "body": "Hello",
        "conversation_id": "ivr-1",
    }


@pytest.mark.parametrize(
    "answer, error",
    [
        (httpx.Response(503), SmsUnavailable),
        (httpx.Response(422, json={"detail": "no"}), SmsRejected),
        (httpx.Response(201, content=b"not json"), SmsUnavailable),
    ],
)
def test_outbox_gateway_failures(answer: httpx.Response, error: type[Exception]) -> None:
    gateway = OutboxSmsGateway(
        "http://cs.test", "t", transport=httpx.MockTransport(lambda r: answer)
    )
    with pytest.raises(error):
        gateway.send(SmsMessage(to="07700900123", body="x"))


def test_outbox_gateway_unreachable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    gateway = OutboxSmsGateway("http://cs.test", "t", transport=httpx.MockTransport(refuse))
    with pytest.raises(SmsUnavailable):
        gateway.send(SmsMessage(to="07700900123", body="x"))


def test_only_uk_mobiles_get_texts() -> None:
    with pytest.raises(ValueError):
        SmsMessage(to="01782 234234", body="x")


def test_fake_and_factory() -> None:
    fake = FakeSmsGateway()
    fake.send(SmsMessage(to="07700900123", body="x"))
    assert [m.to for m in fake.sent] == ["+447700900123"]
    with pytest.raises(SmsUnavailable):
        FakeSmsGateway(down=True).send(SmsMessage(to="07700900123", body="x"))
    endpoint = Endpoint("http://localhost:8000", "token")
    assert isinstance(get_sms_gateway("fake", endpoint), FakeSmsGateway)
    assert isinstance(get_sms_gateway("outbox", endpoint), OutboxSmsGateway)
    with pytest.raises(ValueError, match="carrier-pigeon"):
        get_sms_gateway("carrier-pigeon", endpoint)


def test_the_assistant_builds_the_gateway_its_settings_name() -> None:
    settings = BotSettings(_env_file=None, sms_gateway="fake")
    built = get_sms_gateway(settings.sms_gateway, settings.client_endpoint("sms"))
    assert isinstance(built, FakeSmsGateway)


def test_the_stand_in_keeps_texts_for_staff_only() -> None:
    settings = Settings(database_url="sqlite://", environment="development")
    token = {"Authorization": f"Bearer {settings.staff_api_token.get_secret_value()}"}
    body = {"to": "+447700900123", "body": "Your reference is FD-7K3Q9X", "conversation_id": "c"}
    with TestClient(make_app(settings)) as client:
        assert client.post("/api/v1/sms", json=body).status_code == 401
        assert client.get("/api/v1/sms").status_code == 401
        bad = client.post("/api/v1/sms", json={**body, "to": "01782234234"}, headers=token)
        assert bad.status_code == 422
        created = client.post("/api/v1/sms", json=body, headers=token)
        assert created.status_code == 201, created.text
        listed = client.get("/api/v1/sms", headers=token).json()
        assert [item["body"] for item in listed] == [body["body"]]
        page = client.get("/staff/sms", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].endswith("/staff/login")
