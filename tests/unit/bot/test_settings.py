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
    ).check_secrets()


def test_unknown_environment_rejected():
    with pytest.raises(ValueError):
        Settings(_env_file=None, environment="staging-ish")
