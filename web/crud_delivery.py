"""Database operations of safe delivery: idempotency keys and the undelivered list.

A create that carries an ``Idempotency-Key`` stores the key in the same transaction as the
record it creates (``remember``); the UNIQUE (scope, key) constraint makes the database
refuse a second one, however close together two attempts arrive. ``find`` answers a
retry with the first result.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from web.core.db import begin_write
from web.delivery_models import (
    IdempotencyKey,
    UndeliveredItem,
    UndeliveredNotice,
)

logger = logging.getLogger(__name__)

MAX_LISTED = 500


def _now() -> datetime:
    return datetime.now(timezone.utc)


def find_result(session: Session, *, scope: str, key: str) -> str | None:
    """Return the reference the first request with this key created, or None.

    Args:
        session: the database session.
        scope: the endpoint (``delivery_models.OPEN311_SCOPE`` or ``TRIAGE_SCOPE``).
        key: the request's ``Idempotency-Key``.
    """
    return session.execute(
        sa.select(IdempotencyKey.result_reference).where(
            IdempotencyKey.scope == scope, IdempotencyKey.key == key
        )
    ).scalar_one_or_none()


def remember(session: Session, *, scope: str, key: str, reference: str) -> None:
    """Add the key to the session's transaction, beside the record it created.

    The caller commits both together; an ``IntegrityError`` on commit means another
    request with the same key got there first (``find_result`` then names its record).
    """
    session.add(IdempotencyKey(scope=scope, key=key, result_reference=reference, created_at=_now()))


def save_undelivered(session: Session, *, notice: UndeliveredNotice) -> UndeliveredItem:
    """Add an item to the undelivered list, or update it when it failed again.

    Args:
        session: the database session.
        notice: what the assistant's outbox worker reported.

    Returns:
        The stored row.
    """
    begin_write(session)
    row = session.execute(
        sa.select(UndeliveredItem).where(UndeliveredItem.reference == notice.reference)
    ).scalar_one_or_none()
    if row is None:
        row = UndeliveredItem(reference=notice.reference)
        session.add(row)
    row.kind = notice.kind
    row.record_reference = notice.record_reference
    row.reason = notice.reason
    row.attempts = notice.attempts
    row.held_at = notice.held_at
    row.failed_at = notice.failed_at
    row.reported_at = _now()
    session.commit()
    logger.warning("Undelivered %s %s listed for staff", notice.kind, notice.reference)
    return row


def remove_undelivered(session: Session, *, reference: str) -> bool:
    """Take a delivered item off the list; False when it was not on it."""
    begin_write(session)
    result = session.execute(
        sa.delete(UndeliveredItem).where(UndeliveredItem.reference == reference)
    )
    session.commit()
    return bool(result.rowcount)


def list_undelivered(session: Session, *, limit: int = MAX_LISTED) -> list[UndeliveredItem]:
    """Every undelivered item, most recent failure first."""
    statement = (
        sa.select(UndeliveredItem)
        .order_by(UndeliveredItem.failed_at.desc(), UndeliveredItem.id.desc())
        .limit(limit)
    )
    return list(session.execute(statement).scalars())
