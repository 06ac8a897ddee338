"""The processes ``make run`` starts (``bot/stack.py``)."""

from __future__ import annotations

import sys

import pytest

from bot.settings import CLIENTS, Settings
from bot.stack import Stack, settings_env


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
