"""Alembic's environment for the web service's schema history (``versions/``).

``web.core.schema.upgrade_database`` runs it on a connection it has already opened, locked
and begun (``config.attributes["connection"]``), so every revision and the version stamp
commit together or not at all. Alone, as the ``alembic`` command, it connects to the
database the settings name (``COUNCIL_SERVICES_DATABASE_URL``).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from web.core.config import Settings
from web.core.db import create_db_engine
from web.core.schema import LEGACY_VERSION_TABLE, has_legacy_version_table


def run_migrations(connection: Connection) -> None:
    """Run the revisions the command asks for on the connection.

    Raises:
        RuntimeError: when the database still has the version table of the schema
            history before Alembic; ``python -m web migrate`` adopts it first.
    """
    if has_legacy_version_table(connection):
        raise RuntimeError(
            f"the database still records its version in {LEGACY_VERSION_TABLE}; "
            "run `python -m web migrate` (or start the web service) to upgrade it"
        )
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run_migrations(given)
else:
    engine = create_db_engine(Settings())
    try:
        with engine.begin() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()
