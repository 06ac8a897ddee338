"""Benchmark of the insight worker's rounds over a tracker store (``make bench-insight-worker``).

Fills a scratch SQLite tracker store (Rasa's ``events`` table) with ``--conversations``
finished conversations of about 30 events each, all within the worker's lookback, as a busy
council's last 48 hours would hold. A worker delivers them to a fake council service (an
``httpx.MockTransport`` answering 201), then rounds are timed:

- the first round, which delivers every session, and the second, which finds them delivered;
- a round with nothing new (what the worker does every ``INSIGHT_POLL_S`` most of the time);
- a round after 1% of the conversations came back with a new session (a report each);
- rounds over as many conversations still going (each spoke within the idle time), the
  first and then rounds with nothing new, as on a busy afternoon.

Prints a Markdown table with the median of ``--rounds`` rounds and how many conversations
each round read. This is a script, not a test: numbers depend on the machine.

    python scripts/bench_insight_worker.py [--conversations 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.settings import REPO_ROOT  # noqa: E402
from integrations.insight import InsightClient  # noqa: E402
from lib.sqlite import create_engine  # noqa: E402
from workers.insight import InsightWorker  # noqa: E402
from workers.outcomes import load_rules  # noqa: E402

IDLE_S = 900.0
LOOKBACK_S = 48 * 3600.0


def _conversation(start: float) -> list[dict[str, Any]]:
    """A pothole report, event for event as Rasa 3.6 stores it (about 30 events)."""
    clock = start
    events: list[dict[str, Any]] = []

    def add(event: dict[str, Any], step: float = 1.0) -> None:
        nonlocal clock
        clock += step
        events.append({**event, "timestamp": clock})

    def user(text: str, intent: str) -> None:
        add(
            {
                "event": "user",
                "text": text,
                "parse_data": {
                    "intent": {"name": intent, "confidence": 0.97},
                    "intent_ranking": [{"name": intent, "confidence": 0.97}],
                    "entities": [],
                },
                "input_channel": "rest",
            },
            10.0,
        )

    add({"event": "slot", "name": "session_started_metadata", "value": {}})
    add({"event": "action", "name": "action_session_start"})
    add({"event": "session_started"})
    add({"event": "slot", "name": "channel", "value": "web"})
    add({"event": "slot", "name": "language", "value": "en"})
    add({"event": "action", "name": "action_listen"})
    for text, intent in (
        ("there's a big pothole on my road", "report_pothole"),
        ("ST6 3JJ", "inform"),
        ("outside number 12", "inform"),
        ("yes", "affirm"),
    ):
        user(text, intent)
        add({"event": "action", "name": "report_form"})
        add({"event": "active_loop", "name": "report_form"})
        add({"event": "slot", "name": "requested_slot", "value": "location"})
        add({"event": "bot", "text": "...", "metadata": {"utter_action": "utter_ask"}})
        add({"event": "action", "name": "action_listen"})
    add({"event": "action", "name": "action_submit_report"})
    add({"event": "bot", "text": "Your reference is SR-7K3Q9X.", "metadata": {}})
    add({"event": "action", "name": "action_listen"})
    return events


def _insert(url: str, rows: list[tuple[str, dict[str, Any]]]) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, "
                "sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL, "
                "timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
            )
        )
        connection.execute(
            sa.text("CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id)")
        )
        connection.execute(
            sa.text(
                "INSERT INTO events (sender_id, type_name, timestamp, data) "
                "VALUES (:s, :t, :ts, :d)"
            ),
            [
                {"s": sender, "t": event["event"], "ts": event["timestamp"], "d": json.dumps(event)}
                for sender, event in rows
            ],
        )
    engine.dispose()


def _timed_round(worker: InsightWorker, now: float) -> tuple[float, int, int]:
    """One round: seconds, events posted, conversations read."""
    read = worker.conversations_read
    start = time.perf_counter()
    posted = asyncio.run(worker.run_once(now=now))
    return time.perf_counter() - start, posted, worker.conversations_read - read


def _worker(tracker_url: str, database_url: str) -> InsightWorker:
    """A worker posting to a fake council service that takes every event."""
    return InsightWorker(
        tracker_url,
        database_url,
        InsightClient(
            "http://council",
            "token",
            transport=httpx.MockTransport(lambda _: httpx.Response(201, json={"id": 1})),
        ),
        load_rules(REPO_ROOT / "kb" / "insight" / "outcomes.yml"),
        "bench-secret",
        idle_s=IDLE_S,
        lookback_s=LOOKBACK_S,
    )


def _open_rounds(scratch: Path, count: int, rounds: int, now: float) -> list[tuple]:
    """Rounds over ``count`` conversations still going (each spoke in the last idle time)."""
    url = f"sqlite:///{scratch / 'open.db'}"
    spread = IDLE_S / 2 / count
    _insert(
        url,
        [
            (f"open-{index}", event)
            for index in range(count)
            for event in _conversation(now - IDLE_S / 2 - 300 + index * spread)
        ],
    )
    worker = _worker(url, f"sqlite:///{scratch / 'open-frontdoor.db'}")
    try:
        return [_timed_round(worker, now + step * 30) for step in range(rounds + 1)]
    finally:
        worker.close()


def main() -> None:
    """Fill a scratch tracker store, time the worker's rounds, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    now = time.time()
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{Path(scratch) / 'tracker.db'}"
        spread = (LOOKBACK_S - 2 * IDLE_S) / args.conversations
        _insert(
            url,
            [
                (f"resident-{index}", event)
                for index in range(args.conversations)
                for event in _conversation(now - LOOKBACK_S + index * spread)
            ],
        )
        worker = _worker(url, f"sqlite:///{Path(scratch) / 'frontdoor.db'}")
        try:
            first = _timed_round(worker, now)
            second = _timed_round(worker, now)
            quiet = [_timed_round(worker, now) for _ in range(args.rounds)]
            changed = []
            for round_index in range(args.rounds):
                returning = range(round_index, args.conversations, 100)  # 1% come back
                later = now + (round_index + 1) * 2 * IDLE_S
                _insert(
                    url,
                    [
                        (f"resident-{index}", event)
                        for index in returning
                        for event in _conversation(later - 2 * IDLE_S)
                    ],
                )
                changed.append(_timed_round(worker, later))
        finally:
            worker.close()
        still_open = _open_rounds(Path(scratch), args.conversations, args.rounds, now)

    lines = [
        f"Insight worker rounds, {args.conversations} conversations in the lookback",
        "",
        "| round | median ms | posted | conversations read |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, (seconds, posted, read) in (
        ("first (delivers every session)", first),
        ("second (finds them delivered)", second),
    ):
        lines.append(f"| {name} | {seconds * 1000:.0f} | {posted} | {read} |")
    for name, rounds in (
        ("nothing new", quiet),
        ("1% came back with a new session", changed),
        ("all still going: the first round", still_open[:1]),
        ("all still going: nothing new", still_open[1:]),
    ):
        lines.append(
            f"| {name} | {statistics.median(r[0] for r in rounds) * 1000:.0f} "
            f"| {statistics.median(r[1] for r in rounds):.0f} "
            f"| {statistics.median(r[2] for r in rounds):.0f} |"
        )
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
