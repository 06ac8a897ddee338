"""core/config.py: defaults, placeholder secrets refused outside development, URL fallback."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from web.core.config import (
    DEV_OPEN311_API_KEY,
    DEV_STAFF_API_TOKEN,
    DEV_STAFF_SESSION_SECRET,
    REPO_ROOT,
    Settings,
)

REAL_SESSION_SECRET = "s" * 40

# Variables a developer's shell may export; each test says what it needs instead.
OWN_VARIABLES = (
    "ENVIRONMENT",
    "COUNCIL_SERVICES_DATABASE_URL",
    "DATABASE_URL",
    "OPEN311_API_KEY",
    "STAFF_API_TOKEN",
    "OPEN311_JURISDICTION_ID",
    "COUNCIL_SERVICES_HOST",
    "COUNCIL_SERVICES_PORT",
    "STAFF_SESSION_SECRET",
    "STAFF_SESSION_MINUTES",
    "TRANSCRIPT_RETENTION_DAYS",
    "LIBRARY_ASSIST_SECRET",
    "WEB_CHAT_IDLE_MINUTES",
    "WEB_CHAT_FRAME_ANCESTORS",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OWN_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_development_defaults() -> None:
    settings = Settings()
    assert settings.is_development
    assert settings.open311_api_key.get_secret_value() == DEV_OPEN311_API_KEY == "dev-open311-key"
    assert settings.staff_api_token.get_secret_value() == DEV_STAFF_API_TOKEN == "dev-staff-token"
    assert settings.open311_jurisdiction_id == ""
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_default_database_is_a_sqlite_file_under_var() -> None:
    settings = Settings()
    assert settings.database_url == f"sqlite:///{REPO_ROOT / 'var' / 'council_services.db'}"
    assert settings.is_sqlite


def test_database_url_falls_back_to_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/front_door")
    assert Settings().database_url == "postgresql+psycopg2://u@db/front_door"
    monkeypatch.setenv("COUNCIL_SERVICES_DATABASE_URL", "sqlite:///own.db")
    assert Settings().database_url == "sqlite:///own.db"


@pytest.mark.parametrize("environment", ["development", "test"])
def test_placeholder_secrets_are_fine_in_development_and_test(environment: str) -> None:
    assert Settings(environment=environment).is_development


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_placeholder_secrets_are_refused_outside_development(environment: str) -> None:
    real = {
        "open311_api_key": "a-real-key",
        "staff_api_token": "a-real-token",
        "staff_session_secret": REAL_SESSION_SECRET,
        "library_assist_secret": "a-real-assist-secret",
        "insight_hash_secret": "a-real-insight-secret",
    }
    for name, setting in (
        ("OPEN311_API_KEY", "open311_api_key"),
        ("STAFF_API_TOKEN", "staff_api_token"),
        ("STAFF_SESSION_SECRET", "staff_session_secret"),
        ("LIBRARY_ASSIST_SECRET", "library_assist_secret"),
        ("INSIGHT_HASH_SECRET", "insight_hash_secret"),
    ):
        with pytest.raises(ValidationError, match=name):
            Settings(environment=environment, **{**real, setting: ""})
        without = {key: value for key, value in real.items() if key != setting}
        with pytest.raises(ValidationError, match=name):
            Settings(environment=environment, **without)
    settings = Settings(environment=environment, **real)
    assert not settings.is_development
    assert settings.secure_cookies


@pytest.mark.parametrize(
    "environment, given, mounted",
    [
        ("development", None, True),
        ("test", None, True),
        ("staging", None, False),
        ("production", None, False),
        ("production", True, True),
        ("development", False, False),
    ],
)
def test_the_stand_in_is_mounted_only_in_development_unless_set(
    environment: str, given: bool | None, mounted: bool
) -> None:
    secrets = {
        "open311_api_key": "a-real-key",
        "staff_api_token": "a-real-token",
        "staff_session_secret": REAL_SESSION_SECRET,
        "library_assist_secret": "a-real-assist-secret",
        "insight_hash_secret": "a-real-insight-secret",
    }
    chosen = {} if given is None else {"stand_in": given}
    assert Settings(environment=environment, **secrets, **chosen).stand_in is mounted


def test_a_short_session_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(
            environment="production",
            open311_api_key="a-real-key",
            staff_api_token="a-real-token",
            staff_session_secret="too-short",
            library_assist_secret="a-real-assist-secret",
            insight_hash_secret="a-real-insight-secret",
        )


def test_triage_defaults() -> None:
    settings = Settings()
    assert settings.staff_session_secret.get_secret_value() == DEV_STAFF_SESSION_SECRET
    assert settings.staff_session_minutes == 60
    assert settings.transcript_retention_days == 30
    assert not settings.secure_cookies


def test_triage_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAFF_SESSION_SECRET", REAL_SESSION_SECRET)
    monkeypatch.setenv("STAFF_SESSION_MINUTES", "15")
    monkeypatch.setenv("TRANSCRIPT_RETENTION_DAYS", "7")
    settings = Settings()
    assert settings.staff_session_secret.get_secret_value() == REAL_SESSION_SECRET
    assert (settings.staff_session_minutes, settings.transcript_retention_days) == (15, 7)


@pytest.mark.parametrize("field", [{"staff_session_minutes": 0}, {"transcript_retention_days": 0}])
def test_triage_numbers_must_be_positive(field: dict[str, int]) -> None:
    with pytest.raises(ValidationError):
        Settings(**field)


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("OPEN311_API_KEY", "from-env-key")
    monkeypatch.setenv("STAFF_API_TOKEN", "from-env-token")
    monkeypatch.setenv("STAFF_SESSION_SECRET", REAL_SESSION_SECRET)
    monkeypatch.setenv("LIBRARY_ASSIST_SECRET", "from-env-assist-secret")
    monkeypatch.setenv("INSIGHT_HASH_SECRET", "from-env-insight-secret")
    monkeypatch.setenv("COUNCIL_SERVICES_PORT", "8100")
    settings = Settings()
    assert settings.environment == "production" and settings.port == 8100
    assert settings.open311_api_key.get_secret_value() == "from-env-key"


def test_port_must_be_valid() -> None:
    with pytest.raises(ValidationError):
        Settings(port=70000)
