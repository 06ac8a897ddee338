"""The insight worker: posts one outcome event per ended conversation session (issue #10).

It reads Rasa's SQL tracker store (the ``events`` table, as ``workers/retention.py`` does),
splits each recently active conversation into sessions (``workers/outcomes.py``), and posts
every session that has ended (a newer session started, or ``INSIGHT_IDLE_SECONDS`` passed
without an event) to the council services. The keys of the sessions it delivered are kept
in the assistant's own database (``insight_delivered``), and the council services store
one event per conversation and session start, so the worker is idempotent: a restart, a
lost answer or two workers never count a session twice. A conversation whose sessions have
all ended and been delivered is not read again until it has a newer event, nor one whose
last session is still open until it goes idle, so a round costs one query when nothing has
changed, however many conversations the lookback holds.

A poison item never stops the worker: a conversation or session that cannot be read,
turned into an event or encoded (a lone surrogate stored during the review did all three)
is set aside. It is logged, counted (``InsightWorker.set_aside``), kept with the reason in
``insight_set_aside`` for staff (``python -m bot insight-set-aside`` lists them) and not
tried again; the rest are delivered as usual.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from integrations.insight import InsightClient, InsightRejected, InsightUnavailable
from lib.sqlite import create_engine, create_tables
from workers.outcomes import OutcomeRules, Session, derive_event, split_sessions

logger = logging.getLogger(__name__)

metadata = MetaData()
insight_delivered = Table(
    "insight_delivered",
    metadata,
    Column("session_key", String(200), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=False),
)
#: Poison items the worker set aside, with the reason (never the conversation's text).
insight_set_aside = Table(
    "insight_set_aside",
    metadata,
    Column("item_key", String(200), primary_key=True),
    Column("reason", String(300), nullable=False),
    Column("set_aside_at", DateTime(timezone=True), nullable=False),
)
SET_ASIDE = "set_aside"
#: The key that sets aside a whole conversation (its events could not be read).
_WHOLE = "@conversation"


@dataclass(frozen=True)
class SetAside:
    """One item the worker set aside, for staff."""

    key: str
    status: str
    reason: str
    at: datetime


def _reason(error: BaseException) -> str:
    """What went wrong, short and printable (a poison character is escaped, never copied)."""
    text = f"{type(error).__name__}: {error}"
    return text.encode("ascii", "backslashreplace").decode("ascii")[:300]


def session_key(session: Session) -> str:
    """The idempotency key of a session: the conversation and its start, never shown."""
    return f"{session.sender_id}@{session.started_at:.6f}"


def _as_dict(type_name: str, timestamp: float, data: str | None) -> dict[str, Any]:
    try:
        event = json.loads(data) if data else {}
    except ValueError:
        event = {}
    if not isinstance(event, dict):
        event = {}
    event.setdefault("event", type_name)
    event.setdefault("timestamp", timestamp)
    return event


class InsightWorker:
    """Derives and posts outcome events from the tracker store."""

    def __init__(
        self,
        tracker_store_url: str,
        database_url: str,
        client: InsightClient,
        rules: OutcomeRules,
        secret: str,
        idle_s: float,
        lookback_s: float,
    ) -> None:
        self.tracker: Engine = create_engine(tracker_store_url)
        self.store: Engine = create_engine(database_url)
        create_tables(metadata, self.store)
        self.client = client
        self.rules = rules
        self.secret = secret
        self.idle_s = idle_s
        self.lookback_s = lookback_s
        #: Items set aside by this process.
        self.set_aside = 0
        #: Conversations with nothing to post until a newer event or a time, by sender:
        #: (the id of their newest event when read, the time until which nothing changes).
        #: A settled one (every session ended and delivered, refused or set aside) waits
        #: for ever; one whose last session is still open waits until it goes idle. So a
        #: round reads only what changed, not every conversation of the lookback.
        self._quiet: dict[str, tuple[int, float]] = {}
        #: How many conversations this process has read (for its tests and benchmark).
        self.conversations_read = 0

    def _recent_conversations(self, now: float) -> dict[str, int]:
        """Conversations with an event within the lookback, with their newest event's id."""
        if not inspect(self.tracker).has_table("events"):
            return {}
        query = text(
            "SELECT sender_id, MAX(id) FROM events GROUP BY sender_id "
            "HAVING MAX(timestamp) >= :since"
        )
        with self.tracker.connect() as connection:
            rows = connection.execute(query, {"since": now - self.lookback_s})
            return {str(row[0]): int(row[1]) for row in rows}

    def _events(self, sender_id: str) -> list[dict[str, Any]]:
        query = text(
            "SELECT type_name, timestamp, data FROM events WHERE sender_id = :sender ORDER BY id"
        )
        with self.tracker.connect() as connection:
            rows = connection.execute(query, {"sender": sender_id})
            return [_as_dict(row[0], float(row[1] or 0), row[2]) for row in rows]

    def _delivered(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        query = select(insight_delivered.c.session_key).where(
            insight_delivered.c.session_key.in_(keys)
        )
        with self.store.connect() as connection:
            return {row[0] for row in connection.execute(query)}

    def _mark(self, key: str, status: str) -> None:
        try:
            with self.store.begin() as connection:
                connection.execute(
                    insight_delivered.insert().values(
                        session_key=key, status=status, delivered_at=datetime.now(timezone.utc)
                    )
                )
        except IntegrityError:  # another worker got there first
            pass

    def _set_aside(self, key: str, error: BaseException) -> None:
        """Record a poison item so it is never tried again; log and count it."""
        self.set_aside += 1
        reason = _reason(error)
        logger.error("Insight item set aside (%d so far): %s", self.set_aside, reason)
        now = datetime.now(timezone.utc)
        try:
            with self.store.begin() as connection:
                connection.execute(
                    insight_set_aside.insert().values(item_key=key, reason=reason, set_aside_at=now)
                )
                if not key.endswith(_WHOLE):
                    connection.execute(
                        insight_delivered.insert().values(
                            session_key=key, status=SET_ASIDE, delivered_at=now
                        )
                    )
        except IntegrityError:  # another worker set it aside first
            pass

    def _whole_conversations_set_aside(self) -> set[str]:
        query = select(insight_set_aside.c.item_key).where(
            insight_set_aside.c.item_key.like(f"%{_WHOLE}")
        )
        with self.store.connect() as connection:
            return {row[0][: -len(_WHOLE)] for row in connection.execute(query)}

    def ended_sessions(self, now: float | None = None) -> list[Session]:
        """Ended sessions of recently active conversations not yet delivered or set aside."""
        now = time.time() if now is None else now
        ended: list[Session] = []
        skipped = self._whole_conversations_set_aside()
        recent = self._recent_conversations(now)
        # Forget what changed and what left the lookback: the memo is never larger than it.
        self._quiet = {
            sender_id: (last_id, until)
            for sender_id, (last_id, until) in self._quiet.items()
            if recent.get(sender_id) == last_id and now < until
        }
        for sender_id, last_id in recent.items():
            if sender_id in skipped or sender_id in self._quiet:
                continue
            self.conversations_read += 1
            try:
                sessions = split_sessions(sender_id, self._events(sender_id), self.idle_s)
            except OperationalError:
                raise
            except Exception as error:  # noqa: BLE001 - a poison conversation: set it aside
                self._set_aside(sender_id + _WHOLE, error)
                continue
            over = [session for session in sessions if session.has_ended(now, self.idle_s)]
            done = self._delivered([session_key(session) for session in over])
            waiting = [session for session in over if session_key(session) not in done]
            ended.extend(waiting)
            if not waiting:
                # Nothing to post until a newer event, or until the open session goes idle.
                until = math.inf if len(over) == len(sessions) else sessions[-1].last_at
                self._quiet[sender_id] = (last_id, until + self.idle_s)
        return ended

    async def run_once(self, now: float | None = None) -> int:
        """Post every ended session not yet delivered.

        Returns:
            How many events the council services took in this round.
        """
        try:
            sessions = self.ended_sessions(now)
        except OperationalError as error:  # e.g. SQLite busy: try again next round
            logger.warning("Tracker store not readable now: %s", type(error).__name__)
            return 0
        posted = 0
        for session in sessions:
            try:
                event = derive_event(session, self.rules, self.secret)
                # Encode once here: an event no HTTP client can send is poison, not an outage.
                json.dumps(event, ensure_ascii=False).encode("utf-8")
            except Exception as error:  # noqa: BLE001 - a poison session: set it aside
                self._set_aside(session_key(session), error)
                continue
            try:
                await self.client.post_event(event)
            except InsightUnavailable as error:
                logger.warning("Council services unavailable for insight events: %s", error)
                return posted
            except InsightRejected as error:
                logger.error("Outcome event %s refused: %s", event["conversation_hash"][:8], error)
                self._mark(session_key(session), "rejected")
                continue
            self._mark(session_key(session), "delivered")
            posted += 1
            logger.info(
                "Outcome event %s: %s, %s",
                event["conversation_hash"][:8],
                event["journey"],
                event["outcome"],
            )
        return posted

    async def run_forever(self, poll_s: float) -> None:
        """Keep posting until cancelled; an unexpected failure of one round is logged."""
        while True:
            try:
                await self.run_once()
            except Exception:  # noqa: BLE001 - the next round tries again
                logger.exception("Insight round failed; trying again in %.0f s", poll_s)
            await asyncio.sleep(poll_s)

    def close(self) -> None:
        """Release the database connections."""
        self.tracker.dispose()
        self.store.dispose()


def set_aside_sessions(database_url: str) -> list[SetAside]:
    """The items the worker set aside, newest first (for staff and operators)."""
    engine = create_engine(database_url)
    try:
        if not inspect(engine).has_table("insight_set_aside"):
            return []
        query = select(insight_set_aside).order_by(insight_set_aside.c.set_aside_at.desc())
        with engine.connect() as connection:
            return [
                SetAside(row.item_key, SET_ASIDE, row.reason, row.set_aside_at)
                for row in connection.execute(query)
            ]
    finally:
        engine.dispose()


def purge_delivered(database_url: str, older_than_days: int) -> int:
    """Forget delivery keys (they hold sender ids) past the transcript retention.

    The conversations behind them are purged from the tracker store at the same age, so a
    forgotten key can never be delivered twice.

    Returns:
        How many keys were removed.
    """
    engine = create_engine(database_url)
    try:
        if not inspect(engine).has_table("insight_delivered"):
            return 0
        cutoff = datetime.now(timezone.utc) - timedelta(days=older_than_days)
        with engine.begin() as connection:
            result = connection.execute(
                insight_delivered.delete().where(insight_delivered.c.delivered_at < cutoff)
            )
            if inspect(connection).has_table("insight_set_aside"):
                connection.execute(
                    insight_set_aside.delete().where(insight_set_aside.c.set_aside_at < cutoff)
                )
        return int(result.rowcount or 0)
    finally:
        engine.dispose()
