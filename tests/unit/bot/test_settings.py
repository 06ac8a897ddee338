import pytest

from bot.settings import Settings


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


def test_the_council_services_endpoint_carries_the_url_token_and_timeouts():
    settings = Settings(
        _env_file=None,
        council_services_url="http://services.example:8000",
        http_connect_timeout_s=1.5,
        http_read_timeout_s=7.0,
    )
    endpoint = settings.council_services_endpoint("token")
    assert (endpoint.base_url, endpoint.token) == ("http://services.example:8000", "token")
    assert (endpoint.connect_timeout_s, endpoint.read_timeout_s) == (1.5, 7.0)
    assert settings.council_services_endpoint().token == ""


@pytest.mark.parametrize("chars", [0, 10001])
def test_max_message_chars_is_bounded(chars):
    with pytest.raises(ValueError, match="max_message_chars"):
        Settings(_env_file=None, max_message_chars=chars)
