"""The action server's clients are built from the settings (``actions/common/deps.py``)."""

from __future__ import annotations

import pytest

from actions.common import deps
from bot.settings import Settings
from integrations.endpoint import Endpoint


@pytest.mark.parametrize("factory", ["sms", "triage", "directory", "crm", "open311"])
def test_every_client_builds_from_the_settings(factory: str) -> None:
    build = getattr(deps, factory)
    build.cache_clear()
    try:
        assert build() is not None
    finally:
        build.cache_clear()


def test_the_sms_gateway_can_send() -> None:
    deps.sms.cache_clear()
    try:
        assert callable(deps.sms().send)
    finally:
        deps.sms.cache_clear()


#: Which factory builds each client of the contract's list (the insight client is the
#: insight worker's, built in ``bot/cli.py``).
FACTORIES = {
    "open311": "get_open311_client",
    "triage": "get_triage_client",
    "directory": "get_directory_client",
    "crm": "get_crm_client",
    "sms": "get_sms_gateway",
}
SERVICES = "http://services.example:8000"


def _endpoints(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> dict[str, Endpoint]:
    """Build every client of the action server; the endpoint each factory was given."""
    given: dict[str, Endpoint] = {}
    monkeypatch.setattr(deps, "settings", settings)
    for client, factory in FACTORIES.items():

        def capture(*args: object, _client: str = client, **kwargs: object) -> object:
            given[_client] = next(arg for arg in args if isinstance(arg, Endpoint))
            return object()

        monkeypatch.setattr(deps, factory, capture)
    for client in FACTORIES:
        getattr(deps, client).cache_clear()
        try:
            getattr(deps, client)()
        finally:
            getattr(deps, client).cache_clear()
    return given


def _settings(**urls: str) -> Settings:
    return Settings(
        _env_file=None,
        council_services_url=SERVICES,
        open311_jurisdiction_id="test",
        open311_api_key="open311-key",
        staff_api_token="staff-token",
        **urls,
    )


def test_every_client_uses_the_council_services_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given = _endpoints(monkeypatch, _settings())
    assert {client: endpoint.base_url for client, endpoint in given.items()} == {
        client: SERVICES for client in FACTORIES
    }
    assert given["open311"].token == "open311-key"
    assert given["triage"].token == given["crm"].token == given["sms"].token == "staff-token"


@pytest.mark.parametrize("client", list(FACTORIES))
def test_a_client_with_its_own_url_is_built_with_it(
    monkeypatch: pytest.MonkeyPatch, client: str
) -> None:
    own = f"https://{client}.council.example"
    given = _endpoints(monkeypatch, _settings(**{f"{client}_url": own}))
    assert given[client].base_url == own
    assert {other: given[other].base_url for other in FACTORIES if other != client} == {
        other: SERVICES for other in FACTORIES if other != client
    }
