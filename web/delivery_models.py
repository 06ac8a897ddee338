"""Tables and wire shapes of safe delivery: idempotency keys and undelivered items.

``idempotency_keys`` remembers, per endpoint (``scope``), which record the first request
with an ``Idempotency-Key`` header created, so a retry returns it and creates nothing new.
``undelivered_items`` is what the assistant's outbox reports it could not deliver because
these services refused it: staff see the list at ``/staff/undelivered``. Schema revision
0012 (``web/migrations/``) creates both (issue #15 item 6).
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from pydantic import BaseModel, Field, constr, validator

from lib.references import CANONICAL_IN_TEXT
from web.clean_input import cleaned
from web.models import Base, UTCDateTime

#: The ``scope`` of each endpoint that honours ``Idempotency-Key``.
OPEN311_SCOPE = "open311_request"
TRIAGE_SCOPE = "triage_record"

#: An outbox reference: ``HR-`` (a held report) or ``FD-`` (a triage record) and six characters;
#: any prefix of the reference scheme is accepted, so a new kind of held item needs no change.
OUTBOX_REFERENCE = rf"^(?:{CANONICAL_IN_TEXT.pattern})$"

#: What each kind of outbox item is, for staff.
KIND_LABELS = {
    "open311_request": "Street problem report",
    "triage_record": "Hand-off record",
    "triage_contact": "Contact details for a hand-off",
}


class IdempotencyKey(Base):
    """The record the first request carrying a key created (storage shape)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),)

    id = sa.Column(sa.Integer, primary_key=True)
    scope = sa.Column(sa.String(32), nullable=False)
    key = sa.Column(sa.String(100), nullable=False)
    result_reference = sa.Column(sa.String(16), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False)


class UndeliveredItem(Base):
    """An item the assistant could not deliver because it was refused (storage shape)."""

    __tablename__ = "undelivered_items"

    id = sa.Column(sa.Integer, primary_key=True)
    reference = sa.Column(sa.String(16), nullable=False, unique=True)
    kind = sa.Column(sa.String(32), nullable=False)
    record_reference = sa.Column(sa.String(16), nullable=False)
    reason = sa.Column(sa.String(500), nullable=False)
    attempts = sa.Column(sa.Integer, nullable=False)
    held_at = sa.Column(UTCDateTime, nullable=False)
    failed_at = sa.Column(UTCDateTime, nullable=False, index=True)
    reported_at = sa.Column(UTCDateTime, nullable=False)


class UndeliveredNotice(BaseModel):
    """What the assistant's outbox worker reports about a refused item (no personal data)."""

    reference: constr(regex=OUTBOX_REFERENCE)  # type: ignore[valid-type]
    kind: constr(min_length=1, max_length=32)  # type: ignore[valid-type]
    record_reference: constr(regex=OUTBOX_REFERENCE)  # type: ignore[valid-type]
    reason: constr(min_length=1, max_length=500)  # type: ignore[valid-type]
    attempts: int = Field(..., ge=0)
    held_at: datetime
    failed_at: datetime

    _clean = cleaned("kind", "reason")

    @validator("held_at", "failed_at")
    def _utc(cls, value: datetime) -> datetime:  # noqa: N805 - pydantic's validator
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


class UndeliveredPublic(UndeliveredNotice):
    """One undelivered item as the API returns it."""

    reported_at: datetime

    @classmethod
    def from_row(cls, row: UndeliveredItem) -> UndeliveredPublic:
        """Build from the stored row."""
        return cls(
            reference=row.reference,
            kind=row.kind,
            record_reference=row.record_reference,
            reason=row.reason,
            attempts=row.attempts,
            held_at=row.held_at,
            failed_at=row.failed_at,
            reported_at=row.reported_at,
        )


class UndeliveredList(BaseModel):
    """Every undelivered item, most recent failure first."""

    count: int
    data: list[UndeliveredPublic]
