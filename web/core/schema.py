"""The web service's schema version: bring any database up to the newest revision.

The schema's history is Alembic's, one revision per change in ``web/migrations/versions/``.
:func:`upgrade_database` runs at every start, so an existing database upgrades in place
when a release adds a revision; a database that is already current is left alone.

Databases made before Alembic record their version in ``schema_version`` instead, one row
per applied step (versions 1 to 16, with no 6). Each of those steps is the revision of the
same number (``0001`` to ``0016``), so the first upgrade of such a database stamps the
revision of its highest version, drops the old table and upgrades from there, all in the
one transaction of the upgrade.

Adding a revision: ``alembic revision --rev-id <next number> -m "what it does"`` (from the
repository root; ``web/README.md`` says more) writes the next file in ``versions/``; spell
its tables out rather than importing the models, and never edit a revision that has
shipped. Sample data is not schema: ``python -m web seed``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection, Engine

from lib import sqlite

logger = logging.getLogger(__name__)

#: The folder of Alembic's environment and of the revisions.
MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"

#: Where databases made before Alembic record their schema version.
LEGACY_VERSION_TABLE = "schema_version"

# Any fixed number: serialises upgrades when several processes start at once on PostgreSQL.
_UPGRADE_LOCK_KEY = 3110_2026


def alembic_config(
    connection: Connection | None = None, migrations_dir: Path = MIGRATIONS_DIR
) -> Config:
    """Return Alembic's configuration for the schema history, with no file behind it.

    Args:
        connection: the connection the environment (``env.py``) runs the revisions on.
        migrations_dir: the folder of ``env.py`` and ``versions/``.

    Returns:
        The configuration.
    """
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def current_revision(connection: Connection) -> str | None:
    """Return the revision the database records (None before the first upgrade)."""
    return MigrationContext.configure(connection).get_current_revision()


def has_legacy_version_table(connection: Connection) -> bool:
    """Whether the database still records its version the way it did before Alembic."""
    return sa.inspect(connection).has_table(LEGACY_VERSION_TABLE)


def _too_new(found: str) -> RuntimeError:
    return RuntimeError(
        f"the database is at schema {found} but this code does not know it; "
        "upgrade the web service before starting it"
    )


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def _adopt_legacy_version(connection: Connection, script: ScriptDirectory) -> None:
    """Stamp the revision matching the old version table's highest version, then drop it.

    Raises:
        RuntimeError: when that version has no revision (a database newer than this code).
    """
    table = sa.table(LEGACY_VERSION_TABLE, sa.column("version", sa.Integer))
    version = connection.execute(sa.select(sa.func.max(table.c.version))).scalar()
    connection.execute(sa.text(f"DROP TABLE {LEGACY_VERSION_TABLE}"))
    if not version:
        return  # nothing was ever applied: the database upgrades from the start
    revision = f"{int(version):04d}"
    if not _known(script, revision):
        raise _too_new(f"version {version}")
    MigrationContext.configure(connection).stamp(script, revision)
    logger.info("Schema version %d recorded as revision %s", version, revision)


def upgrade_database(engine: Engine, migrations_dir: Path = MIGRATIONS_DIR) -> str:
    """Bring the database up to the newest revision, in one transaction.

    Safe to call at every start, and from several processes at once: they take turns
    (PostgreSQL's advisory lock, SQLite's write lock).

    Args:
        engine: the web service's engine (``core/db.py``).
        migrations_dir: the folder of ``env.py`` and ``versions/``.

    Returns:
        The revision the database is at afterwards.

    Raises:
        RuntimeError: when the database is newer than this code knows about.
    """
    script = ScriptDirectory.from_config(alembic_config(None, migrations_dir))
    with engine.connect().execution_options(**{sqlite.BEGIN_OPTION: "IMMEDIATE"}) as connection:
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK_KEY}
                )
            if has_legacy_version_table(connection):
                _adopt_legacy_version(connection, script)
            found = current_revision(connection)
            if found is not None and not _known(script, found):
                raise _too_new(f"revision {found}")
            command.upgrade(alembic_config(connection, migrations_dir), "head")
            revision = current_revision(connection)
    if revision is None:
        raise RuntimeError(f"no schema revisions in {migrations_dir}")
    return revision
