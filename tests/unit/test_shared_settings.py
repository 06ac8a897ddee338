"""One declaration per variable: a variable both processes read comes from ``SharedSettings``.

The assistant's settings and the council services' settings may each declare a variable the
other also reads only when the two really differ; each such variable is listed below with
the reason.
"""

from __future__ import annotations

import logging

import pytest
from pydantic import BaseSettings, SecretStr

from bot.settings import Settings as AssistantSettings
from lib.shared_settings import SharedSettings
from web.core.config import Settings as CouncilServicesSettings

#: Variables declared in both models on purpose, each with how the two differ.
INTENDED_DIFFERENCES = {
    # The assistant's Rasa API checks it (a development default); the council services send
    # it to resume a conversation (a secret, empty by default: no call).
    "RASA_API_TOKEN",
    # The assistant's clients call it; the council services only link reports to it.
    "OPEN311_URL",
    # The assistant sends the jurisdiction; the council services show it and accept any.
    "OPEN311_JURISDICTION_ID",
    # The same number of days, but each process purges its own data with it.
    "TRANSCRIPT_RETENTION_DAYS",
    # The assistant cuts longer messages before NLU; the web chat refuses to pass them on.
    "MAX_MESSAGE_CHARS",
    # The council services bound it and show it on the dashboard; the assistant's worker
    # uses it as is.
    "INSIGHT_IDLE_SECONDS",
    # The council services read COUNCIL_SERVICES_DATABASE_URL, else DATABASE_URL, in one
    # field; the assistant has its own database (DATABASE_URL) and passes the other on.
    "DATABASE_URL",
    "COUNCIL_SERVICES_DATABASE_URL",
}


def own_variables(model: type[BaseSettings]) -> set[str]:
    """The variables a model declares itself, not those it inherits from ``SharedSettings``."""
    names: set[str] = set()
    for name, field in model.__fields__.items():
        if name in SharedSettings.__fields__:
            continue
        env = field.field_info.extra["env"]
        names.update([env] if isinstance(env, str) else env)
    return names


def test_both_models_inherit_the_shared_settings() -> None:
    assert issubclass(AssistantSettings, SharedSettings)
    assert issubclass(CouncilServicesSettings, SharedSettings)


def test_a_variable_both_read_is_declared_once_unless_listed() -> None:
    both = own_variables(AssistantSettings) & own_variables(CouncilServicesSettings)
    # Equal, not a subset: an entry that no longer differs must leave the list.
    assert both == INTENDED_DIFFERENCES


def test_neither_model_declares_a_shared_field_again() -> None:
    for model in (AssistantSettings, CouncilServicesSettings):
        own = vars(model).get("__annotations__", {})
        assert not set(own) & set(SharedSettings.__fields__), model


def test_the_shared_environment_check_runs_in_both_models() -> None:
    for model in (AssistantSettings, CouncilServicesSettings):
        assert model(environment=" Test ", _env_file=None).environment == "test"


#: The secrets both processes share, with a value no default or mask could be.
SHARED_SECRETS = {
    "open311_api_key": "open311-key-8f3a1c",
    "staff_api_token": "staff-token-5d2e9b",
    "insight_hash_secret": "insight-secret-7c41f0",
    "library_assist_secret": "assist-secret-93ab6e",
}


def test_the_shared_secrets_come_from_the_shared_settings() -> None:
    for model in (AssistantSettings, CouncilServicesSettings):
        for name in SHARED_SECRETS:
            assert name not in vars(model).get("__annotations__", {}), (model, name)
            assert model.__fields__[name].type_ is SecretStr, (model, name)


@pytest.mark.parametrize("model", [AssistantSettings, CouncilServicesSettings])
def test_a_shared_secret_never_shows_in_a_repr_a_str_or_a_log_line(
    model: type[SharedSettings], caplog: pytest.LogCaptureFixture
) -> None:
    settings = model(_env_file=None, **SHARED_SECRETS)
    logging.getLogger("test.settings").warning("settings: %s %r", settings, settings)
    for name, value in SHARED_SECRETS.items():
        assert getattr(settings, name).get_secret_value() == value
        shown = [repr(settings), str(settings), repr(getattr(settings, name)), caplog.text]
        assert not [text for text in shown if value in text], name
    # What the process logs with: the masking filter knows every shared secret.
    assert set(SHARED_SECRETS.values()) <= set(settings.secret_values())  # type: ignore[attr-defined]
