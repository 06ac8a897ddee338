"""core/db.py: migrations run once, in order, and upgrade an existing database."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from web import crud_triage
from web.core.config import DEFAULT_CATALOGUE_PATH, Settings
from web.core.db import (
    LATEST_VERSION,
    MIGRATIONS,
    Migration,
    apply_migrations,
    create_db_engine,
    create_session_factory,
    current_version,
)
from web.models import Base
from web.stand_in.open311 import crud
from web.stand_in.open311.catalogue import load_catalogue
from web.stand_in.open311.models import ServiceRequestCreate
from web.triage_models import TriageCreate


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
        assert list(rows) == [migration.version for migration in MIGRATIONS]
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


# --- version 2: the triage queue --------------------------------------------------------------

TRIAGE_TABLES = ("triage_records", "triage_audit", "staff_accounts")


def test_a_version_1_database_upgrades_to_version_2(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    # The code path of the release before the triage queue: only migration 1 exists.
    assert apply_migrations(engine, MIGRATIONS[:1]) == 1
    with create_session_factory(engine)() as session:
        catalogue = load_catalogue(DEFAULT_CATALOGUE_PATH)
        service = catalogue.get("POTHOLE")
        assert service is not None
        data = ServiceRequestCreate(service_code="POTHOLE", address_string="1 Test Street")
        reference = crud.create_service_request(
            session, data=data, service=service, attributes={}
        ).service_request_id
    with engine.connect() as connection:
        assert not set(TRIAGE_TABLES) & set(sa.inspect(connection).get_table_names())
    engine.dispose()

    engine = file_engine(tmp_path)
    assert apply_migrations(engine) == LATEST_VERSION
    with engine.connect() as connection:
        assert set(TRIAGE_TABLES) <= set(sa.inspect(connection).get_table_names())
        descriptions = connection.execute(
            sa.text("SELECT version, description FROM schema_version ORDER BY version")
        ).all()
    assert [version for version, _ in descriptions] == [m.version for m in MIGRATIONS]
    assert "triage" in descriptions[1][1]
    assert apply_migrations(engine) == LATEST_VERSION
    with create_session_factory(engine)() as session:
        assert crud.get_service_request(session, service_request_id=reference) is not None
        body = {
            "conversation_id": "after-upgrade",
            "channel": "web",
            "language": "en",
            "category": "other",
            "priority": 3,
            "summary": "Stored after the upgrade.",
        }
        record, created = crud_triage.create_triage(session, data=TriageCreate(**body))
        assert created and crud_triage.get_triage(session, reference=record.reference)
    engine.dispose()


def test_migration_2_builds_what_the_models_describe(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    apply_migrations(engine)
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        for name in TRIAGE_TABLES:
            model = Base.metadata.tables[name]
            built = {column["name"]: column for column in inspector.get_columns(name)}
            assert set(built) == set(model.columns.keys()), name
            for column in model.columns:
                assert built[column.name]["nullable"] == column.nullable, (name, column.name)
            model_indexes = {index.name for index in model.indexes}
            assert model_indexes <= {index["name"] for index in inspector.get_indexes(name)}
        for table, column in (("triage_records", "reference"), ("staff_accounts", "username")):
            unique = [set(u["column_names"]) for u in inspector.get_unique_constraints(table)]
            assert {column} in unique, table
    engine.dispose()


# --- version 3: public PC bookings (issue #5) ------------------------------------------------


def test_a_version_2_database_upgrades_to_version_3_with_the_slot_constraint(
    tmp_path: Path,
) -> None:
    engine = file_engine(tmp_path)
    assert apply_migrations(engine, MIGRATIONS[:2]) == 2
    with engine.connect() as connection:
        assert not sa.inspect(connection).has_table("pc_bookings")
    assert apply_migrations(engine, MIGRATIONS[:3]) == 3
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        assert {"pc_bookings", "pc_booking_slots"} <= set(inspector.get_table_names())
        unique = inspector.get_unique_constraints("pc_booking_slots")
        assert any(
            set(c["column_names"]) == {"place_id", "pc_number", "slot_start"} for c in unique
        )


# --- version 4: council tax accounts (sample), cases, broadband applications ---------------


def test_a_version_2_database_upgrades_to_version_4_with_sample_accounts(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    assert apply_migrations(engine, MIGRATIONS[:2]) == 2
    assert apply_migrations(engine, [m for m in MIGRATIONS if m.version <= 4]) == 4
    with engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
        assert {"council_tax_accounts", "council_tax_cases", "broadband_applications"} <= tables
        rows = connection.execute(
            sa.text("SELECT account_reference, sample_data FROM council_tax_accounts")
        ).all()
    assert rows and all(sample for _, sample in rows)
    assert "40012345" in {reference for reference, _ in rows}
    engine.dispose()


def test_version_14_gives_existing_staff_accounts_the_caseworker_role(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    assert apply_migrations(engine, [m for m in MIGRATIONS if m.version <= 13]) == 13
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO staff_accounts (username, password_hash, display_name, created_at,"
                " active) VALUES ('sam', 'x', 'Sam', '2026-11-01 09:00:00', 1)"
            )
        )
    assert apply_migrations(engine) == LATEST_VERSION >= 14
    with engine.connect() as connection:
        roles = connection.execute(sa.text("SELECT username, role FROM staff_accounts")).all()
    engine.dispose()
    assert roles == [("sam", "caseworker")]
