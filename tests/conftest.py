"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import REPO_ROOT, Settings
from tests.scheduling import LongTestsToIdleProcesses, own_model_group

# The running stack (tests/e2e and tests/security share one per session).
from tests.stack_fixtures import (  # noqa: F401 - registered as fixtures
    MODEL_FILE_FIXTURE,
    TESTS_NICENESS,
    council,
    model_file,
    open311,
    resident,
    stack,
    train_ahead,
    trained_model,
    will_train,
)

#: Session fixtures that are expensive to make twice: a test that uses one (directly or
#: through another fixture) runs in the one test process that holds them.
SHARED_SESSION_FIXTURES = frozenset({"trained_model", "stack"})
#: The name of that group for pytest-xdist's ``--dist loadgroup`` (``make test``).
STACK_GROUP = "running-stack"


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups in each worker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep every test of the trained model and the running stack in one test process.

    ``make test`` runs three processes (pytest-xdist, ``--dist loadgroup``): one starts the
    stack once and runs every test that needs it, while the others run the unit and
    contract tests. Without the group each process would start its own Rasa.

    The tests that load the model in a process of their own (``model_file``: Rasa's NLU
    evaluation and conversation tests) are moved to the end, each in a group of its own,
    so that a process with nothing left runs each of them (``tests/scheduling.py``),
    beside the stack tests, once the unit tests are done and the model is trained.
    """
    for item in items:
        if SHARED_SESSION_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group(STACK_GROUP))
    late = [item for item in items if MODEL_FILE_FIXTURE in getattr(item, "fixturenames", ())]
    for index, item in enumerate(late):
        item.add_marker(pytest.mark.xdist_group(own_model_group(index)))
    if late:
        moved = set(late)
        items[:] = [item for item in items if item not in moved] + late


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadgroup`` that gives the tests loading the model only to idle processes."""
    if config.getvalue("dist") != "loadgroup":
        return None
    return LongTestsToIdleProcesses(config, log)


def pytest_collection_finish(session: pytest.Session) -> None:
    """In ``make test``'s test processes, train the model ahead of the tests that need it.

    The first process starts the training once it has collected the tests; every process
    then lowers the priority of its main thread, where the tests run, so the training
    (the longest step before the stack tests can start) keeps its pace beside the unit
    tests. A single process (plain ``pytest``) trains when a test first needs the model.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None or not will_train(
        [set(getattr(item, "fixturenames", ())) for item in session.items]
    ):
        return
    if worker == "gw0":
        _training_ahead.append(train_ahead())
    os.nice(TESTS_NICENESS)


#: The training this test process started ahead of its tests, if any.
_training_ahead: list[threading.Thread] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Let a training started ahead finish before this process ends, unless interrupted.

    Otherwise its lock would go with the process and another would train again.
    """
    if exitstatus != pytest.ExitCode.INTERRUPTED:
        for thread in _training_ahead:
            thread.join()


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
