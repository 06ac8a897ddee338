"""``make test`` runs several test processes; the running-stack tests must share one of them."""

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

from tests.conftest import (  # noqa: F401 - the hooks under test
    pytest_collection_modifyitems,
    pytest_xdist_make_scheduler,
)

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


TRAINING_AHEAD = """
import fcntl
import os
import subprocess
import sys
import time
from pathlib import Path

from tests import stack_fixtures

models = Path(sys.argv[1])


def ensure_model(models_dir, validate=True):
    # Holds the lock like the real one, then starts its 'rasa train' once tests stepped back.
    with open(models_dir / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        time.sleep(0.5)
        child = [sys.executable, "-c", "import os; print(os.nice(0))"]
        niceness = subprocess.run(child, capture_output=True, text=True).stdout.strip()
        print("training", niceness, "validate", validate, flush=True)


stack_fixtures.ensure_model = ensure_model
thread = stack_fixtures.train_ahead(models)
os.nice(stack_fixtures.TESTS_NICENESS)
with open(models / ".train.lock", "a") as probe:
    try:
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        print("lock free", flush=True)
    except BlockingIOError:
        print("lock held", flush=True)
thread.join()
child = [sys.executable, "-c", "import os; print(os.nice(0))"]
print("tests", subprocess.run(child, capture_output=True, text=True).stdout.strip())
"""


def test_the_training_ahead_holds_the_lock_at_once_and_keeps_its_priority(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-c", TRAINING_AHEAD, str(tmp_path / "models")],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    base = os.nice(0)
    assert result.stdout.split("\n")[:3] == [
        "lock held",  # a fixture asking for the model from now on waits for this training
        f"training {base} validate False",  # its rasa train kept the priority
        f"tests {min(base + 10, 19)}",  # what the tests start steps back
    ]


def test_a_training_is_ahead_only_when_tests_need_a_model_that_is_missing(
    tmp_path: Path, monkeypatch
):
    from bot.training import model_path
    from tests.stack_fixtures import will_train

    monkeypatch.setenv("MODEL_CACHE", "off")
    models = tmp_path / "models"
    assert will_train([{"tmp_path"}, {"trained_model"}], models)
    assert will_train([{"model_file"}], models)
    assert not will_train([{"tmp_path"}, {"resident_page"}], models)
    models.mkdir()
    model_path(models).write_bytes(b"trained")
    assert not will_train([{"trained_model"}], models)
