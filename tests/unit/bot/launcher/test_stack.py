"""The processes ``make run`` starts (``bot/launcher/stack.py``)."""

from __future__ import annotations

import sys

import pytest

from bot.launcher import stack as stack_module
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


SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def test_rasa_and_the_action_server_load_while_the_seed_runs(tmp_path):
    settings = Settings(_env_file=None, environment="test", var_dir=tmp_path)
    stack = Stack(settings, tmp_path / "model.tar.gz", council_services_db="sqlite:///cs.db")
    assert stack.seed_free() == [stack.action_server, stack.rasa]
    assert stack.council_services not in stack.seed_free()


def test_a_failed_seed_stops_what_started_and_starts_nothing_else(tmp_path):
    settings = Settings(_env_file=None, environment="test", var_dir=tmp_path)
    stack = Stack(settings, tmp_path / "model.tar.gz", council_services_db="sqlite:///cs.db")
    stack.council_seed.command = [sys.executable, "-c", "print('no database'); exit(3)"]
    for early in stack.seed_free():
        early.command = SLEEPER
    with pytest.raises(RuntimeError, match="council-seed failed:\nno database"):
        stack.start(timeout_s=30)
    assert all(service.process is not None for service in stack.seed_free())
    assert not any(service.running for service in stack.services)
    later = [service for service in stack.services if service not in stack.seed_free()]
    assert all(service.process is None for service in later)


class _Server:
    """A service whose health answers as the test says (no process)."""

    def __init__(self, name: str, healthy_after: int, started_at: float) -> None:
        self.name = name
        self.health_url = f"http://{name}/health"
        self.checks = 0
        self.healthy_after = healthy_after
        self.started_at = started_at
        self.running = True

    def is_healthy(self) -> bool:
        self.checks += 1
        return self.checks > self.healthy_after

    def log_tail(self) -> str:
        return "the end of its log"


class _Stage:
    def __init__(self) -> None:
        self.said: list[str] = []
        self.status = ""

    def say(self, message: str) -> None:
        self.said.append(message)


def _stack_of(tmp_path, services, monkeypatch):
    settings = Settings(_env_file=None, environment="test", var_dir=tmp_path)
    stack = Stack(settings, tmp_path / "model.tar.gz", council_services_db="sqlite:///cs.db")
    monkeypatch.setattr(Stack, "services", property(lambda self: services))
    monkeypatch.setattr(stack_module.time, "sleep", lambda _s: None)
    return stack


def test_each_server_is_reported_ready_as_it_answers(tmp_path, monkeypatch):
    now = stack_module.time.monotonic()
    rasa = _Server("rasa", healthy_after=3, started_at=now - 40)
    web = _Server("council-services", healthy_after=0, started_at=now - 5)
    stack = _stack_of(tmp_path, [web, rasa], monkeypatch)
    stage = _Stage()
    stack.wait_all_healthy(now + 600, stage)
    assert stage.said[0].startswith("council-services ready in ")
    assert stage.said[1].startswith("rasa ready in ")
    assert len(stage.said) == 2
    assert rasa.checks == 4 and web.checks == 1  # each server checked until it answered


def test_the_stage_says_what_it_still_waits_for(tmp_path, monkeypatch):
    now = stack_module.time.monotonic()
    rasa = _Server("rasa", healthy_after=2, started_at=now)
    stack = _stack_of(tmp_path, [rasa], monkeypatch)
    statuses: list[str] = []

    class Watching(_Stage):
        def __setattr__(self, name, value):
            if name == "status":
                statuses.append(value)
            super().__setattr__(name, value)

    stack.wait_all_healthy(now + 600, Watching())
    assert statuses[1:3] == ["waiting for rasa", "waiting for rasa"]


def test_a_server_that_exits_while_loading_fails_the_start(tmp_path, monkeypatch):
    now = stack_module.time.monotonic()
    rasa = _Server("rasa", healthy_after=99, started_at=now)
    rasa.running = False
    stack = _stack_of(tmp_path, [rasa], monkeypatch)
    monkeypatch.setattr(Stack, "stop", lambda self: None)
    with pytest.raises(RuntimeError, match="rasa exited:\nthe end of its log"):
        stack.wait_all_healthy(now + 600, _Stage())


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
