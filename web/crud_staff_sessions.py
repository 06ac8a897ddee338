"""Server-side staff sessions: a signed cookie is honoured only while its row exists.

Signing in stores the session (as the SHA-256 digest of its random id); signing out and
"Finish session" of a library assisted session delete it, so a copied cookie stops working
at once. Expired rows are removed when the same account signs in again.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from web.core.db import begin_write
from web.core.security import StaffSession
from web.session_models import StaffSessionRow


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def start_session(db: Session, staff_session: StaffSession, now: datetime | None = None) -> None:
    """Record a new session (and drop the account's expired ones), then commit."""
    now = now or _now()
    begin_write(db)
    db.execute(
        sa.delete(StaffSessionRow).where(
            StaffSessionRow.username == staff_session.username,
            StaffSessionRow.expires_at <= now,
        )
    )
    db.add(
        StaffSessionRow(
            session_hash=_digest(staff_session.session_id),
            username=staff_session.username,
            created_at=now,
            expires_at=staff_session.expires_at,
        )
    )
    db.commit()


def session_is_live(db: Session, staff_session: StaffSession, now: datetime | None = None) -> bool:
    """Whether the session was started here, for this account, and has not ended."""
    row = db.get(StaffSessionRow, _digest(staff_session.session_id))
    return (
        row is not None
        and row.username == staff_session.username
        and row.expires_at > (now or _now())
    )


def end_session(db: Session, staff_session: StaffSession) -> None:
    """End the session for good, then commit: its cookie is refused from now on."""
    begin_write(db)
    db.execute(
        sa.delete(StaffSessionRow).where(
            StaffSessionRow.session_hash == _digest(staff_session.session_id)
        )
    )
    db.commit()
