"""Every SQLite database of the project gets WAL, a busy timeout and foreign keys."""

from __future__ import annotations

import sqlite3

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.nlu.embedding_cache import EmbeddingCache
from integrations.outbox import Outbox
from lib import sqlite
from web.core.config import Settings as ServicesSettings
from web.core.db import create_db_engine
from workers.insight import purge_delivered


def pragmas(connection) -> tuple[str, int, int]:
    mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    return mode, timeout, keys


EXPECTED = ("wal", sqlite.BUSY_TIMEOUT_MS, 1)


def test_create_engine_sets_every_pragma(tmp_path):
    engine = sqlite.create_engine(f"sqlite:///{tmp_path / 'deep' / 'a.db'}")
    with engine.connect() as connection:
        assert pragmas(connection) == EXPECTED
    engine.dispose()


def test_a_write_transaction_can_take_the_lock_first(tmp_path):
    engine = sqlite.create_engine(f"sqlite:///{tmp_path / 'a.db'}")
    writer = engine.execution_options(**{sqlite.BEGIN_OPTION: "IMMEDIATE"})
    with writer.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        # Holding the write lock: another connection cannot begin a write at once.
        other = sqlite3.connect(tmp_path / "a.db", timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            raise AssertionError("the lock was not taken")
        except sqlite3.OperationalError as error:
            assert "locked" in str(error)
        finally:
            other.close()
    engine.dispose()


def test_plain_sqlite3_connections_get_them_too(tmp_path):
    connection = sqlite.connect(tmp_path / "b.db")
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert connection.execute("PRAGMA busy_timeout").fetchone()[0] == sqlite.BUSY_TIMEOUT_MS
    connection.close()


def test_engines_built_elsewhere_get_them_once_installed(tmp_path):
    # Rasa's SQL tracker store builds its own engine.
    sqlite.install_for_every_engine()
    sqlite.install_for_every_engine()  # twice is harmless
    try:
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
        with engine.connect() as connection:
            assert pragmas(connection) == EXPECTED
        engine.dispose()
    finally:  # leave the rest of the test session as it was
        sa.event.remove(Engine, "connect", sqlite._on_any_connect)


def journal_mode(path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        connection.close()


def test_every_sqlite_database_of_the_project_is_in_wal_mode(tmp_path):
    services = create_db_engine(
        ServicesSettings(database_url=f"sqlite:///{tmp_path / 'services.db'}")
    )
    with services.connect() as connection:
        assert pragmas(connection) == EXPECTED
    services.dispose()

    outbox = Outbox(f"sqlite:///{tmp_path / 'frontdoor.db'}")
    with outbox.engine.connect() as connection:
        assert pragmas(connection) == EXPECTED
    outbox.engine.dispose()

    purge_delivered(f"sqlite:///{tmp_path / 'insight.db'}", 30)
    assert journal_mode(tmp_path / "insight.db") == "wal"

    cache = EmbeddingCache(tmp_path / "cache", "encoder-1", 2)
    cache.embed(["hello"], lambda texts: np.ones((len(texts), 2), dtype=np.float32))
    assert journal_mode(cache.path) == "wal"


def test_no_module_builds_a_database_connection_without_the_shared_helper():
    """Every engine comes from ``lib/sqlite.py``; the PostgreSQL admin engines aside."""
    import ast

    from bot.settings import REPO_ROOT

    allowed = {
        "lib/sqlite.py",
        "bot/launcher/scaled_stack.py",
        "scripts/bench_insight.py",
        "scripts/bench_scaled.py",
    }
    offenders = []
    for folder in ("bot", "workers", "actions", "integrations", "lib", "scripts"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            relative = path.relative_to(REPO_ROOT).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"))
            imported = {
                alias.asname or alias.name
                for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module in {"sqlalchemy", "sqlite3"}
                for alias in node.names
            }
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                owner = getattr(getattr(func, "value", None), "id", "")
                direct = owner in {"sa", "sqlalchemy", "sqlite3"} and name in {
                    "create_engine",
                    "connect",
                }
                bare = isinstance(func, ast.Name) and name in imported & {"create_engine"}
                if (direct or bare) and relative not in allowed:
                    offenders.append(f"{relative}:{node.lineno}")
    assert offenders == []


def test_tables_are_created_while_another_process_writes(tmp_path) -> None:
    """A writer that commits meanwhile must not make table creation fail ("locked")."""
    import threading
    import time

    import sqlalchemy as sa

    from lib import sqlite as shared

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    other = shared.create_engine(url)
    with other.begin() as conn:
        conn.execute(sa.text("CREATE TABLE busy (n INTEGER)"))
    holding = threading.Event()

    def write_for_a_moment() -> None:
        writer = other.execution_options(**{shared.BEGIN_OPTION: "IMMEDIATE"})
        with writer.begin() as conn:
            conn.execute(sa.text("INSERT INTO busy VALUES (1)"))
            holding.set()
            time.sleep(0.5)

    thread = threading.Thread(target=write_for_a_moment)
    thread.start()
    holding.wait(5)
    metadata = sa.MetaData()
    sa.Table("made", metadata, sa.Column("id", sa.Integer, primary_key=True))
    shared.create_tables(metadata, shared.create_engine(url))
    thread.join()
    assert sa.inspect(other).has_table("made")


def test_write_transactions_begin_through_one_helper():
    """Only ``lib/sqlite.py`` names the ``sqlite_begin`` option; everyone else uses its
    ``BEGIN_OPTION`` (or the web service's ``begin_write``), so the rule lives in one place."""
    import ast

    from bot.settings import REPO_ROOT

    offenders = []
    for folder in ("bot", "workers", "actions", "integrations", "lib", "scripts"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            relative = path.relative_to(REPO_ROOT).as_posix()
            if relative == "lib/sqlite.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                literal = isinstance(node, ast.Constant) and node.value == "sqlite_begin"
                keyword = isinstance(node, ast.keyword) and node.arg == "sqlite_begin"
                if literal or keyword:
                    offenders.append(f"{relative}:{getattr(node, 'lineno', '?')}")
    assert offenders == []
