"""The real stack for end-to-end tests: one trained model, servers on free ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.settings import REPO_ROOT, Settings
from bot.stack import Stack
from bot.training import ensure_model
from tests.helpers import Resident, free_port

INSIGHT_IDLE_S = 15.0


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model for the current training inputs (trained once, cached by hash)."""
    return ensure_model(REPO_ROOT / "models")


def _stack_settings(var_dir: Path) -> Settings:
    return Settings(
        _env_file=None,
        environment="test",
        var_dir=var_dir,
        rasa_port=free_port(),
        action_server_port=free_port(),
        council_services_url=f"http://127.0.0.1:{free_port()}",
        outbox_retry_base_s=0.5,
        outbox_retry_max_s=2.0,
        outbox_poll_s=0.3,
        # Sessions end after a few idle seconds, so the insight test sees their outcomes.
        insight_idle_s=INSIGHT_IDLE_S,
        insight_poll_s=0.5,
        twilio_auth_token="test-twilio-auth-token",
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


# --- Browser tests (issue #6): Debian's chromium driven by Playwright, one per session ---

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium per test module (``make system-packages`` installs it).

    Module scope on purpose: Playwright's sync API keeps an asyncio loop running in the
    main thread while it is open, and every later test that calls ``asyncio.run`` would
    fail. Playwright gives each launch a fresh temporary profile (it refuses
    ``--user-data-dir``).
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make system-packages` (Debian's chromium package)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser, stack: Stack) -> Iterator[object]:
    """A fresh browser context and page (its own storage), phone-sized."""
    context = browser.new_context(
        base_url=f"http://127.0.0.1:{stack.council_services_port}",
        viewport={"width": 390, "height": 844},
        locale="en-GB",
    )
    context.set_default_timeout(60_000)
    opened = context.new_page()
    yield opened
    context.close()
