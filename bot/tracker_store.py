"""Rasa's SQL tracker store doing less work per message, with the same rows stored.

Profiled on a whole turn (SQLite, one conversation), the tracker store took about a fifth
of Rasa's CPU per message. Five parts of that were waste, and ``install`` removes them:

* **A connection per session.** For a SQLite file SQLAlchemy 1.4 opens a new connection
  for every session and closes it after (``NullPool``); each open repeats the pragmas and
  each close of the last connection checkpoints the write-ahead log. A pool keeps one
  open. PostgreSQL already has Rasa's pool and is left as it is.
* **Counting what is stored before each save.** ``save`` stores the events not yet stored,
  and finds where they start by counting the conversation's rows since its latest session
  start. The tracker the store handed out already knows that number (the rows it was made
  from), and after a save it is the tracker's length, so the count query goes. A tracker
  the store did not hand out (a copy, one built from posted events) is counted as before.
  One message of a conversation is handled at a time (Rasa's lock store), so nothing
  else stores events between the read and the save.
* **Finding each event's class by walking every subclass of Event.** Done for every event
  read back; the class for each event name is now remembered.
* **Loading each stored event as an ORM object** (all its columns, SQLAlchemy's identity
  map) to read one column, its JSON: the same query now asks for that column alone.
* **Saving each new event as an ORM object** flushed by the session's unit of work: the
  same rows now go in as one insert with a parameter set each.

A channel that needs the tracker after a turn (the phone line decides how a call goes on
from the intent and the events of the turn) reads the one just saved with
:func:`keep_saved` instead of reading it back from the database.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa
from rasa.core import tracker_store as rasa_tracker_store
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

#: The attribute a tracker handed out by the store carries: how many of its events are
#: stored already.
STORED = "_front_door_stored_events"
#: Connections kept open to a SQLite tracker store (Rasa serves from one thread).
SQLITE_POOL_SIZE = 2

_original_engine_kwargs = rasa_tracker_store.create_engine_kwargs
_original_additional_events = SQLTrackerStore._additional_events
_original_resolve_by_type = Event.resolve_by_type
_event_classes: dict[str, type[Event]] = {}
#: The trackers saved by the task inside :func:`keep_saved`, by conversation id.
_saved_here: ContextVar[dict[str, DialogueStateTracker] | None] = ContextVar(
    "front_door_saved_trackers", default=None
)


@contextmanager
def keep_saved() -> Iterator[dict[str, DialogueStateTracker]]:
    """The trackers this task saves inside the block, by conversation id.

    A context variable, so only saves made by the same task (the message handled by the
    awaiting channel) are kept, never another conversation's running beside it.
    """
    saved: dict[str, DialogueStateTracker] = {}
    token = _saved_here.set(saved)
    try:
        yield saved
    finally:
        _saved_here.reset(token)


def engine_kwargs(url: Any) -> dict[str, Any]:
    """Rasa's engine options, plus a small pool of connections for a SQLite file."""
    kwargs = dict(_original_engine_kwargs(url))
    parsed = sa.engine.make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
        kwargs.setdefault("poolclass", sa.pool.QueuePool)
        kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
        connect_args = dict(kwargs.get("connect_args", {}))
        connect_args.setdefault("check_same_thread", False)
        kwargs["connect_args"] = connect_args
    return kwargs


async def retrieve_counted(
    self: SQLTrackerStore, sender_id: str, fetch_events_from_all_sessions: bool
) -> DialogueStateTracker | None:
    """Rasa's ``_retrieve``, reading only the events' JSON.

    A tracker of the latest session knows how much is stored. Rasa's query loads each row
    as an ORM object (every column, the identity map) only to read its ``data``; the same
    query asking for that one column gives the same events.
    """
    with self.session_scope() as session:
        query = self._event_query(
            session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions
        )
        events = [json.loads(data) for (data,) in query.with_entities(self.SQLEvent.data)]
    if not self.domain or not events:
        return None
    tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
    if not fetch_events_from_all_sessions:
        setattr(tracker, STORED, len(tracker.events))
    return tracker


def additional_events(
    self: SQLTrackerStore, session: Any, tracker: DialogueStateTracker
) -> Iterator[Event]:
    """The events not yet stored: known for a tracker the store handed out, else counted."""
    stored = getattr(tracker, STORED, None)
    if stored is None:
        return _original_additional_events(self, session, tracker)
    return itertools.islice(tracker.events, stored, len(tracker.events))


def event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The row Rasa's ``save`` stores for ``event`` (its columns, its JSON)."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


async def save_counted(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    """Rasa's ``save`` as one insert of the new rows; then every event is stored.

    Rasa adds an ORM object per event and lets the session's unit of work flush them; the
    same rows, in the same order, go in as one statement with many parameter sets.
    """
    await self.stream_events(tracker)
    with self.session_scope() as session:
        rows = [
            event_row(tracker.sender_id, event)
            for event in self._additional_events(session, tracker)
        ]
        if rows:
            session.execute(sa.insert(self.SQLEvent.__table__), rows)
        session.commit()
    setattr(tracker, STORED, len(tracker.events))
    saved = _saved_here.get()
    if saved is not None:
        saved[tracker.sender_id] = tracker


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Rasa's ``Event.resolve_by_type``, remembering the class found for each name."""
    found = _event_classes.get(type_name)
    if found is None:
        found = _original_resolve_by_type(type_name, default)
        if found is not None and found.type_name == type_name:
            _event_classes[type_name] = found
    return found


def _replacements() -> list[tuple[Any, str, Any]]:
    """What :func:`install` puts in place, as (owner, attribute, Front Door's value)."""
    return [
        (rasa_tracker_store, "create_engine_kwargs", engine_kwargs),
        (SQLTrackerStore, "_retrieve", retrieve_counted),
        (SQLTrackerStore, "_additional_events", additional_events),
        (SQLTrackerStore, "save", save_counted),
        (Event, "resolve_by_type", staticmethod(resolve_by_type)),
    ]


#: Rasa's own values of what :func:`install` replaces, read before any install.
_RASAS_OWN = [(owner, name, vars(owner)[name]) for owner, name, _ in _replacements()]


def originals() -> list[tuple[Any, str, Any]]:
    """What :func:`install` replaces, as (owner, attribute, Rasa's own value), to put back."""
    return list(_RASAS_OWN)


def install() -> None:
    """Pool SQLite connections, skip the count before a save, remember event classes."""
    for owner, name, value in _replacements():
        setattr(owner, name, value)
