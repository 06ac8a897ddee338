"""The SQLite settings every database of the project uses, in one place.

Under concurrent writers SQLite's defaults fail fast: 8 simultaneous staff listings gave 7
"database is locked" errors (issue #15 item 5). Every SQLite connection therefore gets:

* ``journal_mode=WAL``: readers never wait for the writer, nor the writer for readers;
* ``busy_timeout``: a writer waits for the write lock instead of failing at once;
* ``synchronous=NORMAL``: safe with WAL, and no fsync on every commit;
* ``foreign_keys=ON``: SQLite ignores foreign keys unless asked.

Write transactions should also start by taking the write lock (``BEGIN IMMEDIATE``): a
transaction that reads first and writes later cannot wait for the lock in WAL mode once
another writer has committed, and fails. :func:`configure_engine` lets a connection ask
for that with the execution option ``sqlite_begin="IMMEDIATE"``.

Pure code: imports nothing of the project.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

#: How long a connection waits for another one's write lock before giving up.
BUSY_TIMEOUT_MS = 15_000

#: The execution option that picks how a transaction begins (``IMMEDIATE`` for writes).
BEGIN_OPTION = "sqlite_begin"

_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)


def apply_pragmas(connection: sqlite3.Connection, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
    """Set WAL, the busy timeout, NORMAL sync and foreign keys on one connection.

    Args:
        connection: a DB-API SQLite connection, outside any transaction.
        busy_timeout_ms: how long to wait for another connection's lock.
    """
    cursor = connection.cursor()
    try:
        # The timeout first: switching to WAL itself needs a moment's lock.
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        for pragma in _PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def connect(path: Path | str, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """Open a plain ``sqlite3`` connection with the shared settings.

    Args:
        path: the database file.
        busy_timeout_ms: how long to wait for another connection's lock.

    Returns:
        The open connection.
    """
    connection = sqlite3.connect(path, timeout=busy_timeout_ms / 1000)
    apply_pragmas(connection, busy_timeout_ms)
    return connection


def is_sqlite(url: str | sa.engine.URL) -> bool:
    """True when a SQLAlchemy URL names a SQLite database."""
    return sa.engine.make_url(url).get_backend_name() == "sqlite"


def configure_engine(engine: Engine, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Engine:
    """Give a SQLite engine the shared settings and real, selectable transactions.

    pysqlite begins transactions on its own, and only before a data change; here
    SQLAlchemy issues ``BEGIN`` itself (``BEGIN IMMEDIATE`` when the connection's
    ``sqlite_begin`` execution option says so), so a write transaction can take the lock
    before it reads. Other engines are returned unchanged.

    Args:
        engine: a new engine, before its first connection.
        busy_timeout_ms: how long to wait for another connection's lock.

    Returns:
        The same engine.
    """
    if engine.dialect.name != "sqlite":
        return engine

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy issue BEGIN itself
        apply_pragmas(dbapi_connection, busy_timeout_ms)

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = str(connection.get_execution_options().get(BEGIN_OPTION, "")).upper()
        if mode not in {"", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"}:
            raise ValueError(f"unknown SQLite transaction mode {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def create_engine(url: str | sa.engine.URL, **options: Any) -> Engine:
    """``sqlalchemy.create_engine`` (2.0 style) with the shared settings for SQLite.

    A SQLite file's folder is created when missing; other databases get
    ``pool_pre_ping`` unless the caller says otherwise.

    Args:
        url: the database URL.
        **options: passed to ``sqlalchemy.create_engine``.

    Returns:
        The engine.
    """
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        options.setdefault("pool_pre_ping", True)
        return sa.create_engine(parsed, future=True, **options)
    connect_args = dict(options.pop("connect_args", {}))
    connect_args.setdefault("check_same_thread", False)
    connect_args.setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(parsed, future=True, connect_args=connect_args, **options)
    return configure_engine(engine)


def _on_any_connect(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        apply_pragmas(dbapi_connection)


def install_for_every_engine() -> None:
    """Apply the pragmas to every SQLite engine of this process, including libraries' own.

    For engines the project does not build itself (Rasa's SQL tracker store). Transaction
    handling is left as the library made it. Safe to call more than once.
    """
    if not sa.event.contains(Engine, "connect", _on_any_connect):
        sa.event.listen(Engine, "connect", _on_any_connect)


def create_tables(metadata: sa.MetaData, engine: Engine) -> None:
    """Create the missing tables of ``metadata`` in one write transaction.

    On SQLite the transaction takes the write lock at ``BEGIN``: checking for a table is a
    read, and a read that turns into ``CREATE TABLE`` fails at once ("database is locked")
    when another process wrote meanwhile, as the workers do when they start together.
    """
    with engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"}).begin() as connection:
        metadata.create_all(connection)
