"""Fixtures shared by every test layer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import REPO_ROOT, Settings

# The running stack (tests/e2e and tests/security share one per session).
from tests.stack_fixtures import (  # noqa: F401 - registered as fixtures
    council,
    open311,
    resident,
    stack,
    trained_model,
)


@pytest.fixture
def test_settings(tmp_path: Path) -> Settings:
    """Settings of an isolated assistant: its own var folder and databases."""
    return Settings(
        _env_file=None,
        environment="test",
        var_dir=tmp_path / "var",
        kb_dir=REPO_ROOT / "kb",
    )


ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    name = f"fd_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at 127.0.0.1:5432: {error.orig}")
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
