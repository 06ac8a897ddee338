import logging

import pytest
from pydantic import SecretStr

from bot.settings import CLIENTS, DEVELOPMENT_SECRETS, Settings


def test_defaults_are_embedded(tmp_path):
    settings = Settings(_env_file=None, var_dir=tmp_path)
    assert settings.database == f"sqlite:///{tmp_path / 'frontdoor.db'}"
    assert settings.tracker_store.startswith("sqlite:///")
    assert settings.action_endpoint == "http://127.0.0.1:5055/webhook"


def test_development_secrets_refused_in_production():
    with pytest.raises(ValueError, match="RASA_API_TOKEN"):
        Settings(_env_file=None, environment="production").check_secrets()


def test_real_secrets_accepted_in_production():
    Settings(
        _env_file=None,
        environment="production",
        rasa_api_token="a",
        staff_api_token="b",
        open311_api_key="c",
        caller_id_secret="d",
        insight_hash_secret="e",
        twilio_auth_token="e",
        library_assist_secret="f",
        action_server_token="g",
    ).check_secrets()


def test_development_action_server_token_refused_in_production():
    real = {name: "real" for name in ("rasa_api_token", "staff_api_token", "open311_api_key",
            "caller_id_secret", "insight_hash_secret", "twilio_auth_token",
            "library_assist_secret")}  # fmt: skip
    with pytest.raises(ValueError, match="ACTION_SERVER_TOKEN"):
        Settings(_env_file=None, environment="production", **real).check_secrets()


def test_action_server_is_on_loopback_by_default(tmp_path):
    assert Settings(_env_file=None, var_dir=tmp_path).action_server_host == "127.0.0.1"


def test_unknown_environment_rejected():
    with pytest.raises(ValueError):
        Settings(_env_file=None, environment="staging-ish")


@pytest.mark.parametrize("name", ["development", "test", "staging", "production"])
def test_the_assistant_and_the_web_service_share_one_environment_vocabulary(name):
    from web.core.config import Settings as WebSettings

    assistant = Settings(_env_file=None, environment=name)
    web = WebSettings(
        environment=name,
        staff_session_secret="s" * 40,
        open311_api_key="real-open311",
        staff_api_token="real-staff",
        library_assist_secret="real-assist",
        insight_hash_secret="real-insight",
    )
    assert assistant.environment == web.environment == name
    assert assistant.is_development == web.is_development == (name in {"development", "test"})


def test_staging_refuses_the_development_secrets():
    with pytest.raises(ValueError, match="RASA_API_TOKEN"):
        Settings(_env_file=None, environment="staging").check_secrets()


def test_an_unknown_environment_is_refused_naming_every_accepted_value():
    from web.core.config import Settings as WebSettings

    for build in (
        lambda: Settings(_env_file=None, environment="prod"),
        lambda: WebSettings(environment="prod"),
    ):
        with pytest.raises(ValueError) as caught:
            build()
        assert "ENVIRONMENT must be one of development, test, staging, production" in str(
            caught.value
        )
        assert "'prod'" in str(caught.value)


def test_the_environment_is_read_forgiving_case_and_spaces():
    assert Settings(_env_file=None, environment=" Staging ").environment == "staging"


def test_staging_from_the_process_environment_does_not_crash_the_import(tmp_path):
    import os
    import subprocess
    import sys

    from bot.settings import REPO_ROOT

    env = {**os.environ, "ENVIRONMENT": "staging", "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", "from bot.settings import settings; print(settings.environment)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "staging"


SERVICES = "http://services.example:8000"
#: The credential each client sends: the Open311 key, none for the directory, else staff.
TOKENS = {
    "open311": "open311-key",
    "crm": "staff-token",
    "triage": "staff-token",
    "directory": "",
    "sms": "staff-token",
    "insight": "staff-token",
}


def _services(**values: object) -> Settings:
    return Settings(
        _env_file=None,
        council_services_url=SERVICES,
        open311_api_key="open311-key",
        staff_api_token="staff-token",
        http_connect_timeout_s=1.5,
        http_read_timeout_s=7.0,
        **values,
    )


def test_the_clients_are_the_ones_the_contract_names():
    assert set(CLIENTS) == set(TOKENS)
    for client in CLIENTS:
        assert Settings.__fields__[f"{client}_url"].field_info.extra["env"] == (
            f"{client.upper()}_URL"
        )


@pytest.mark.parametrize("client", CLIENTS)
def test_a_client_without_its_own_url_uses_the_council_services(client):
    endpoint = _services().client_endpoint(client)
    assert (endpoint.base_url, endpoint.token) == (SERVICES, TOKENS[client])
    assert (endpoint.connect_timeout_s, endpoint.read_timeout_s) == (1.5, 7.0)


@pytest.mark.parametrize("client", CLIENTS)
def test_a_client_with_its_own_url_uses_it_and_no_other_client_does(client):
    own = f"https://{client}.council.example"
    settings = _services(**{f"{client}_url": own})
    endpoint = settings.client_endpoint(client)
    assert (endpoint.base_url, endpoint.token) == (own, TOKENS[client])
    assert (endpoint.connect_timeout_s, endpoint.read_timeout_s) == (1.5, 7.0)
    others = {other: settings.client_url(other) for other in CLIENTS if other != client}
    assert set(others.values()) == {SERVICES}


def test_every_client_url_is_read_from_its_environment_variable(monkeypatch):
    for client in CLIENTS:
        monkeypatch.setenv(f"{client.upper()}_URL", f"http://{client}.example:9000")
    settings = Settings(_env_file=None, council_services_url=SERVICES)
    assert {client: settings.client_url(client) for client in CLIENTS} == {
        client: f"http://{client}.example:9000" for client in CLIENTS
    }


def test_a_client_url_is_trimmed_and_must_be_http():
    assert _services(open311_url="  https://crm.example/  ").client_url("open311") == (
        "https://crm.example/"
    )
    with pytest.raises(ValueError, match="OPEN311_URL must be an http"):
        _services(open311_url="crm.example:8000")
    with pytest.raises(ValueError, match="COUNCIL_SERVICES_URL must be an http"):
        Settings(_env_file=None, council_services_url="ftp://services.example")


def test_the_web_chat_link_stays_on_the_council_services():
    settings = _services(crm_url="https://crm.example", open311_url="https://crm.example")
    assert settings.continue_online_url == f"{SERVICES}/"
    assert _services(web_chat_url="https://chat.example/").continue_online_url == (
        "https://chat.example/"
    )


@pytest.mark.parametrize("chars", [0, 10001])
def test_max_message_chars_is_bounded(chars):
    with pytest.raises(ValueError, match="max_message_chars"):
        Settings(_env_file=None, max_message_chars=chars)


@pytest.mark.parametrize("client", CLIENTS)
def test_each_client_url_is_documented(client):
    from bot.settings import REPO_ROOT

    name = f"{client.upper()}_URL"
    assert f"\n{name}=\n" in (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    assert f"| `{name}` |" in (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_secret_is_a_secret_str_and_never_shows(caplog):
    real = {name: f"real-{name}-4e7a" for name in DEVELOPMENT_SECRETS}
    settings = Settings(_env_file=None, **real)
    logging.getLogger("test.settings").warning("settings: %s %r", settings, settings)
    for name, value in real.items():
        assert Settings.__fields__[name].type_ is SecretStr, name
        assert getattr(settings, name).get_secret_value() == value == settings.secret(name)
        assert value not in repr(settings) and value not in str(settings), name
        assert value not in caplog.text, name
    assert set(real.values()) <= set(settings.secret_values())
