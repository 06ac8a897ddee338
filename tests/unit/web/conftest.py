"""Fixtures for council services unit tests: an in-memory database and the catalogue.

Apps are built with ``tests.web_app.make_app``, which shares the catalogue, the places and
the postcode directory loaded once per session (issue #17).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from lib.postcodes.client import PostcodeDirectory
from tests.web_app import postcode_directory, shipped_catalogue
from web.core.config import Settings
from web.core.db import (
    create_db_engine,
    create_session_factory,
)
from web.core.schema import upgrade_database
from web.stand_in.open311.catalogue import Catalogue


@pytest.fixture
def settings() -> Settings:
    return Settings(database_url="sqlite://", environment="development")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = create_db_engine(settings)
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with create_session_factory(engine)() as session:
        yield session


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return shipped_catalogue()


@pytest.fixture(scope="session")
def postcodes() -> PostcodeDirectory:
    return postcode_directory()
