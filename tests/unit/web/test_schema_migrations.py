"""core/schema.py: the Alembic history upgrades fresh databases and those made before it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection, Engine

from tests.fixtures import legacy_schema
from tests.web_app import head_revision
from web import crud_triage
from web.core.config import DEFAULT_CATALOGUE_PATH, Settings
from web.core.db import create_db_engine, create_session_factory
from web.core.schema import (
    LEGACY_VERSION_TABLE,
    MIGRATIONS_DIR,
    alembic_config,
    current_revision,
    upgrade_database,
)
from web.models import Base
from web.stand_in.open311 import crud
from web.stand_in.open311.catalogue import load_catalogue
from web.stand_in.open311.models import ServiceRequestCreate
from web.triage_models import TriageCreate

HEAD = head_revision()
NEXT = "9001"


def file_engine(tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'sub' / 'cs.db'}"
    return create_db_engine(Settings(database_url=url, environment="development"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of each backend."""
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_url")
    else:
        url = f"sqlite:///{tmp_path / 'cs.db'}"
    engine = create_db_engine(Settings(database_url=url, environment="development"))
    yield engine
    engine.dispose()


def table_names(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(sa.inspect(connection).get_table_names())


def describe(engine: Engine) -> dict[str, Any]:
    """Every table's columns, keys, indexes and constraints, as the database reports them."""
    shape: dict[str, Any] = {}
    with engine.connect() as connection:
        inspector = sa.inspect(connection)
        for table in sorted(inspector.get_table_names()):
            if table in {LEGACY_VERSION_TABLE, "alembic_version"}:
                continue
            shape[table] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                    for c in inspector.get_columns(table)
                ],
                "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
                "foreign keys": sorted(
                    (
                        tuple(fk["constrained_columns"]),
                        fk["referred_table"],
                        tuple(fk["referred_columns"]),
                        (fk.get("options") or {}).get("ondelete"),
                    )
                    for fk in inspector.get_foreign_keys(table)
                ),
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                    for i in inspector.get_indexes(table)
                ),
                "unique": sorted(
                    (u["name"] or "", tuple(u["column_names"]))
                    for u in inspector.get_unique_constraints(table)
                ),
            }
    return shape


def migrations_with(tmp_path: Path, body: str) -> Path:
    """A copy of the schema history with one more revision after the head."""
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "versions" / f"{NEXT}_next.py").write_text(
        f'"""The next revision (test)."""\n\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = {NEXT!r}\ndown_revision = {HEAD!r}\n"
        "branch_labels = None\ndepends_on = None\n\n\n"
        f"def upgrade():\n{body}\n"
    )
    return copy


# --- fresh databases -------------------------------------------------------------------------


def test_a_fresh_database_reaches_the_head(engine: Engine) -> None:
    assert upgrade_database(engine) == HEAD
    with engine.connect() as connection:
        assert current_revision(connection) == HEAD
    tables = table_names(engine)
    assert {"alembic_version", "service_requests", "triage_records", "insight_tasks"} <= tables
    assert LEGACY_VERSION_TABLE not in tables


