"""The insight worker reads a conversation again only when it may have something new.

A round used to read and split every conversation of the lookback (48 hours in
production) each time it polled. A settled conversation (every session ended and
delivered, refused or set aside) is now skipped until a newer event arrives, and one
whose last session is open until that session can have gone idle.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx

from integrations.insight import InsightClient
from tests.unit.workers.test_outcomes import (
    RULES,
    SECRET,
    T0,
    Conversation,
    append_events,
    pothole_report,
    tracker_store,
)
from workers.insight import InsightWorker

IDLE_S = 600


def _worker(url: str, tmp_path: Path, posted: list[dict[str, Any]], status: int = 201):
    def council_services(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content))
        return httpx.Response(status, json={"id": 1, "created": True})

    return InsightWorker(
        url,
        f"sqlite:///{tmp_path / 'frontdoor.db'}",
        InsightClient("http://cs", "token", transport=httpx.MockTransport(council_services)),
        RULES,
        SECRET,
        idle_s=IDLE_S,
        lookback_s=86400 * 365 * 10,
    )


def test_a_conversation_is_read_only_when_it_may_have_something_new(tmp_path: Path) -> None:
    ongoing = Conversation(start=T0 + 5000).user("pothole", "report_pothole")
    url = tracker_store(tmp_path / "tracker.db", {"a": pothole_report(), "b": ongoing})
    posted: list[dict[str, Any]] = []
    worker = _worker(url, tmp_path, posted)
    try:
        now = ongoing.clock + 60  # "a" has ended, "b" is still going
        assert asyncio.run(worker.run_once(now=now)) == 1
        assert worker.conversations_read == 2
        # "a" is read once more (its session is now delivered), then left alone; "b" is
        # left alone until its session can have gone idle.
        assert asyncio.run(worker.run_once(now=now)) == 0
        assert worker.conversations_read == 3
        for step in range(3):
            assert asyncio.run(worker.run_once(now=now + step * 30)) == 0
        assert worker.conversations_read == 3
        later = ongoing.clock + IDLE_S + 1  # "b" has gone quiet
        assert asyncio.run(worker.run_once(now=later)) == 1
        assert worker.conversations_read == 4
        assert asyncio.run(worker.run_once(now=later)) == 0
        read = worker.conversations_read
        assert asyncio.run(worker.run_once(now=later + 3600)) == 0
        assert worker.conversations_read == read  # both settled: nothing read
        assert [body["outcome"] for body in posted] == ["report_made", "abandoned"]
    finally:
        worker.close()


def test_a_message_in_an_open_session_is_read_at_once(tmp_path: Path) -> None:
    ongoing = Conversation(start=T0).user("pothole", "report_pothole")
    url = tracker_store(tmp_path / "tracker.db", {"b": ongoing})
    posted: list[dict[str, Any]] = []
    worker = _worker(url, tmp_path, posted)
    try:
        first_last_at = ongoing.clock
        assert asyncio.run(worker.run_once(now=first_last_at + 60)) == 0
        assert asyncio.run(worker.run_once(now=first_last_at + 90)) == 0
        assert worker.conversations_read == 1
        # The assistant answers two minutes later (a slow service): two newer events.
        ongoing.action("report_form").bot("utter_ask_report_form_location")
        ongoing.events[-2]["timestamp"] += 120
        ongoing.events[-1]["timestamp"] += 120
        append_events(url, "b", ongoing.events[-2:])
        newest = ongoing.events[-1]["timestamp"]
        assert asyncio.run(worker.run_once(now=newest + 30)) == 0
        assert worker.conversations_read == 2  # read again: it has a newer event
        # It ends idle after its newest event, not after the one read first.
        assert asyncio.run(worker.run_once(now=first_last_at + IDLE_S + 1)) == 0
        assert asyncio.run(worker.run_once(now=newest + IDLE_S + 1)) == 1
        assert [body["outcome"] for body in posted] == ["abandoned"]
    finally:
        worker.close()


def test_a_settled_conversation_with_a_new_message_is_read_and_counted(tmp_path: Path) -> None:
    first = pothole_report()
    url = tracker_store(tmp_path / "tracker.db", {"a": first})
    posted: list[dict[str, Any]] = []
    worker = _worker(url, tmp_path, posted)
    try:
        now = first.clock + IDLE_S + 1
        assert asyncio.run(worker.run_once(now=now)) == 1
        assert asyncio.run(worker.run_once(now=now)) == 0
        read = worker.conversations_read
        assert asyncio.run(worker.run_once(now=now)) == 0
        assert worker.conversations_read == read  # settled
        # The resident comes back hours later with a question of another kind.
        back = Conversation(start=first.clock + 4 * 3600).user("is my bin day changing", "faq")
        append_events(url, "a", back.events)
        assert asyncio.run(worker.run_once(now=back.clock + 60)) == 0  # still going
        assert worker.conversations_read == read + 1
        assert asyncio.run(worker.run_once(now=back.clock + IDLE_S + 1)) == 1
        assert len(posted) == 2
        assert posted[0]["started_at"] != posted[1]["started_at"]
    finally:
        worker.close()


def test_a_refused_session_settles_its_conversation(tmp_path: Path) -> None:
    first = pothole_report()
    url = tracker_store(tmp_path / "tracker.db", {"a": first})
    posted: list[dict[str, Any]] = []
    worker = _worker(url, tmp_path, posted, status=422)
    try:
        now = first.clock + IDLE_S + 1
        assert asyncio.run(worker.run_once(now=now)) == 0
        assert len(posted) == 1  # refused, and kept as refused: not posted again
        for _ in range(3):
            asyncio.run(worker.run_once(now=now))
        assert len(posted) == 1
        assert worker.conversations_read == 2
    finally:
        worker.close()


def test_an_unreachable_council_service_leaves_the_conversation_waiting(tmp_path: Path) -> None:
    first = pothole_report()
    url = tracker_store(tmp_path / "tracker.db", {"a": first})
    posted: list[dict[str, Any]] = []
    worker = _worker(url, tmp_path, posted, status=503)
    try:
        now = first.clock + IDLE_S + 1
        for _ in range(3):
            assert asyncio.run(worker.run_once(now=now)) == 0
        assert len(posted) == 3  # tried every round: never settled while undelivered
        assert worker.conversations_read == 3
    finally:
        worker.close()
