"""Tables of Front Door's own web service, and the declarative base every table shares.

This module owns the SQLAlchemy tables of the triage queue, staff accounts, service
insight and the SMS outbox (the latest schema; the revisions in ``web/migrations/`` build
it, the development stand-in's tables in ``stand_in/`` included). ``Base`` and
``UTCDateTime`` are shared with the other ``*_models.py`` modules and the stand-in.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def utc_isoformat(value: datetime) -> str:
    """Format a datetime as W3C/ISO 8601 in UTC to the second, e.g. ``2026-11-23T10:15:00+00:00``.

    Args:
        value: an aware datetime (a naive one is taken to be UTC).

    Returns:
        The formatted timestamp.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    PostgreSQL keeps it as ``timestamptz``; SQLite has no time zones, so the UTC wall time
    is stored and UTC is attached again when reading.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Convert an aware datetime to UTC before storing it."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a time zone first")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> Any:
        """Return the stored timestamp as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# --- Tables ---------------------------------------------------------------------------------


class TriageRecord(Base):
    """A hand-off from the assistant to a person (storage shape; contract section 6).

    ``transcript`` and ``contact`` are personal data: only authenticated staff see them, every
    read is written to ``triage_audit``, and ``purge`` empties old transcripts.
    """

    __tablename__ = "triage_records"

    id = sa.Column(sa.Integer, primary_key=True)
    reference = sa.Column(sa.String(16), nullable=False, unique=True)
    created_at = sa.Column(UTCDateTime, nullable=False, index=True)
    updated_at = sa.Column(UTCDateTime, nullable=False)
    conversation_id = sa.Column(sa.String(200), nullable=False)
    channel = sa.Column(sa.String(16), nullable=False)
    language = sa.Column(sa.String(8), nullable=False)
    category = sa.Column(sa.String(32), nullable=False, index=True)
    priority = sa.Column(sa.Integer, nullable=False)
    vulnerability = sa.Column(sa.JSON, nullable=False, default=list)
    summary = sa.Column(sa.Text, nullable=False)
    transcript = sa.Column(sa.JSON, nullable=False, default=list)
    contact = sa.Column(sa.JSON, nullable=True)
    status = sa.Column(sa.String(16), nullable=False)
    assignee = sa.Column(sa.String(64), nullable=True)
    interpreter = sa.Column(sa.Boolean, nullable=False, default=False)
    assisted = sa.Column(sa.Boolean, nullable=False, default=False)
    journey = sa.Column(sa.String(100), nullable=True)
    what_was_tried = sa.Column(sa.Text, nullable=True)
    last_failure = sa.Column(sa.Text, nullable=True)
    resolution_note = sa.Column(sa.Text, nullable=True)
    transcript_purged_at = sa.Column(UTCDateTime, nullable=True)

    audit = relationship(
        "TriageAuditEntry",
        back_populates="record",
        order_by="TriageAuditEntry.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


# The queue's usual questions: what is open, most urgent first, oldest first.
sa.Index(
    "ix_triage_records_queue",
    TriageRecord.status,
    TriageRecord.priority,
    TriageRecord.created_at,
)


class TriageAuditEntry(Base):
    """Who looked at or changed a triage record, and when (storage shape)."""

    __tablename__ = "triage_audit"

    id = sa.Column(sa.Integer, primary_key=True)
    triage_record_pk = sa.Column(
        sa.Integer, sa.ForeignKey("triage_records.id", ondelete="CASCADE"), nullable=False
    )
    actor = sa.Column(sa.String(64), nullable=False)
    action = sa.Column(sa.String(32), nullable=False)
    detail = sa.Column(sa.String(200), nullable=True)
    at = sa.Column(UTCDateTime, nullable=False)

    record = relationship("TriageRecord", back_populates="audit")


sa.Index("ix_triage_audit_record", TriageAuditEntry.triage_record_pk, TriageAuditEntry.at)


class StaffAccount(Base):
    """A person who may sign in to the staff console (storage shape)."""

    __tablename__ = "staff_accounts"

    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(64), nullable=False, unique=True)
    password_hash = sa.Column(sa.String(255), nullable=False)
    display_name = sa.Column(sa.String(100), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False)
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    role = sa.Column(sa.String(16), nullable=False, default="caseworker")


# --- Service insight (issue #10) ---------------------------------------------------------------


class OutcomeEvent(Base):
    """How one conversation session ended (service insight, issue #10).

    No personal data: the conversation id is an HMAC the assistant computed, and nothing
    the resident typed is kept here. ``hour_of_day`` and ``week_start`` are the UK local
    hour and the Monday of the UK local week of ``started_at``, stored at ingestion so the
    dashboard's groupings are plain indexed columns on SQLite and PostgreSQL alike.
    """

    __tablename__ = "insight_events"

    id = sa.Column(sa.Integer, primary_key=True)
    conversation_hash = sa.Column(sa.String(64), nullable=False)
    started_at = sa.Column(UTCDateTime, nullable=False)
    ended_at = sa.Column(UTCDateTime, nullable=False)
    channel = sa.Column(sa.String(16), nullable=False)
    language = sa.Column(sa.String(8), nullable=False)
    journey = sa.Column(sa.String(32), nullable=False)
    outcome = sa.Column(sa.String(24), nullable=False)
    fallbacks = sa.Column(sa.Integer, nullable=False)
    duration_s = sa.Column(sa.Integer, nullable=False)
    assisted = sa.Column(sa.Boolean, nullable=False)
    day = sa.Column(sa.Date, nullable=False)
    hour_of_day = sa.Column(sa.SmallInteger, nullable=False)
    week_start = sa.Column(sa.Date, nullable=False)
    received_at = sa.Column(UTCDateTime, nullable=False)

    __table_args__ = (
        sa.UniqueConstraint("conversation_hash", "started_at", name="uq_insight_events_session"),
    )


# The dashboard filters on a date range and, optionally, a channel.
sa.Index("ix_insight_events_started", OutcomeEvent.started_at)
sa.Index("ix_insight_events_channel_started", OutcomeEvent.channel, OutcomeEvent.started_at)


class InsightTask(Base):
    """Tasks one conversation session completed, by kind (issue #18).

    A session can complete several (five reports, then a hand-off): the dashboard counts
    tasks as well as conversations. Kinds are defined in ``kb/insight/outcomes.yml``;
    ``day`` and ``channel`` are the event's, so the dashboard's filters apply as they are.
    """

    __tablename__ = "insight_tasks"

    event_id = sa.Column(
        sa.Integer, sa.ForeignKey("insight_events.id", ondelete="CASCADE"), primary_key=True
    )
    kind = sa.Column(sa.String(32), primary_key=True)
    day = sa.Column(sa.Date, nullable=False)
    channel = sa.Column(sa.String(16), nullable=False)
    tasks = sa.Column(sa.Integer, nullable=False)


sa.Index("ix_insight_tasks_day", InsightTask.day, InsightTask.channel)


class AnswerFeedback(Base):
    """A resident's "Did that answer your question?" in the web chat or on the phone (#18).

    No personal data: the conversation is the HMAC the assistant's outcome events use. A
    "no" makes the session's answer not count as contained (``insight_feedback.py``).
    """

    __tablename__ = "insight_feedback"

    id = sa.Column(sa.Integer, primary_key=True)
    conversation_hash = sa.Column(sa.String(64), nullable=False)
    given_at = sa.Column(UTCDateTime, nullable=False)
    answered = sa.Column(sa.Boolean, nullable=False)
    #: Where it was given: ``web`` (the chat and the widget) or ``ivr`` (the phone line).
    channel = sa.Column(sa.String(16), nullable=False, default="web", server_default="web")


sa.Index(
    "ix_insight_feedback_conversation", AnswerFeedback.conversation_hash, AnswerFeedback.given_at
)


class UnansweredQuestion(Base):
    """A resident's message the assistant did not understand, redacted by the assistant.

    Follows the transcript retention (``TRANSCRIPT_RETENTION_DAYS``): ``purge`` deletes it.
    """

    __tablename__ = "insight_unanswered"

    id = sa.Column(sa.Integer, primary_key=True)
    conversation_hash = sa.Column(sa.String(64), nullable=False)
    asked_at = sa.Column(UTCDateTime, nullable=False)
    channel = sa.Column(sa.String(16), nullable=False)
    language = sa.Column(sa.String(8), nullable=False)
    text = sa.Column(sa.Text, nullable=False)
    best_guess = sa.Column(sa.String(100), nullable=True)
    confidence = sa.Column(sa.Float, nullable=True)
    reason = sa.Column(sa.String(16), nullable=False)

    __table_args__ = (
        sa.UniqueConstraint("conversation_hash", "asked_at", name="uq_insight_unanswered_message"),
    )


sa.Index("ix_insight_unanswered_asked_at", UnansweredQuestion.asked_at)


class SmsOutboxItem(Base):
    """A text message the assistant asked to send (issue #6): staff see them at /staff/sms.

    In development this outbox is the SMS gateway; a council with a real provider sends
    from here. The number is kept as given, so it is personal data like a triage contact.
    """

    __tablename__ = "sms_outbox"

    id = sa.Column(sa.Integer, primary_key=True)
    created_at = sa.Column(UTCDateTime, nullable=False, index=True)
    to_number = sa.Column(sa.String(20), nullable=False)
    body = sa.Column(sa.String(700), nullable=False)
    conversation_id = sa.Column(sa.String(128), nullable=False, default="")
    status = sa.Column(sa.String(16), nullable=False, default="queued")


class InsightRollup(Base):
    """Outcome events counted per UK day, channel and outcome, by one dimension at a time.

    Kept up to date as each event arrives, so the dashboard reads a few thousand rows a
    year instead of every event. ``dimension`` is ``all`` (``value`` empty), ``language``,
    ``journey`` or ``hour`` (``outcome`` empty: the busiest hours need no outcome).
    """

    __tablename__ = "insight_rollup"

    day = sa.Column(sa.Date, primary_key=True)
    channel = sa.Column(sa.String(16), primary_key=True)
    dimension = sa.Column(sa.String(16), primary_key=True)
    value = sa.Column(sa.String(32), primary_key=True)
    outcome = sa.Column(sa.String(24), primary_key=True)
    conversations = sa.Column(sa.Integer, nullable=False)
    fallbacks = sa.Column(sa.Integer, nullable=False)
    duration_s = sa.Column(sa.BigInteger, nullable=False)
    assisted = sa.Column(sa.Integer, nullable=False)


sa.Index(
    "ix_insight_rollup_dimension_day",
    InsightRollup.dimension,
    InsightRollup.day,
    InsightRollup.channel,
)
