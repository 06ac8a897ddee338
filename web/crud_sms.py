"""The SMS outbox: text messages waiting for (or handed to) the SMS gateway.

This module owns reading and writing ``sms_outbox``. Front Door queues texts here (a staff
member's message to a resident) and the staff console lists them at ``/staff/sms``; the
development SMS gateway in ``stand_in/sms/`` stores what the assistant sends through it here
too, so staff see every text in one place.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from web.core.db import begin_write
from web.models import SmsOutboxItem

logger = logging.getLogger(__name__)

SMS_STATUS_QUEUED = "queued"


def queue_text(
    session: Session, *, to_number: str, body: str, conversation_id: str
) -> SmsOutboxItem:
    """Put a text message in the outbox and commit.

    Args:
        session: the database session.
        to_number: a UK mobile number in E.164 form, already checked.
        body: the message.
        conversation_id: the assistant's conversation id, or ``""``.

    Returns:
        The stored row.
    """
    begin_write(session)
    row = SmsOutboxItem(
        created_at=datetime.now(timezone.utc),
        to_number=to_number,
        body=body,
        conversation_id=conversation_id,
        status=SMS_STATUS_QUEUED,
    )
    session.add(row)
    session.commit()
    logger.info("SMS %d queued in the outbox", row.id)
    return row


def newest_texts(session: Session, *, limit: int) -> list[SmsOutboxItem]:
    """The newest ``limit`` text messages, newest first."""
    query = sa.select(SmsOutboxItem).order_by(SmsOutboxItem.id.desc()).limit(limit)
    return list(session.execute(query).scalars())
