"""Fixtures for action tests: the real council and postcodes, fakes at the seams.

Actions reach the outside world only through ``actions.common.deps``; these fixtures
replace its CRM client with the in-memory fake and its outbox with one in a temporary
SQLite file, and pin the council so a ``COUNCIL`` in the environment cannot change the
answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from actions.common import deps
from bot.councils.profile import cached_profile
from bot.settings import REPO_ROOT, settings
from integrations.open311.fake import FakeOpen311Client
from integrations.outbox import Outbox
from tests.unit.actions.trackers import load_domain

COUNCIL_DIR = REPO_ROOT / "kb" / "councils" / "stoke-on-trent"


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The merged domain dict, loaded once."""
    return load_domain()


@pytest.fixture
def council(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample council, whatever ``COUNCIL`` says, and the default duplicate radius."""
    monkeypatch.setattr(deps, "profile", lambda: cached_profile(COUNCIL_DIR))
    monkeypatch.setattr(settings, "duplicate_radius_m", 250.0)


@pytest.fixture
def crm(monkeypatch: pytest.MonkeyPatch) -> FakeOpen311Client:
    """The in-memory Open311 server the actions talk to."""
    fake = FakeOpen311Client()
    monkeypatch.setattr(deps, "open311", lambda: fake)
    return fake


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Outbox]:
    """An empty outbox in this test's own SQLite file."""
    box = Outbox(f"sqlite:///{tmp_path / 'o.db'}")
    monkeypatch.setattr(deps, "outbox", lambda: box)
    yield box
    box.engine.dispose()