def test_a_fresh_database_gets_no_sample_data(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    upgrade_database(engine)
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT COUNT(*) FROM council_tax_accounts")).scalar()
    engine.dispose()
    assert count == 0


def test_upgrading_twice_changes_nothing(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    assert (tmp_path / "sub").is_dir()
    upgrade_database(engine)
    before = describe(engine)
    engine.dispose()
    engine = file_engine(tmp_path)
    assert upgrade_database(engine) == HEAD
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    assert rows == [(HEAD,)]
    assert describe(engine) == before
    engine.dispose()


def test_the_history_builds_what_the_models_describe(engine: Engine) -> None:
    """Nothing differs between the head and the models (``web`` and ``stand_in``)."""
    import web.booking_models  # noqa: F401 - each registers its tables on Base.metadata
    import web.delivery_models  # noqa: F401
    import web.session_models  # noqa: F401
    import web.stand_in.crm.models  # noqa: F401
    import web.stand_in.open311.models  # noqa: F401

    upgrade_database(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ignored = {"alembic_version"}
    assert [d for d in differences if not (d[0] == "remove_table" and d[1].name in ignored)] == []


def test_every_revision_can_be_undone(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    upgrade_database(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert table_names(engine) == {"alembic_version"}
    assert upgrade_database(engine) == HEAD
    engine.dispose()


# --- new revisions ---------------------------------------------------------------------------


def test_a_new_revision_upgrades_an_existing_database(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    upgrade_database(engine)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO service_requests (service_request_id, service_code, service_name,"
                " status, attributes, requested_at, updated_at) VALUES ('SR-KEPT23', 'POTHOLE',"
                " 'Pothole', 'received', '{}', :now, :now)"
            ),
            {"now": datetime(2026, 12, 1, 9, 0)},
        )
    body = '    op.add_column("service_requests", sa.Column("ward", sa.String(100)))'
    later = migrations_with(tmp_path, body)
    assert upgrade_database(engine, later) == NEXT
    assert upgrade_database(engine, later) == NEXT
    with engine.connect() as connection:
        columns = {c["name"] for c in sa.inspect(connection).get_columns("service_requests")}
        kept = connection.execute(sa.text("SELECT service_request_id FROM service_requests"))
        assert list(kept.scalars()) == ["SR-KEPT23"]
    assert "ward" in columns
    engine.dispose()


def test_a_failing_revision_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    upgrade_database(engine)
    body = '    op.execute("CREATE TABLE half_done (id INTEGER)")\n    raise RuntimeError("boom")'
    with pytest.raises(RuntimeError, match="boom"):
        upgrade_database(engine, migrations_with(tmp_path, body))
    with engine.connect() as connection:
        assert current_revision(connection) == HEAD
        assert not sa.inspect(connection).has_table("half_done")
    engine.dispose()


def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    upgrade_database(engine, migrations_with(tmp_path, "    pass"))
    with pytest.raises(RuntimeError, match=f"schema revision {NEXT} but this code"):
        upgrade_database(engine)
    engine.dispose()


# --- databases made before Alembic (tests/fixtures/legacy_schema.py) -------------------------


def insert_legacy_rows(connection: Connection) -> None:
    """One row in a few tables of the version 16 schema, as the old release wrote them."""
    at = {"at": datetime(2026, 11, 20, 10, 0)}
    connection.execute(
        sa.text(
            "INSERT INTO service_requests (service_request_id, service_code, service_name,"
            " status, attributes, address_string, requested_at, updated_at) VALUES"
            " ('SR-OLD234', 'GRAFFITI', 'Graffiti', 'received', '{}', '1 Old Street', :at, :at)"
        ),
        at,
    )
    connection.execute(
        sa.text(
            "INSERT INTO staff_accounts (username, password_hash, display_name, created_at,"
            " active, role) VALUES ('sam', 'x', 'Sam', :at, :yes, 'manager')"
        ),
        {**at, "yes": True},
    )
    connection.execute(
        sa.text(
            "INSERT INTO pc_bookings (reference, place_id, pc_number, starts_at, ends_at,"
            " minutes, status, created_at, conversation_id) VALUES ('PC-OLD234',"
            " 'meir-library', 1, :at, :at, 30, 'booked', :at, 'web-old')"
        ),
        at,
    )


def test_a_version_16_database_is_upgraded_in_place(engine: Engine) -> None:
    """The last schema before Alembic: stamped, its version table dropped, data kept."""
    assert legacy_schema.apply_migrations(engine) == legacy_schema.LATEST_VERSION == 16
    with engine.begin() as connection:
        insert_legacy_rows(connection)

    assert upgrade_database(engine) == HEAD
    tables = table_names(engine)
    assert LEGACY_VERSION_TABLE not in tables and "alembic_version" in tables
    with engine.connect() as connection:
        assert current_revision(connection) == HEAD
        request = connection.execute(
            sa.text("SELECT address_string FROM service_requests WHERE service_request_id = :r"),
            {"r": "SR-OLD234"},
        ).scalar()
        role = connection.execute(sa.text("SELECT role FROM staff_accounts")).scalar()
        booking = connection.execute(
            sa.text("SELECT conversation_id, assisted FROM pc_bookings")
        ).one()
        # Version 4 loaded the sample accounts; the upgrade leaves them where they are.
        accounts = connection.execute(
            sa.text("SELECT account_reference FROM council_tax_accounts")
        ).scalars()
        assert "40012345" in set(accounts)
    assert (request, role, tuple(booking)) == ("1 Old Street", "manager", ("web-old", False))


def test_the_history_builds_the_same_schema_as_the_framework_before_it(engine: Engine) -> None:
    """Revision 0016 is, table for table, what version 16 of the old framework built."""
    legacy_schema.apply_migrations(engine)
    legacy = describe(engine)
    with engine.begin() as connection:
        everything = sa.MetaData()
        everything.reflect(connection)
        everything.drop_all(connection)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0016")
    assert describe(engine) == legacy


def test_a_version_1_database_upgrades_and_keeps_its_reports(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    # The release before the triage queue: only version 1 existed.
    assert legacy_schema.apply_migrations(engine, legacy_schema.MIGRATIONS[:1]) == 1
    with create_session_factory(engine)() as session:
        service = load_catalogue(DEFAULT_CATALOGUE_PATH).get("POTHOLE")
        assert service is not None
        data = ServiceRequestCreate(service_code="POTHOLE", address_string="1 Test Street")
        reference = crud.create_service_request(
            session, data=data, service=service, attributes={}
        ).service_request_id
    engine.dispose()

    engine = file_engine(tmp_path)
    assert upgrade_database(engine) == HEAD
    assert {"triage_records", "triage_audit", "staff_accounts"} <= table_names(engine)
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


def test_a_version_13_database_gives_its_staff_the_caseworker_role(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    upto_13 = [m for m in legacy_schema.MIGRATIONS if m.version <= 13]
    assert legacy_schema.apply_migrations(engine, upto_13) == 13
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO staff_accounts (username, password_hash, display_name, created_at,"
                " active) VALUES ('sam', 'x', 'Sam', '2026-11-01 09:00:00', 1)"
            )
        )
    assert upgrade_database(engine) == HEAD
    with engine.connect() as connection:
        roles = connection.execute(sa.text("SELECT username, role FROM staff_accounts")).all()
        assert current_revision(connection) == HEAD
    engine.dispose()
    assert roles == [("sam", "caseworker")]


def test_an_empty_version_table_upgrades_from_the_start(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    assert legacy_schema.apply_migrations(engine, ()) == 0
    assert table_names(engine) == {LEGACY_VERSION_TABLE}
    assert upgrade_database(engine) == HEAD
    assert LEGACY_VERSION_TABLE not in table_names(engine)
    engine.dispose()


def test_a_version_the_history_lacks_is_refused_and_kept(tmp_path: Path) -> None:
    engine = file_engine(tmp_path)
    legacy_schema.apply_migrations(engine)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO schema_version (version, description, applied_at)"
                " VALUES (17, 'from a newer release', '2026-12-01 09:00:00')"
            )
        )
    with pytest.raises(RuntimeError, match="schema version 17 but this code"):
        upgrade_database(engine)
    assert LEGACY_VERSION_TABLE in table_names(engine)
    assert "alembic_version" not in table_names(engine)
    engine.dispose()
