"""Fixtures for council services unit tests: an in-memory database and the catalogue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from web.core.config import DEFAULT_CATALOGUE_PATH, Settings
from web.core.db import (
    apply_migrations,
    create_db_engine,
    create_session_factory,
)
from web.stand_in.open311.catalogue import Catalogue, load_catalogue


@pytest.fixture
def settings() -> Settings:
    return Settings(database_url="sqlite://", environment="development")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings)
    apply_migrations(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with create_session_factory(engine)() as session:
        yield session


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(DEFAULT_CATALOGUE_PATH)
