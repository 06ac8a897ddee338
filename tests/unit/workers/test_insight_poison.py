"""A poison conversation is set aside (logged, counted, kept for staff) and never stops the worker.

The case from the review: a conversation holding one lone surrogate (legal JSON, ``\\ud800``,
which no UTF-8 encoder accepts) made the insight worker crash on every start.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from integrations.insight import InsightClient
from tests.unit.workers.test_outcomes import (
    RULES,
    SECRET,
    Conversation,
    pothole_report,
    tracker_store,
)
from workers.insight import SET_ASIDE, InsightWorker, set_aside_sessions

LONE_SURROGATE = "pothole \ud800 on Leek Road"


def _poison() -> Conversation:
    """A message nobody understood, holding a lone surrogate (kept as ``\\ud800`` in JSON)."""
    return (
        Conversation()
        .user(LONE_SURROGATE, "nlu_fallback", [("nlu_fallback", 0.3), ("report_pothole", 0.2)])
        .action("action_default_fallback")
        .bot("utter_default")
    )


def test_a_lone_surrogate_is_set_aside_and_the_rest_delivered(tmp_path: Path) -> None:
    posted: list[str] = []

    def council_services(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content)["conversation_hash"])
        return httpx.Response(201, json={"id": 1, "created": True})

    url = tracker_store(tmp_path / "tracker.db", {"poison": _poison(), "fine": pothole_report()})
    store = f"sqlite:///{tmp_path / 'frontdoor.db'}"
    worker = InsightWorker(
        url,
        store,
        InsightClient("http://cs", "token", transport=httpx.MockTransport(council_services)),
        RULES,
        SECRET,
        idle_s=600,
        lookback_s=86400 * 365 * 10,
    )
    try:
        assert asyncio.run(worker.run_once()) == 1  # the good one; no exception
        assert len(posted) == 1
        assert worker.set_aside == 1
        # Kept as set aside: not tried again on the next round or after a restart.
        assert asyncio.run(worker.run_once()) == 0
        assert worker.set_aside == 1
    finally:
        worker.close()
    again = InsightWorker(
        url,
        store,
        InsightClient("http://cs", "token", transport=httpx.MockTransport(council_services)),
        RULES,
        SECRET,
        idle_s=600,
        lookback_s=86400 * 365 * 10,
    )
    try:
        assert asyncio.run(again.run_once()) == 0
        assert len(posted) == 1
    finally:
        again.close()
    found = set_aside_sessions(store)
    assert len(found) == 1 and found[0].status == SET_ASIDE
    assert found[0].reason  # says what went wrong, for staff
    assert "poison" not in found[0].reason
