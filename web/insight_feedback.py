"""The web chat's "Did that answer your question?" for service insight (issue #18).

The resident's Yes or No is kept against the conversation's one-way id (the HMAC the
assistant's outcome events carry, ``lib/conversation_hash.py``), never the id itself, with
the time. A "no" given during a session whose outcome is ``self_served`` makes it
``not_answered``, which is not contained (``insight.CONTAINED_OUTCOMES``) and saves nothing:
when the feedback comes first, ``insight.record_event`` applies it as the event arrives;
when the event is already stored, ``record_feedback`` moves it and its counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lib.conversation_hash import conversation_hash
from web.core.db import begin_write
from web.insight import Outcome, change_outcome, outcome_after_feedback
from web.models import AnswerFeedback, OutcomeEvent


def record_feedback(
    session: Session,
    *,
    secret: str,
    sender_id: str,
    answered: bool,
    window_s: float,
    now: datetime | None = None,
) -> None:
    """Keep a resident's answer to "Did that answer your question?".

    Args:
        session: the database session.
        secret: ``INSIGHT_HASH_SECRET``, as the assistant's.
        sender_id: the assistant's conversation id (hashed here, never stored).
        answered: True for "Yes", False for "No".
        window_s: how long after a session's last event feedback still belongs to it
            (``INSIGHT_IDLE_SECONDS``).
        now: the time it was given (for tests).
    """
    begin_write(session)
    given_at = now or datetime.now(timezone.utc)
    digest = conversation_hash(secret, sender_id)
    session.add(AnswerFeedback(conversation_hash=digest, given_at=given_at, answered=answered))
    if not answered:
        stored = session.execute(
            sa.select(OutcomeEvent).where(
                OutcomeEvent.conversation_hash == digest,
                OutcomeEvent.outcome == Outcome.SELF_SERVED.value,
                OutcomeEvent.started_at <= given_at,
                OutcomeEvent.ended_at >= given_at - timedelta(seconds=window_s),
            )
        ).scalars()
        for row in stored:
            change_outcome(session, row, outcome_after_feedback(row.outcome, True))
    session.commit()
