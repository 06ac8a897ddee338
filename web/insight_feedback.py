"""Service insight's "Did that answer your question?" (issue #18).

The web chat (``POST /chat/feedback``) and the phone line (the assistant, through
``POST /api/v1/insight/feedback``) both ask. The resident's Yes or No is kept against the
conversation's one-way id (the HMAC the assistant's outcome events carry,
``lib/conversation_hash.py``), never the id itself, with the time and the channel. A "no"
given during a session whose outcome is ``self_served`` makes it ``not_answered``, which
is not contained (``insight.CONTAINED_OUTCOMES``) and saves nothing: when the feedback
comes first, ``insight.record_event`` applies it as the event arrives;
when the event is already stored, ``record_answer`` moves it and its counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from pydantic import BaseModel, Field, StrictBool, StrictStr, validator
from sqlalchemy.orm import Session

from lib.conversation_hash import conversation_hash
from web.core.db import begin_write
from web.insight import CHANNELS, Outcome, change_outcome, outcome_after_feedback
from web.models import AnswerFeedback, OutcomeEvent


class AnswerFeedbackIn(BaseModel):
    """What the assistant posts when a caller answers the question. No personal data."""

    conversation_hash: StrictStr = Field(..., regex=r"^[0-9a-f]{16,64}$")
    answered: StrictBool
    channel: StrictStr

    @validator("channel")
    def _channel(cls, value: str) -> str:
        if value not in CHANNELS:
            raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
        return value


def record_feedback(
    session: Session,
    *,
    secret: str,
    sender_id: str,
    answered: bool,
    window_s: float,
    now: datetime | None = None,
) -> None:
    """Keep a web chat resident's answer to "Did that answer your question?".

    Args:
        session: the database session.
        secret: ``INSIGHT_HASH_SECRET``, as the assistant's.
        sender_id: the assistant's conversation id (hashed here, never stored).
        answered: True for "Yes", False for "No".
        window_s: how long after a session's last event feedback still belongs to it
            (``INSIGHT_IDLE_SECONDS``).
        now: the time it was given (for tests).
    """
    given = AnswerFeedbackIn(
        conversation_hash=conversation_hash(secret, sender_id), answered=answered, channel="web"
    )
    record_answer(session, given, window_s=window_s, now=now)


def record_answer(
    session: Session, given: AnswerFeedbackIn, *, window_s: float, now: datetime | None = None
) -> None:
    """Keep an answer already named by the conversation's one-way id, from any channel.

    Args:
        session: the database session.
        given: the conversation's HMAC, the answer and the channel.
        window_s: how long after a session's last event feedback still belongs to it.
        now: the time it was given (for tests).
    """
    begin_write(session)
    given_at = now or datetime.now(timezone.utc)
    digest, answered = given.conversation_hash, given.answered
    session.add(
        AnswerFeedback(
            conversation_hash=digest, given_at=given_at, answered=answered, channel=given.channel
        )
    )
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
