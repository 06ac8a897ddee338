"""The tracker store benchmark (scripts/bench_tracker_store.py) times whole turns, none lost.

A few conversations with Rasa's SQL tracker store as shipped and as Front Door patches it,
on SQLite and (when it is reachable) PostgreSQL.
"""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.domain import Domain

from bot import tracker_store
from scripts import bench_tracker_store as bench

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [report_pothole]
slots:
  place_postcode:
    type: text
    mappings: [{type: custom}]
responses:
  utter_ask_place_postcode: [{text: "Which postcode is it near?"}]
"""
)
SENDERS = ["one", "two", "three"]
LENGTHS = [10, 30]
TURN = ["user", "action", "bot", "slot", "action"]


@pytest.fixture(params=["rasa", "front-door"])
def variant(request, monkeypatch) -> str:
    """Rasa's tracker store as shipped, or with Front Door's ``install``; undone after."""
    for owner, name, value in tracker_store.originals():
        monkeypatch.setattr(owner, name, value)
    if bench.VARIANTS[request.param]:
        tracker_store.install()
    return request.param


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    """A fresh SQLite file, or a fresh PostgreSQL database (skipped if unreachable)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tracker.db'}"
    return request.getfixturevalue("postgres_url")


def test_every_turn_is_timed_and_stored(variant, url) -> None:
    store = bench.open_store(url, DOMAIN)
    try:
        measured = asyncio.run(bench.measure(store, DOMAIN, SENDERS, LENGTHS))
        trackers = [asyncio.run(store.retrieve(sender)) for sender in SENDERS]
    finally:
        store.engine.dispose()

    results = [bench.summarise([row]) for row in measured]
    assert [row["length"] for row in results] == LENGTHS
    for row in results:
        assert row["turns"] == len(SENDERS)
        assert row["length"] <= row["events"] < row["length"] + bench.TURN_EVENTS
        for part in ("retrieve", "save", "turn"):
            assert 0 < row[part]["p50_ms"] <= row[part]["p95_ms"] < 5_000
        assert row["turn"]["p50_ms"] >= row["retrieve"]["p50_ms"]
    # After the last timed turn each conversation holds every turn, in order.
    turns = (results[-1]["events"] + bench.TURN_EVENTS - 2) // bench.TURN_EVENTS
    for tracker in trackers:
        assert [event.type_name for event in tracker.events] == (
            ["session_started", "action"] + TURN * turns
        )
        texts = [event.text for event in tracker.events if event.type_name == "user"]
        assert len(set(texts)) == turns
        assert tracker.latest_message.intent["name"] == "report_pothole"
        assert tracker.get_slot(bench.SLOT)


def test_the_section_has_a_row_per_backend_store_and_length_and_says_what_they_mean() -> None:
    row = {
        "length": 10,
        "events": 12,
        "turns": 3,
        **{part: {"p50_ms": 1.0, "p95_ms": 2.0} for part in ("retrieve", "save", "turn")},
    }
    backend = {"server": "SQLite 3.40.1 (wal)", "lengths": [row, {**row, "length": 50}]}
    report = {
        "measured_at": "2026-12-05 07:00 UTC",
        "machine": {"cores": 2, "cpu": "cpu", "python": "3.10", "rasa": "3.6.21"},
        "rounds": 1,
        "load_average": {"start": 0.5, "end": 0.7},
        "senders": 3,
        "turn_events": bench.TURN_EVENTS,
        "variants": {name: {"sqlite": backend} for name in bench.VARIANTS},
    }
    section = bench.section(report)
    assert section[1] == bench.HEADING
    table = [line for line in section if line.startswith("| SQLite")]
    assert len(table) == 4
    assert "Rasa as shipped" in table[0] and "Front Door" in table[1]
    assert "take (p50) 1.0 ms on SQLite in a conversation of about 12 events" in section[-1]
    assert "a turn 1.0× as long on SQLite" in section[-1]


def test_rounds_are_pooled() -> None:
    rounds = [
        {"length": 10, "events": [12, 12], "retrieve_ms": [1.0, 2.0], "save_ms": [1.0, 1.0]},
        {"length": 10, "events": [12, 17], "retrieve_ms": [3.0, 4.0], "save_ms": [2.0, 2.0]},
    ]
    pooled = bench.summarise(rounds)
    assert pooled["turns"] == 4 and pooled["events"] == 12
    assert pooled["retrieve"] == {"p50_ms": 2.0, "p95_ms": 4.0}
    assert pooled["turn"] == {"p50_ms": 3.0, "p95_ms": 6.0}
