"""core/db.py: migrations run once, in order, and upgrade an existing database."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from integrations.council_services.core.config import Settings
from integrations.council_services.core.db import (
    LATEST_VERSION,
    MIGRATIONS,
    Migration,
    apply_migrations,
    create_db_engine,
    current_version,
)


def file_engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'sub' / 'cs.db'}"
    return create_db_engine(Settings(database_url=url, environment="development"))


def test_fresh_database_reaches_the_latest_version(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    assert (tmp_path / "sub").is_dir()
    assert apply_migrations(engine) == LATEST_VERSION
    with engine.connect() as connection:
        assert current_version(connection) == LATEST_VERSION
        tables = set(sa.inspect(connection).get_table_names())
    assert {"schema_version", "service_requests", "report_status_history"} <= tables
    engine.dispose()


def test_applying_twice_changes_nothing(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    apply_migrations(engine)
    engine.dispose()
    engine = file_engine(tmp_path)
    assert apply_migrations(engine) == LATEST_VERSION
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT version FROM schema_version")).scalars()
        assert list(rows) == list(range(1, LATEST_VERSION + 1))
    engine.dispose()


def test_a_new_migration_upgrades_an_existing_database(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    apply_migrations(engine)
    applied: list[int] = []

    def add_column(connection: Connection) -> None:
        applied.append(LATEST_VERSION + 1)
        connection.execute(sa.text("ALTER TABLE service_requests ADD COLUMN ward VARCHAR(100)"))

    upgraded = (*MIGRATIONS, Migration(LATEST_VERSION + 1, "add ward", add_column))
    assert apply_migrations(engine, upgraded) == LATEST_VERSION + 1
    assert apply_migrations(engine, upgraded) == LATEST_VERSION + 1
    assert applied == [LATEST_VERSION + 1]
    with engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("service_requests")}
    assert "ward" in columns
    engine.dispose()


def test_a_failing_migration_leaves_the_version_unchanged(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    apply_migrations(engine)

    def broken(connection: Connection) -> None:
        connection.execute(sa.text("CREATE TABLE half_done (id INTEGER)"))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        apply_migrations(engine, (*MIGRATIONS, Migration(LATEST_VERSION + 1, "broken", broken)))
    with engine.connect() as connection:
        assert current_version(connection) == LATEST_VERSION
        assert not sa.inspect(connection).has_table("half_done")
    engine.dispose()


def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    apply_migrations(engine, (*MIGRATIONS, Migration(LATEST_VERSION + 1, "future", lambda c: None)))
    with pytest.raises(RuntimeError, match="schema version"):
        apply_migrations(engine)
    engine.dispose()
