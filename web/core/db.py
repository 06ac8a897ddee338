"""Database engine and sessions of Front Door's web service.

This module owns the connection to the database named by the settings (SQLite by default,
PostgreSQL when the URL says so). The schema's history is ``core/schema.py``'s.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from lib import sqlite
from web.core.config import Settings


def _sqlite_database_path(url: sa.engine.URL) -> Path | None:
    """Return the file of a SQLite URL, or None for an in-memory database."""
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def create_db_engine(settings: Settings) -> Engine:
    """Build the engine for the configured database without connecting to it.

    For SQLite the shared settings of ``lib/sqlite.py`` apply (WAL, a busy timeout,
    foreign keys, real transactions that a write can begin ``IMMEDIATE``); the folder of
    the file is created if missing.

    Args:
        settings: the stand-in's settings.

    Returns:
        A SQLAlchemy 2.0-style engine.
    """
    url = sa.engine.make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or _sqlite_database_path(url) is not None:
        return sqlite.create_engine(url)
    # One shared connection, or every session would see its own empty database.
    return sqlite.create_engine(url, poolclass=StaticPool)


def begin_write(session: Session) -> None:
    """End the session's read transaction, if any, and begin a short write transaction.

    On SQLite the write transaction takes the write lock first (``BEGIN IMMEDIATE``), so it
    waits its turn instead of failing with "database is locked" when another writer
    committed since it read. Call it just before the writes; commit soon after.

    Args:
        session: the request's session; objects already loaded stay readable.
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={sqlite.BEGIN_OPTION: "IMMEDIATE"})


def create_session_factory(engine: Engine) -> sessionmaker:
    """Return the factory of 2.0-style sessions bound to the engine.

    Args:
        engine: from ``create_db_engine``.

    Returns:
        A ``sessionmaker`` whose objects stay readable after commit.
    """
    return sessionmaker(bind=engine, class_=Session, future=True, expire_on_commit=False)
