"""The outbox table: reports kept on the assistant's side until the CRM takes them.

An item is written in the same step that tells the resident their report is held, so a
report is never lost: it stays ``pending`` until delivered, and a report the CRM refuses
stays as ``failed``, with its reason, for staff to see (``python -m bot outbox list``, and
the council services' ``/staff/undelivered`` page once the worker has told them).

Items of one record share a ``group_key`` (the record's reference) and are delivered in
the order they were held: an urgent record's contact details wait until the record itself
is delivered (issue #15 item 6). Each item carries an idempotency key, sent with every
attempt, so a retry after a timeout never creates a second report.
"""

from __future__ import annotations

import json
import uuid
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
    and_,
    exists,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine

from lib import sqlite
from lib.references import new_reference

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
    # Added for issue #15 item 6; older tables get them at start-up (``_add_new_columns``).
    Column("group_key", String(16), index=True),
    Column("idempotency_key", String(64)),
    Column("failed_at", DateTime(timezone=True)),
    Column("reported_at", DateTime(timezone=True)),
)

#: Columns added after the table first shipped, with their SQL type.
_NEW_COLUMNS = {
    "group_key": "VARCHAR(16)",
    "idempotency_key": "VARCHAR(64)",
    "failed_at": "TIMESTAMP",
    "reported_at": "TIMESTAMP",
}

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


def new_holding_reference() -> str:
    """A fresh reference the resident can quote for a held report (``HR-XXXXXX``)."""
    return new_reference(HOLDING_PREFIX)


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
    #: The record the item belongs to: items of one group are delivered in order.
    group_key: str | None = None
    #: Sent with every attempt, so a retried create is recognised.
    idempotency_key: str | None = None
    failed_at: datetime | None = None
    #: When the council services' staff console was told of the failure.
    reported_at: datetime | None = None


