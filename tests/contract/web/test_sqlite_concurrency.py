"""Many requests at once against the real stand-in on a SQLite file (issue #15 item 5).

The server runs as in production (``python -m web``: uvicorn and
its thread pool) on a fresh SQLite file; each test fires requests from 20 threads at once.
Before WAL, the busy timeout and short write transactions, 8 simultaneous listings gave 7
"database is locked" errors (HTTP 500).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.contract.web.test_open311 import POTHOLE_FORM
from tests.contract.web.test_staff_console import (
    StaffAccount,
    create_staff_with_the_cli,
    sign_in,
)
from tests.contract.web.triage_data import TRIAGE, create_record, record_body

if TYPE_CHECKING:
    from conftest import RunningServer

THREADS = 20
REQUESTS_JSON = "/open311/v2/requests.json"


@pytest.fixture
def sqlite_server(
    tmp_path: Path, start_server: Callable[[str], AbstractContextManager[RunningServer]]
) -> Iterator[RunningServer]:
    with start_server(f"sqlite:///{tmp_path / 'council_services.db'}") as server:
        yield server


def all_at_once(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    """Run every call in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def assert_no_lock_errors(responses: list[httpx.Response], server: RunningServer) -> None:
    failed = [(r.request.method, r.request.url.path, r.status_code) for r in responses]
    assert all(r.status_code < 500 for r in responses), failed
    assert "database is locked" not in server.log_path.read_text(errors="replace")


def test_twenty_simultaneous_triage_listings(sqlite_server: RunningServer) -> None:
    with httpx.Client(base_url=sqlite_server.base_url, timeout=30.0) as client:
        for _ in range(5):
            create_record(client, sqlite_server)
    headers = sqlite_server.staff_headers

    def listing() -> httpx.Response:
        with httpx.Client(base_url=sqlite_server.base_url, timeout=30.0) as client:
            return client.get(TRIAGE, headers=headers)

    responses = all_at_once([listing] * THREADS)
    assert [r.status_code for r in responses] == [200] * THREADS
    assert all(r.json()["count"] == 5 for r in responses)
    assert_no_lock_errors(responses, sqlite_server)


def test_twenty_simultaneous_staff_page_loads(sqlite_server: RunningServer) -> None:
    account = StaffAccount(f"load-{uuid.uuid4().hex[:8]}", "Load Tester")
    create_staff_with_the_cli(sqlite_server, account.username, account.display_name)
    with httpx.Client(base_url=sqlite_server.base_url, timeout=30.0) as client:
        for _ in range(5):
            create_record(client, sqlite_server)
        assert sign_in(client, account).status_code == 303
        cookies = dict(client.cookies)
    pages = ["/staff", "/staff/undelivered"]

    def page_load(index: int) -> Callable[[], httpx.Response]:
        def load() -> httpx.Response:
            with httpx.Client(
                base_url=sqlite_server.base_url, timeout=30.0, cookies=cookies
            ) as client:
                return client.get(pages[index % len(pages)])

        return load

    responses = all_at_once([page_load(i) for i in range(THREADS)])
    assert [r.status_code for r in responses] == [200] * THREADS
    assert_no_lock_errors(responses, sqlite_server)


def test_reports_and_hand_offs_submitted_together_under_mixed_load(
    sqlite_server: RunningServer,
) -> None:
    base = sqlite_server.base_url
    headers = sqlite_server.staff_headers

    def report() -> httpx.Response:
        form = {"api_key": sqlite_server.api_key, **POTHOLE_FORM}
        return httpx.post(f"{base}{REQUESTS_JSON}", data=form, timeout=30.0)

    def hand_off() -> httpx.Response:
        return httpx.post(f"{base}{TRIAGE}", json=record_body(), headers=headers, timeout=30.0)

    def listing() -> httpx.Response:
        return httpx.get(f"{base}{TRIAGE}", headers=headers, timeout=30.0)

    calls = [report] * 8 + [hand_off] * 8 + [listing] * 4
    responses = all_at_once(calls)
    assert [r.status_code for r in responses[:8]] == [200] * 8
    assert [r.status_code for r in responses[8:16]] == [201] * 8
    assert_no_lock_errors(responses, sqlite_server)
    stored = httpx.get(f"{base}{REQUESTS_JSON}", timeout=30.0).json()
    assert len(stored) == 8
    assert httpx.get(f"{base}{TRIAGE}", headers=headers, timeout=30.0).json()["count"] == 8
