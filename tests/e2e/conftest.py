"""End-to-end tests: the running stack (``tests/stack_fixtures.py``) and a browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.launcher.stack import Stack

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