class Outbox:
    """Reads and writes the outbox table of one database."""

    def __init__(self, database_url: str) -> None:
        self._engine = sqlite.create_engine(database_url)
        # Every write takes SQLite's write lock first: short, and never "database is locked".
        self._writer = self._engine.execution_options(**{sqlite.BEGIN_OPTION: "IMMEDIATE"})
        sqlite.create_tables(metadata, self._engine)
        _add_new_columns(self._engine)

    @property
    def engine(self) -> Engine:
        """The underlying engine (tests use it to inspect rows)."""
        return self._engine

    def hold(
        self,
        kind: str,
        payload: dict[str, Any],
        reference: str | None = None,
        *,
        group: str | None = None,
        idempotency_key: str | None = None,
    ) -> str:
        """Store an item for delivery and return its reference.

        Args:
            kind: what the item is (the worker picks the deliverer by it).
            payload: the JSON-safe body to deliver.
            reference: the item's own reference when the resident was already given one
                (a triage record's ``FD-`` reference); a new ``HR-`` one otherwise.
            group: the record the item belongs to (its own reference when None); it is
                delivered only after every earlier item of the group.
            idempotency_key: the key already sent with a first attempt, if any; a new
                one otherwise.
        """
        now = _utcnow()
        key = idempotency_key or payload.get("idempotency_key") or uuid.uuid4().hex
        for _ in range(5):
            reference = reference or new_holding_reference()
            with self._writer.begin() as conn:
                found = conn.execute(
                    select(outbox_items.c.reference).where(outbox_items.c.reference == reference)
                ).first()
                if found:
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
                        group_key=group or reference,
                        idempotency_key=str(key)[:64],
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
        """Pending items whose time has come and whose group has nothing earlier waiting.

        Oldest first. An item waits while an earlier item of its group is pending or failed.
        """
        earlier = outbox_items.alias("earlier")
        waiting_behind = exists().where(
            and_(
                earlier.c.group_key == outbox_items.c.group_key,
                earlier.c.status != DELIVERED,
                earlier.c.created_at < outbox_items.c.created_at,
            )
        )
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(outbox_items)
                .where(outbox_items.c.status == PENDING)
                .where(outbox_items.c.next_attempt_at <= _utcnow())
                .where(~waiting_behind)
                .order_by(outbox_items.c.created_at)
                .limit(limit)
            ).all()
        return [_to_item(row) for row in rows]

    def behind_failed(self) -> list[tuple[HeldItem, str]]:
        """Pending items stuck behind a failed item of their group, with that item's reference."""
        earlier = outbox_items.alias("earlier")
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(outbox_items, earlier.c.reference.label("blocker"))
                .join(
                    earlier,
                    and_(
                        earlier.c.group_key == outbox_items.c.group_key,
                        earlier.c.created_at < outbox_items.c.created_at,
                    ),
                )
                .where(outbox_items.c.status == PENDING, earlier.c.status == FAILED)
                .order_by(outbox_items.c.created_at)
            ).all()
        found: dict[str, tuple[HeldItem, str]] = {}
        for row in rows:
            found.setdefault(row.reference, (_to_item(row), row.blocker))
        return list(found.values())

    def undelivered(self, group: str) -> str | None:
        """``failed`` or ``pending`` while an item of the group is (failed first); else None.

        Anything new for the group must go behind such an item, never before it.
        """
        with self._engine.connect() as conn:
            statuses = set(
                conn.execute(
                    select(outbox_items.c.status)
                    .where(outbox_items.c.group_key == group)
                    .where(outbox_items.c.status != DELIVERED)
                    .distinct()
                ).scalars()
            )
        return FAILED if FAILED in statuses else PENDING if statuses else None

    def failed(self, limit: int = 200) -> list[HeldItem]:
        """Items the council services refused, most recent failure first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(outbox_items)
                .where(outbox_items.c.status == FAILED)
                .order_by(outbox_items.c.failed_at.desc(), outbox_items.c.created_at.desc())
                .limit(limit)
            ).all()
        return [_to_item(row) for row in rows]

    def unreported_failures(self) -> list[HeldItem]:
        """Failed items the staff console has not been told about yet."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(outbox_items)
                .where(outbox_items.c.status == FAILED)
                .where(outbox_items.c.reported_at.is_(None))
                .order_by(outbox_items.c.created_at)
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
        """Stop retrying: the council services refused the item; a person must look.

        The reason is kept, and the staff console is told on the worker's next pass.
        """
        self._update(
            reference,
            status=FAILED,
            attempts=attempts,
            last_error=(error or "refused without a reason")[:500],
            failed_at=_utcnow(),
            reported_at=None,
        )

    def mark_reported(self, reference: str) -> None:
        """The staff console now shows this failed item."""
        self._update(reference, reported_at=_utcnow())

    def retry(self, reference: str) -> HeldItem | None:
        """Queue a failed item (and the failed items behind it in its group) again.

        Returns:
            The item, now pending; None when there is no failed item by that reference.
        """
        item = self.get(reference)
        if item is None or item.status != FAILED:
            return None
        with self._writer.begin() as conn:
            conn.execute(
                update(outbox_items)
                .where(outbox_items.c.status == FAILED)
                .where(
                    (outbox_items.c.reference == reference)
                    | and_(
                        outbox_items.c.group_key == item.group_key,
                        outbox_items.c.created_at > item.created_at,
                    )
                )
                .values(status=PENDING, next_attempt_at=_utcnow())
            )
        return self.get(reference)

    def purge_delivered(self, older_than: datetime) -> int:
        """Delete delivered items created before ``older_than``; returns how many.

        Pending and failed items are never purged: they are reports not yet with the council.
        """
        with self._writer.begin() as conn:
            result = conn.execute(
                outbox_items.delete()
                .where(outbox_items.c.status == DELIVERED)
                .where(outbox_items.c.created_at < older_than)
            )
        return int(result.rowcount or 0)

    def _update(self, reference: str, **values: Any) -> None:
        with self._writer.begin() as conn:
            conn.execute(
                update(outbox_items).where(outbox_items.c.reference == reference).values(**values)
            )


def _add_new_columns(engine: Engine) -> None:
    """Give an outbox table made by an earlier release the columns added since."""
    present = {column["name"] for column in inspect(engine).get_columns("outbox_items")}
    missing = [name for name in _NEW_COLUMNS if name not in present]
    if not missing:
        return
    # Two processes may start at once: PostgreSQL can skip a column the other just added.
    guard = "IF NOT EXISTS " if engine.dialect.name == "postgresql" else ""
    # SQLite: take the write lock first, then look again, as another process may have
    # added them while this one waited.
    with engine.execution_options(**{sqlite.BEGIN_OPTION: "IMMEDIATE"}).begin() as conn:
        present = {column["name"] for column in inspect(conn).get_columns("outbox_items")}
        missing = [name for name in _NEW_COLUMNS if name not in present]
        for name in missing:
            conn.execute(
                text(f"ALTER TABLE outbox_items ADD COLUMN {guard}{name} {_NEW_COLUMNS[name]}")
            )
        # Each earlier item is its own group.
        conn.execute(
            update(outbox_items)
            .where(outbox_items.c.group_key.is_(None))
            .values(group_key=outbox_items.c.reference)
        )


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
        group_key=row.group_key,
        idempotency_key=row.idempotency_key,
        failed_at=_aware(row.failed_at),
        reported_at=_aware(row.reported_at),
    )
