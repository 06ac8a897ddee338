"""The outbox table: reports kept on the assistant's side until the CRM takes them.

An item is written in the same step that tells the resident their report is held, so a
report is never lost: it stays ``pending`` until delivered, and a report the CRM rejects
stays as ``failed`` for a person to look at.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    select,
    update,
)
from sqlalchemy.engine import Engine

from lib.references import REFERENCE_ALPHABET

HOLDING_PREFIX = "HR"

metadata = MetaData()

outbox_items = Table(
    "outbox_items",
    metadata,
    Column("reference", String(16), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("payload", Text, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, index=True),
    Column("last_error", Text),
    Column("delivered_id", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def new_holding_reference() -> str:
    """A fresh reference the resident can quote for a held report (``HR-XXXXXX``)."""
    suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"{HOLDING_PREFIX}-{suffix}"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes; everything stored is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


@dataclass(frozen=True)
class HeldItem:
    """One outbox row."""

    reference: str
    kind: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    delivered_id: str | None
    created_at: datetime


class Outbox:
    """Reads and writes the outbox table of one database."""

    def __init__(self, database_url: str) -> None:
        self._engine = _make_engine(database_url)
        metadata.create_all(self._engine)

    @property
    def engine(self) -> Engine:
        """The underlying engine (tests use it to inspect rows)."""
        return self._engine

    def hold(self, kind: str, payload: dict[str, Any], reference: str | None = None) -> str:
        """Store an item for delivery and return its reference.

        Args:
            kind: what the item is (the worker picks the deliverer by it).
            payload: the JSON-safe body to deliver.
            reference: the item's own reference when the resident was already given one
                (a triage record's ``FD-`` reference); a new ``HR-`` one otherwise.
        """
        now = _utcnow()
        for _ in range(5):
            reference = reference or new_holding_reference()
            with self._engine.begin() as conn:
                exists = conn.execute(
                    select(outbox_items.c.reference).where(outbox_items.c.reference == reference)
                ).first()
                if exists:
                    reference = None
                    continue
                conn.execute(
                    outbox_items.insert().values(
                        reference=reference,
                        kind=kind,
                        payload=json.dumps(payload),
                        status=PENDING,
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
            return reference
        raise RuntimeError("could not allocate a unique holding reference")

    def get(self, reference: str) -> HeldItem | None:
        """One item by holding reference."""
        with self._engine.connect() as conn:
            row = conn.execute(
                select(outbox_items).where(outbox_items.c.reference == reference)
            ).first()
        return _to_item(row) if row else None

    def due(self, limit: int = 20) -> list[HeldItem]:
        """Pending items whose next attempt time has come, oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(outbox_items)
                .where(outbox_items.c.status == PENDING)
                .where(outbox_items.c.next_attempt_at <= _utcnow())
                .order_by(outbox_items.c.created_at)
                .limit(limit)
            ).all()
        return [_to_item(row) for row in rows]

    def pending_count(self) -> int:
        """How many items still wait for delivery."""
        with self._engine.connect() as conn:
            return conn.execute(
                select(func.count())
                .select_from(outbox_items)
                .where(outbox_items.c.status == PENDING)
            ).scalar_one()

    def mark_delivered(self, reference: str, delivered_id: str) -> None:
        """Record the id the council services gave the item."""
        self._update(reference, status=DELIVERED, delivered_id=delivered_id, delivered_at=_utcnow())

    def mark_retry(self, reference: str, attempts: int, delay_s: float, error: str) -> None:
        """Schedule another attempt after ``delay_s`` seconds."""
        self._update(
            reference,
            attempts=attempts,
            last_error=error[:500],
            next_attempt_at=_utcnow() + timedelta(seconds=delay_s),
        )

    def mark_failed(self, reference: str, attempts: int, error: str) -> None:
        """Stop retrying: the council services refused the item; a person must look."""
        self._update(reference, status=FAILED, attempts=attempts, last_error=error[:500])

    def purge_delivered(self, older_than: datetime) -> int:
        """Delete delivered items created before ``older_than``; returns how many.

        Pending and failed items are never purged: they are reports not yet with the council.
        """
        with self._engine.begin() as conn:
            result = conn.execute(
                outbox_items.delete()
                .where(outbox_items.c.status == DELIVERED)
                .where(outbox_items.c.created_at < older_than)
            )
        return int(result.rowcount or 0)

    def _update(self, reference: str, **values: Any) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(outbox_items).where(outbox_items.c.reference == reference).values(**values)
            )


def _make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        return create_engine(
            database_url, future=True, connect_args={"timeout": 15, "check_same_thread": False}
        )
    return create_engine(database_url, future=True, pool_pre_ping=True)


def _to_item(row: Any) -> HeldItem:
    return HeldItem(
        reference=row.reference,
        kind=row.kind,
        payload=json.loads(row.payload),
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=_aware(row.next_attempt_at),
        last_error=row.last_error,
        delivered_id=row.delivered_id,
        created_at=_aware(row.created_at),
    )
