"""``python -m web``: serve (default), create-staff, purge, migrate and seed."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import uvicorn

from web import crud_staff, crud_triage
from web.__main__ import build_parser, main
from web.core.config import Settings
from web.core.db import (
    create_db_engine,
    create_session_factory,
)
from web.core.schema import current_revision, upgrade_database
from web.stand_in.crm.sample_data import load_sample_accounts
from web.triage_models import TriageCreate

PASSWORD = "a long enough password"
REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite file the command line is pointed at through the environment."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    for name in ("DATABASE_URL", "TRANSCRIPT_RETENTION_DAYS", "OPEN311_API_KEY", "STAFF_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COUNCIL_SERVICES_DATABASE_URL", url)
    monkeypatch.setenv("ENVIRONMENT", "test")
    return url


def with_session(url: str, work: Any) -> Any:
    engine = create_db_engine(Settings(database_url=url, environment="test"))
    try:
        upgrade_database(engine)
        with create_session_factory(engine)() as session:
            return work(session)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("argv", "command", "host", "port"),
    [
        ([], None, None, None),
        (["--port", "8010"], None, None, 8010),
        (["--host", "0.0.0.0", "--port", "8010"], None, "0.0.0.0", 8010),
        (["serve"], "serve", None, None),
        (["serve", "--port", "8010"], "serve", None, 8010),
        (["--host", "127.0.0.2", "serve"], "serve", "127.0.0.2", None),
    ],
)
def test_serve_is_the_default_and_keeps_its_options(
    argv: list[str], command: str | None, host: str | None, port: int | None
) -> None:
    args = build_parser().parse_args(argv)
    assert (args.command, args.host, args.port) == (command, host, port)


@pytest.mark.parametrize("argv", [["--port", "8123"], ["serve", "--port", "8123"]])
def test_serve_runs_uvicorn(
    argv: list[str], database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    assert main(argv) == 0
    assert calls and calls[0]["port"] == 8123 and calls[0]["host"] == "127.0.0.1"


def test_create_staff_reads_the_password_from_stdin(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    argv = [
        "create-staff",
        "Alice",
        "--name",
        "Alice Smith",
        "--role",
        "caseworker",
        "--password-stdin",
    ]
    assert main(argv) == 0
    assert "Created staff account alice (Alice Smith)" in capsys.readouterr().out
    account = with_session(
        database,
        lambda s: crud_staff.authenticate_staff(s, username="alice", password=PASSWORD),
    )
    assert account is not None and account.display_name == "Alice Smith"

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["create-staff", "alice", "--role", "caseworker", "--password-stdin"]) == 1


def test_create_staff_gives_the_account_its_role(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["create-staff", "libby", "--role", "library", "--password-stdin"]) == 0
    assert "role library" in capsys.readouterr().out
    account = with_session(database, lambda s: crud_staff.get_active_staff(s, username="libby"))
    assert account.role == "library"


def test_create_staff_refuses_an_unknown_role(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    with pytest.raises(SystemExit):
        main(["create-staff", "libby", "--role", "librarian", "--password-stdin"])
    assert (
        with_session(database, lambda s: crud_staff.get_active_staff(s, username="libby")) is None
    )


def test_create_staff_needs_a_role(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # No account becomes admin by omission: naming no role is refused, and nothing is stored.
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    with pytest.raises(SystemExit):
        main(["create-staff", "nora", "--password-stdin"])
    assert with_session(database, lambda s: crud_staff.get_active_staff(s, username="nora")) is None


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_create_staff_needs_a_role(database: str) -> None:
    command = ["make", "-s", "-o", "install", "create-staff", "STAFF_USER=nora"]
    command.append(f"PY={sys.executable}")
    done = subprocess.run(
        command, cwd=REPO_ROOT, input=PASSWORD + "\n", capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "STAFF_ROLE" in done.stderr
    assert with_session(database, lambda s: crud_staff.get_active_staff(s, username="nora")) is None


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_create_staff_takes_the_role_and_the_password_from_standard_input(
    database: str,
) -> None:
    # -o install: use the environment as it is, never reinstall packages.
    command = ["make", "-s", "-o", "install", "create-staff", "STAFF_USER=mo", "STAFF_ROLE=manager"]
    command.append(f"PY={sys.executable}")
    done = subprocess.run(
        command, cwd=REPO_ROOT, input=PASSWORD + "\n", capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    account = with_session(
        database, lambda s: crud_staff.authenticate_staff(s, username="mo", password=PASSWORD)
    )
    assert account is not None and account.role == "manager"


def test_create_staff_refuses_a_short_password(
    database: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["create-staff", "bob", "--role", "library", "--password-stdin"]) == 1
    assert "at least 12 characters" in caplog.text
    assert with_session(database, lambda s: crud_staff.get_active_staff(s, username="bob")) is None


def test_create_staff_asks_twice_without_echo(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([PASSWORD, PASSWORD + " typo"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["create-staff", "carol", "--role", "manager"]) == 1
    answers = iter([PASSWORD, PASSWORD])
    assert main(["create-staff", "carol", "--role", "manager"]) == 0
    assert with_session(database, lambda s: crud_staff.get_active_staff(s, username="carol"))


def test_purge_uses_the_retention_setting_or_days(
    database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(timezone.utc)

    def seed(session: Any) -> None:
        for age in (40, 20, 1):
            data = TriageCreate(
                conversation_id=f"conv-{age}",
                channel="web",
                language="en",
                category="other",
                priority=3,
                summary="Test record.",
                transcript=[{"role": "resident", "text": "hello", "at": now.isoformat()}],
            )
            crud_triage.create_triage(session, data=data, now=now - timedelta(days=age))

    with_session(database, seed)
    assert main(["purge"]) == 0
    assert "Removed 1 triage transcripts older than 30 days." in capsys.readouterr().out
    monkeypatch.setenv("TRANSCRIPT_RETENTION_DAYS", "10")
    assert main(["purge"]) == 0
    assert "Removed 1 triage transcripts older than 10 days." in capsys.readouterr().out
    assert main(["purge", "--days", "0"]) == 0
    assert "Removed 1 triage transcripts older than 0 days." in capsys.readouterr().out
    assert main(["purge", "--days", "-1"]) == 2


def test_migrate_brings_the_database_to_the_head(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    head = with_session(database, lambda session: current_revision(session.connection()))
    assert capsys.readouterr().out == f"The database is at schema revision {head}\n"


def count_accounts(url: str) -> int:
    query = sa.text("SELECT COUNT(*) FROM council_tax_accounts")
    return with_session(url, lambda session: session.execute(query).scalar())


def test_seed_adds_the_sample_accounts_once(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = len(load_sample_accounts())
    assert main(["seed"]) == 0
    assert capsys.readouterr().out == f"Sample data: {expected} rows added\n"
    assert main(["seed"]) == 0
    assert capsys.readouterr().out == "Sample data: 0 rows added\n"
    assert count_accounts(database) == expected


def test_seed_adds_nothing_when_the_stand_in_is_off(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAND_IN", "false")
    assert main(["seed"]) == 0
    engine = create_db_engine(Settings(database_url=database, environment="test"))
    try:
        with engine.connect() as connection:
            assert current_revision(connection) is not None  # migrated all the same
    finally:
        engine.dispose()
    assert count_accounts(database) == 0
