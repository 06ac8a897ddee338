"""The web service's heavy data, loaded once per test session and shared by every app.

``create_app`` reads the service catalogue and the council's places and loads the postcode
data at start-up (about 2 s per app). The tests build an app per test, so they hand it
these instead (issue #17). Only the shipped files are shared: a test that points the
settings at a file of its own gets that file read, as in production.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from fastapi import FastAPI

from lib.postcodes.client import PostcodeDirectory
from web.core.config import DEFAULT_CATALOGUE_PATH, REPO_ROOT, Settings
from web.core.schema import alembic_config
from web.main import create_app, seed_sample_data
from web.places import Directory, load_directory
from web.stand_in.open311.catalogue import Catalogue, load_catalogue


@cache
def postcode_directory() -> PostcodeDirectory:
    """The one postcode directory of the test session (letters stay loaded)."""
    return PostcodeDirectory()


@cache
def shipped_catalogue(path: Path = DEFAULT_CATALOGUE_PATH) -> Catalogue:
    """A service catalogue shipped in the repository, read once."""
    return load_catalogue(path)


@cache
def shipped_places(path: Path) -> Directory:
    """A council's places file shipped in the repository, read once."""
    return load_directory(path)


def _shipped(path: Path) -> bool:
    """A file of the repository (a test's own files live in its tmp_path)."""
    return path.resolve().is_relative_to(REPO_ROOT)


def preloaded(settings: Settings) -> dict[str, Any]:
    """``create_app``'s preloaded data for these settings (shipped files only)."""
    data: dict[str, Any] = {"postcodes": postcode_directory()}
    if _shipped(settings.catalogue_path):
        data["catalogue"] = shipped_catalogue(settings.catalogue_path.resolve())
    if _shipped(settings.places_path):
        data["places"] = shipped_places(settings.places_path.resolve())
    return data


def make_app(settings: Settings) -> FastAPI:
    """``create_app(settings)`` with the session's preloaded data."""
    return create_app(settings, **preloaded(settings))


def make_seeded_app(settings: Settings) -> FastAPI:
    """``make_app(settings)`` on a database seeded as ``python -m web seed`` seeds it."""
    app = make_app(settings)
    seed_sample_data(app.state.engine)
    return app


def head_revision() -> str | None:
    """The newest revision of the web service's schema history."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
