"""``make test`` runs two test processes; the running-stack tests must share one of them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.settings import REPO_ROOT

INNER_CONFTEST = """
import os
from pathlib import Path

import pytest

from tests.conftest import pytest_collection_modifyitems  # noqa: F401 - the hook under test

RAN = Path(os.environ["RAN_FILE"])


def _note(kind):
    with RAN.open("a") as out:
        out.write(f"{kind} {os.environ.get('PYTEST_XDIST_WORKER', 'main')}\\n")


@pytest.fixture(scope="session")
def trained_model():
    return "model"


@pytest.fixture(scope="session")
def stack(trained_model):
    _note("stack-started")
    return "stack"


@pytest.fixture
def resident(stack):
    return "resident"


@pytest.fixture(scope="session")
def model_file():
    return "model"
"""

INNER_TESTS = """
import pytest

from conftest import _note


@pytest.mark.parametrize("n", range(6))
def test_uses_the_stack(stack, n):
    _note("stack-test")


@pytest.mark.parametrize("n", range(6))
def test_uses_the_stack_through_another_fixture(resident, n):
    _note("stack-test")


@pytest.mark.parametrize("n", range(6))
def test_uses_the_model(trained_model, n):
    _note("stack-test")


@pytest.mark.parametrize("n", range(20))
def test_plain(n):
    _note("plain")


@pytest.mark.parametrize("n", range(2))
def test_loads_the_model_itself(model_file, n):
    _note("model-file")


@pytest.mark.parametrize("n", range(2))
def test_plain_after(n):
    _note("plain")
"""


def test_the_stack_tests_run_in_one_process_and_start_one_stack(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(INNER_CONFTEST)
    (tmp_path / "test_inner.py").write_text(INNER_TESTS)
    ran = tmp_path / "ran.txt"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
         "--dist", "loadgroup", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path,
        env={**os.environ, "RAN_FILE": str(ran), "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.split() for line in ran.read_text().splitlines()]
    stack_workers = {worker for kind, worker in lines if kind in ("stack-test", "stack-started")}
    assert len(stack_workers) == 1, lines
    assert [kind for kind, _ in lines].count("stack-started") == 1
    assert [kind for kind, _ in lines].count("stack-test") == 18
    assert [kind for kind, _ in lines].count("plain") == 22
    # The tests that load the model in their own process are not tied to the stack's.
    assert [kind for kind, _ in lines].count("model-file") == 2


def test_the_tests_that_load_the_model_themselves_come_last(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(INNER_CONFTEST)
    (tmp_path / "test_inner.py").write_text(INNER_TESTS)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--collect-only",
         "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path,
        env={**os.environ, "RAN_FILE": str(tmp_path / "ran.txt"), "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    collected = [line for line in result.stdout.splitlines() if "::" in line]
    assert len(collected) == 42, collected
    assert all("test_loads_the_model_itself" in line for line in collected[-2:]), collected
    assert not any("test_loads_the_model_itself" in line for line in collected[:-2])
