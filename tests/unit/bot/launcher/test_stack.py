"""The processes ``make run`` starts (``bot/launcher/stack.py``)."""

from __future__ import annotations

import sys

import pytest

from bot.launcher.stack import Stack, settings_env
from bot.settings import CLIENTS, Settings


def _names(services) -> list[str]:
    return [service.name for service in services]


def test_the_stack_starts_both_retention_workers(tmp_path):
    settings = Settings(_env_file=None, environment="test", var_dir=tmp_path)
    stack = Stack(settings, tmp_path / "model.tar.gz", council_services_db="sqlite:///cs.db")
    by_name = {service.name: service for service in stack.services}
    assert _names(stack.services) == [
        "council-services",
        "action-server",
        "outbox-worker",
        "insight-worker",
        "retention-worker",
        "council-retention-worker",
        "rasa",
    ]
    assistant = by_name["retention-worker"]
    assert assistant.command == [sys.executable, "-m", "bot", "retention-worker"]
    council = by_name["council-retention-worker"]
    assert council.command == [
        sys.executable, "-m", "web", "retention-worker"
    ]  # fmt: skip
    # The council worker purges the database the council services process uses.
    assert (
        council.env["COUNCIL_SERVICES_DATABASE_URL"]
        == by_name["council-services"].env["COUNCIL_SERVICES_DATABASE_URL"]
        == "sqlite:///cs.db"
    )


def test_the_stack_seeds_the_council_services_database_first(tmp_path):
    settings = Settings(_env_file=None, environment="test", var_dir=tmp_path)
    stack = Stack(settings, tmp_path / "model.tar.gz", council_services_db="sqlite:///cs.db")
    seed = stack.council_seed
    assert seed.command == [sys.executable, "-m", "web", "seed"]
    assert seed.env == stack.council_services.env
    assert seed not in stack.services  # once, never restarted by the supervisor


def test_a_failed_seed_stops_the_start_before_any_service(tmp_path):
    settings = Settings(_env_file=None, environment="test", var_dir=tmp_path)
    stack = Stack(settings, tmp_path / "model.tar.gz", council_services_db="sqlite:///cs.db")
    stack.council_seed.command = [sys.executable, "-c", "print('no database'); exit(3)"]
    with pytest.raises(RuntimeError, match="council-seed failed:\nno database"):
        stack.start(timeout_s=30)
    assert all(service.process is None for service in stack.services)


def test_the_seed_command_exists():
    from web.__main__ import build_parser

    assert build_parser().parse_args(["seed"]).command == "seed"


def test_the_retention_commands_exist():
    from bot.cli import main as bot_main
    from web.__main__ import build_parser

    assert build_parser().parse_args(["retention-worker"]).command == "retention-worker"
    with pytest.raises(SystemExit) as exit_:
        bot_main(["retention-worker", "--help"])  # an unknown command exits with 2
    assert exit_.value.code == 0


def test_every_child_sees_each_client_url_as_the_launcher_does(tmp_path, monkeypatch):
    settings = Settings(
        _env_file=None,
        environment="test",
        var_dir=tmp_path,
        council_services_url="http://127.0.0.1:8123",
        open311_url="https://crm.council.example",
        sms_url="https://sms.council.example",
    )
    stack = Stack(settings, tmp_path / "model.tar.gz", council_services_db="sqlite:///cs.db")
    names = ["COUNCIL_SERVICES_URL", *(f"{client.upper()}_URL" for client in CLIENTS)]
    assert set(names) <= set(settings_env(settings))
    for service in stack.services:
        for name in names:  # the child sees only what the launcher passes
            monkeypatch.delenv(name, raising=False)
        for name, value in service.env.items():
            monkeypatch.setenv(name, value)
        child = Settings(_env_file=None)
        assert {client: child.client_url(client) for client in CLIENTS} == {
            client: settings.client_url(client) for client in CLIENTS
        }, service.name
    assert settings.client_url("open311") == "https://crm.council.example"
    assert settings.client_url("triage") == "http://127.0.0.1:8123"


def test_every_setting_reaches_the_children_under_its_own_name(tmp_path):
    settings = Settings(
        _env_file=None,
        var_dir=tmp_path,
        http_read_timeout_s=9.5,
        crm_fake=True,
        open311_jurisdiction_id="example.gov.uk",
        max_message_chars=500,
        staff_api_token="launcher-staff-token",
    )
    env = settings_env(settings)
    for name, field in Settings.__fields__.items():
        assert field.field_info.extra["env"] in env, name
    assert env["HTTP_READ_TIMEOUT"] == "9.5"
    assert env["CRM_FAKE"] == "true"
    assert env["OPEN311_JURISDICTION_ID"] == "example.gov.uk"
    assert env["MAX_MESSAGE_CHARS"] == "500"
    assert env["STAFF_API_TOKEN"] == "launcher-staff-token"  # the secret, not its mask


def test_a_child_reading_that_environment_has_the_launchers_settings(tmp_path, monkeypatch):
    launcher = Settings(
        _env_file=None, var_dir=tmp_path, http_connect_timeout_s=3.5, crm_fake=True, council=""
    )
    for name, value in settings_env(launcher).items():
        monkeypatch.setenv(name, value)
    child = Settings(_env_file=None)
    derived = {"council", "database_url", "tracker_store_url"}  # passed as worked out
    for name in Settings.__fields__:
        if name not in derived:
            assert getattr(child, name) == getattr(launcher, name), name
    assert child.council_slug == launcher.council_slug
    assert child.database == launcher.database
