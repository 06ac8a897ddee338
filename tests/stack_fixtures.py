"""The real stack for end-to-end and security tests: one trained model, servers on free ports.

The fixtures are registered in ``tests/conftest.py``, so ``tests/e2e`` and
``tests/security`` share one running stack in a test session.
"""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.launcher.stack import Stack
from bot.settings import REPO_ROOT, Settings
from bot.training import TRAIN_LOCK, ensure_model, needs_training
from tests.helpers import Resident, stack_settings

INSIGHT_IDLE_S = 15.0
#: Where the test session keeps the trained model.
MODELS_DIR = REPO_ROOT / "models"
#: A fixture whose tests load the model in a process of their own: they run last.
MODEL_FILE_FIXTURE = "model_file"
#: The fixtures whose tests need the trained model.
MODEL_FIXTURES = frozenset({"trained_model", MODEL_FILE_FIXTURE})
#: How far a test process steps back (``nice``) while the model trains beside it.
TESTS_NICENESS = 10


def will_train(fixture_names: list[set[str]], models_dir: Path = MODELS_DIR) -> bool:
    """Whether some of these tests need the model and it must be trained first."""
    return any(MODEL_FIXTURES & names for names in fixture_names) and needs_training(models_dir)


def train_ahead(models_dir: Path = MODELS_DIR) -> threading.Thread:
    """Start training the model in a thread of this test process; return once it holds the lock.

    ``make test``'s first test process calls it as soon as it has collected the tests
    (``tests/conftest.py``), so the training does not wait for the first test that needs
    the model. Each test process then lowers the priority of its main thread only (on Linux
    ``nice`` is per thread), so the training, and the ``rasa train`` it starts, keeps its
    pace while the unit tests run on what it leaves. The fixtures below wait for it through
    ``ensure_model``'s lock, and train themselves should it fail.
    """
    models_dir.mkdir(parents=True, exist_ok=True)
    thread = threading.Thread(
        target=ensure_model,
        args=(models_dir,),
        kwargs={"validate": False},
        name="training-ahead",
        daemon=True,
    )
    thread.start()
    with open(models_dir / TRAIN_LOCK, "a") as probe:
        while thread.is_alive():
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                break  # the training holds it
            fcntl.flock(probe, fcntl.LOCK_UN)
            time.sleep(0.01)
    return thread


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model for the current training inputs (trained once, cached by hash).

    ``rasa train`` skips its own check of the data: ``test_rasa_data_validate_is_clean``
    checks the same files, with warnings as failures.
    """
    return ensure_model(MODELS_DIR, validate=False)


@pytest.fixture(scope="session")
def model_file() -> Path:
    """The same model, for a test that loads it in a process of its own (``rasa test``).

    Unlike :func:`trained_model`, it does not tie the test to the process that runs the
    stack: either test process may run it, after the unit tests (``tests/conftest.py``).
    When the other process is still training the model, ``ensure_model``'s lock makes
    this one wait for that training instead of starting another.
    """
    return ensure_model(MODELS_DIR, validate=False)


def _stack_settings(var_dir: Path) -> Settings:
    return stack_settings(
        var_dir,
        outbox_retry_base_s=0.5,
        outbox_retry_max_s=2.0,
        outbox_poll_s=0.3,
        # Sessions end after a few idle seconds, so the insight test sees their outcomes.
        insight_idle_s=INSIGHT_IDLE_S,
        insight_poll_s=0.5,
        twilio_auth_token="test-twilio-auth-token",
        # The fuzz test sends hundreds of messages in one conversation as fast as it can;
        # the limits have their own tests (tests/unit/bot/test_rest_rate_limit.py).
        rest_rate_limit="0",
        rest_address_rate_limit="0",
    )


@pytest.fixture(scope="session")
def stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Council services, action server, outbox and insight workers and Rasa, running."""
    running = Stack(_stack_settings(tmp_path_factory.mktemp("stack")), trained_model)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def resident(stack: Stack) -> Resident:
    """A new conversation on the web channel."""
    return Resident(stack.settings.rasa_url)


@pytest.fixture
def council(stack: Stack) -> Iterator[httpx.Client]:
    """A client of the running council services (public endpoints)."""
    with httpx.Client(base_url=stack.settings.council_services_url, timeout=10) as client:
        yield client


@pytest.fixture
def open311(stack: Stack) -> httpx.Client:
    """A plain HTTP client of the running council services."""
    with httpx.Client(base_url=f"{stack.settings.council_services_url}/open311/v2") as client:
        yield client
