"""Rasa's SQL tracker store, with the work it repeated removed, stores the same rows."""

from __future__ import annotations

import asyncio
import json

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import tracker_store

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, report_pothole]
slots:
  place_postcode:
    type: text
    mappings: [{type: custom}]
responses:
  utter_greet: [{text: "Hello"}]
"""
)


def _turn(n: int, start: float) -> list[Event]:
    return [
        UserUttered(f"message {n}", {"name": "greet", "confidence": 0.9}, timestamp=start),
        ActionExecuted("utter_greet", timestamp=start + 0.1),
        BotUttered("Hello", timestamp=start + 0.2),
        SlotSet("place_postcode", f"ST{n} 3JJ", timestamp=start + 0.3),
        ActionExecuted("action_listen", timestamp=start + 0.4),
    ]


SESSION_ONE = [
    ActionExecuted("action_session_start", timestamp=1.0),
    SessionStarted(timestamp=1.1),
    ActionExecuted("action_listen", timestamp=1.2),
]
SESSION_TWO = [
    ActionExecuted("action_session_start", timestamp=50.0),
    SessionStarted(timestamp=50.1),
]


async def _conversation(store: SQLTrackerStore) -> None:
    """A new conversation, three turns, a new session, one more turn, an outside copy."""
    tracker = await store.get_or_create_tracker("resident", append_action_listen=False)
    tracker.update_with_events(SESSION_ONE, DOMAIN)
    await store.save(tracker)
    for n in range(3):
        tracker = await store.retrieve("resident")
        tracker.update_with_events(_turn(n, 10.0 + n), DOMAIN)
        await store.save(tracker)
    tracker = await store.retrieve("resident")
    tracker.update_with_events(SESSION_TWO + _turn(7, 60.0), DOMAIN)
    await store.save(tracker)
    tracker = await store.retrieve("resident")
    copy = tracker.copy()  # not handed out by the store: counted as before
    copy.update_with_events(_turn(8, 70.0), DOMAIN)
    await store.save(copy)


def _run(tmp_path, name: str) -> tuple[list[tuple], list[str], int]:
    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / f"{name}.db"))
    statements: list[str] = []
    connections = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    sa.event.listen(store.engine, "connect", lambda *a: connections.append(1))
    asyncio.run(_conversation(store))
    return _stored_rows(store), statements, len(connections)


def _stored_rows(store: SQLTrackerStore) -> list[tuple]:
    """Every row of the events table in order, without Rasa's own clock times; closes."""
    with store.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT sender_id, type_name, timestamp, intent_name, action_name, data"
                " FROM events ORDER BY id"
            )
        ).fetchall()
    store.engine.dispose()
    return [_without_clock_time(tuple(row)) for row in rows]


def _without_clock_time(row: tuple) -> tuple:
    """A row with the time of events Rasa stamps itself (the store's first one) left out."""
    sender, type_name, timestamp, intent, action, data = row
    if timestamp > 1_000_000:
        timestamp, data = None, json.dumps({**json.loads(data), "timestamp": None})
    return sender, type_name, timestamp, intent, action, data


@pytest.fixture
def rasas_own(monkeypatch):
    """Rasa's tracker store as shipped."""
    for owner, name, value in tracker_store.originals():
        monkeypatch.setattr(owner, name, value)


def test_the_same_rows_are_stored_with_fewer_queries_on_one_connection(
    tmp_path, rasas_own, monkeypatch
) -> None:
    rasa_rows, rasa_statements, rasa_connections = _run(tmp_path, "rasa")
    tracker_store.install()
    rows, statements, connections = _run(tmp_path, "ours")

    assert rows == rasa_rows
    assert len(rows) == 3 + 3 * 5 + 2 + 5 + 5
    counts = [s for s in statements if "count(" in s.lower()]
    assert len([s for s in rasa_statements if "count(" in s.lower()]) == 7
    assert len(counts) == 2  # the new tracker's first save, and the copy's
    assert connections == 0 < rasa_connections  # the one opened at start is kept


def test_a_retrieved_tracker_knows_how_much_is_stored(tmp_path, rasas_own) -> None:
    tracker_store.install()
    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))
    asyncio.run(_conversation(store))
    latest = asyncio.run(store.retrieve("resident"))
    full = asyncio.run(store.retrieve_full_tracker("resident"))
    assert getattr(latest, tracker_store.STORED) == len(latest.events) == 1 + 5 + 5
    assert not hasattr(full, tracker_store.STORED)


def test_event_classes_are_found_once_and_unknown_names_still_fail(rasas_own) -> None:
    tracker_store.install()
    assert Event.resolve_by_type("slot") is SlotSet
    assert tracker_store._event_classes["slot"] is SlotSet
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert "no_such_event" not in tracker_store._event_classes
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")


def test_postgresql_keeps_rasas_own_pool() -> None:
    url = "postgresql://user@127.0.0.1:5432/rasa"
    assert "poolclass" not in tracker_store.engine_kwargs(url)
    assert tracker_store.engine_kwargs("sqlite://") == {}


def test_keep_saved_holds_only_this_tasks_saves(tmp_path, rasas_own) -> None:
    """Another conversation saved while the block is open (its own task) is not kept."""
    tracker_store.install()
    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "t.db"))

    async def turn(sender: str) -> DialogueStateTracker:
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(UserUttered("hello", {"name": "greet", "confidence": 1.0}))
        await store.save(tracker)
        return tracker

    async def conversations() -> tuple[dict, DialogueStateTracker]:
        block_open = asyncio.Event()

        async def other() -> None:
            await block_open.wait()
            await turn("other")

        beside = asyncio.create_task(other())  # a request of its own, outside the block
        with tracker_store.keep_saved() as saved:
            block_open.set()
            await asyncio.sleep(0)
            mine = await turn("me")
            await beside
        await turn("later")  # after the block: kept nowhere
        return saved, mine

    saved, mine = asyncio.run(conversations())
    assert saved == {"me": mine}


def test_retrieved_trackers_hold_the_events_rasa_reads(tmp_path, rasas_own) -> None:
    """The latest session's and every session's events, as Rasa's own query gives them."""
    store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "r.db"))
    asyncio.run(_conversation(store))
    theirs = [
        asyncio.run(store.retrieve("resident")),
        asyncio.run(store.retrieve_full_tracker("resident")),
    ]
    tracker_store.install()
    ours = [
        asyncio.run(store.retrieve("resident")),
        asyncio.run(store.retrieve_full_tracker("resident")),
    ]
    assert asyncio.run(store.retrieve("nobody")) is None
    for mine, rasas in zip(ours, theirs, strict=True):
        assert list(mine.events) == list(rasas.events)
        assert mine.current_state() == rasas.current_state()
    assert len(ours[0].events) < len(ours[1].events)


def test_postgresql_stores_the_same_rows(postgres_url, rasas_own) -> None:
    """The one insert of a turn's rows gives PostgreSQL the rows Rasa's unit of work gave."""
    url = sa.engine.make_url(postgres_url)

    def rows_of_a_conversation() -> list[tuple]:
        store = SQLTrackerStore(
            DOMAIN, dialect="postgresql", host=url.host, port=url.port,
            db=url.database, username=url.username,
        )  # fmt: skip
        with store.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM events"))
        asyncio.run(_conversation(store))
        return _stored_rows(store)

    theirs = rows_of_a_conversation()
    tracker_store.install()
    assert rows_of_a_conversation() == theirs
    assert len(theirs) == 3 + 3 * 5 + 2 + 5 + 5
