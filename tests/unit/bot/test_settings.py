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
