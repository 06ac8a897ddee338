"""Retention of the council services' personal data, and the worker that applies it daily.

Each kind of data has its own lifetime (``core/config.py``):

* triage transcripts and unanswered questions: ``TRANSCRIPT_RETENTION_DAYS`` (30);
* triage contacts: ``TRIAGE_CONTACT_RETENTION_DAYS`` (90) after the record last changed;
* Open311 reporters' contact details: ``OPEN311_CONTACT_RETENTION_DAYS`` (90) after the
  report last changed;
* Open311 descriptions: ``OPEN311_DESCRIPTION_RETENTION_DAYS`` (365) after the report last
  changed (the report itself, its status and place stay, so residents can still check it);
* text messages and the numbers they went to: ``SMS_RETENTION_DAYS`` (30);
* outcome events (no personal data): ``INSIGHT_EVENT_RETENTION_DAYS`` (730).

``python -m web purge`` runs :func:`purge_all` once; the
``retention-worker`` command (started by ``make run``) runs it every
``PURGE_INTERVAL_HOURS`` (24).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from lib import sqlite
from lib.periodic import run_every
from web.core.config import Settings
from web.core.db import create_session_factory
from web.crud_triage import (
    PURGE_BATCH,
    RETENTION_ACTOR,
    AuditAction,
    purge_transcripts,
)
from web.insight import purge_events, purge_unanswered
from web.models import SmsOutboxItem, TriageAuditEntry, TriageRecord, UTCDateTime

logger = logging.getLogger(__name__)

#: The reporter's details on an Open311 report: never public, forgotten after retention.
OPEN311_CONTACT_COLUMNS = ("email", "first_name", "last_name", "phone", "device_id", "account_id")
#: The stand-in Open311 CRM's reports (schema version 1), named here rather than imported:
#: the database and its retention are Front Door's, the stand-in's code is not, and a
#: deployment without the stand-in simply finds nothing to purge.
SERVICE_REQUESTS = sa.table(
    "service_requests",
    sa.column("updated_at", UTCDateTime),
    sa.column("description"),
    *(sa.column(name) for name in OPEN311_CONTACT_COLUMNS),
)


@dataclass(frozen=True)
class RetentionPolicy:
    """How many days each kind of data is kept."""

    transcript_days: int
    triage_contact_days: int
    open311_contact_days: int
    open311_description_days: int
    sms_days: int
    insight_event_days: int

    @classmethod
    def from_settings(
        cls, settings: Settings, transcript_days: int | None = None
    ) -> RetentionPolicy:
        """The configured policy; ``transcript_days`` overrides the transcripts' lifetime."""
        return cls(
            transcript_days=(
                settings.transcript_retention_days if transcript_days is None else transcript_days
            ),
            triage_contact_days=settings.triage_contact_retention_days,
            open311_contact_days=settings.open311_contact_retention_days,
            open311_description_days=settings.open311_description_retention_days,
            sms_days=settings.sms_retention_days,
            insight_event_days=settings.insight_event_retention_days,
        )


@dataclass(frozen=True)
class PurgeCounts:
    """How many of each were removed by one purge."""

    triage_transcripts: int
    triage_contacts: int
    open311_contacts: int
    open311_descriptions: int
    text_messages: int
    unanswered_questions: int
    outcome_events: int

    def lines(self, policy: RetentionPolicy) -> list[str]:
        """One sentence per kind, for the command line."""
        days = {
            "triage_transcripts": policy.transcript_days,
            "triage_contacts": policy.triage_contact_days,
            "open311_contacts": policy.open311_contact_days,
            "open311_descriptions": policy.open311_description_days,
            "text_messages": policy.sms_days,
            "unanswered_questions": policy.transcript_days,
            "outcome_events": policy.insight_event_days,
        }
        names = {
            "triage_transcripts": "triage transcripts",
            "triage_contacts": "triage contacts",
            "open311_contacts": "Open311 reporters' contact details",
            "open311_descriptions": "Open311 descriptions",
            "text_messages": "text messages",
            "unanswered_questions": "unanswered questions",
            "outcome_events": "outcome events",
        }
        return [
            f"Removed {getattr(self, field.name)} {names[field.name]} "
            f"older than {days[field.name]} days."
            for field in fields(self)
        ]

    @property
    def total(self) -> int:
        """Everything removed."""
        return sum(getattr(self, field.name) for field in fields(self))


def _cutoff(now: datetime | None, days: int) -> tuple[datetime, datetime]:
    if days < 0:
        raise ValueError("a retention period cannot be negative")
    at = now or datetime.now(timezone.utc)
    return at, at - timedelta(days=days)


def purge_triage_contacts(
    session: Session, *, older_than_days: int, now: datetime | None = None
) -> int:
    """Forget the contact details of triage records unchanged for ``older_than_days`` days.

    The record stays; the audit log says the contact was removed and why.

    Returns:
        How many contacts were removed.
    """
    at, cutoff = _cutoff(now, older_than_days)
    candidates = sa.select(TriageRecord.id, TriageRecord.contact).where(
        TriageRecord.updated_at < cutoff
    )
    ids = [row.id for row in session.execute(candidates) if row.contact]
    for start in range(0, len(ids), PURGE_BATCH):
        batch = ids[start : start + PURGE_BATCH]
        session.execute(
            sa.update(TriageRecord)
            .where(TriageRecord.id.in_(batch))
            .values(contact=sa.null())
            .execution_options(synchronize_session=False)
        )
        detail = f"contact older than {older_than_days} days"
        session.execute(
            sa.insert(TriageAuditEntry),
            [
                {
                    "triage_record_pk": pk,
                    "actor": RETENTION_ACTOR,
                    "action": AuditAction.PURGE_CONTACT,
                    "detail": detail,
                    "at": at,
                }
                for pk in batch
            ],
        )
        session.commit()
    session.expire_all()
    return len(ids)


def purge_open311_contacts(
    session: Session, *, older_than_days: int, now: datetime | None = None
) -> int:
    """Forget the reporter's details of reports unchanged for ``older_than_days`` days.

    Returns:
        How many reports lost their contact details.
    """
    _at, cutoff = _cutoff(now, older_than_days)
    columns = [SERVICE_REQUESTS.c[name] for name in OPEN311_CONTACT_COLUMNS]
    result = session.execute(
        sa.update(SERVICE_REQUESTS)
        .where(SERVICE_REQUESTS.c.updated_at < cutoff, sa.or_(*(c.isnot(None) for c in columns)))
        .values(dict.fromkeys(OPEN311_CONTACT_COLUMNS))
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(result.rowcount or 0)


def purge_open311_descriptions(
    session: Session, *, older_than_days: int, now: datetime | None = None
) -> int:
    """Empty the descriptions of reports unchanged for ``older_than_days`` days.

    ``updated_at`` is left alone: it is the report's public ``updated_datetime``.

    Returns:
        How many descriptions were removed.
    """
    _at, cutoff = _cutoff(now, older_than_days)
    result = session.execute(
        sa.update(SERVICE_REQUESTS)
        .where(SERVICE_REQUESTS.c.updated_at < cutoff, SERVICE_REQUESTS.c.description.isnot(None))
        .values(description=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(result.rowcount or 0)


def purge_text_messages(
    session: Session, *, older_than_days: int, now: datetime | None = None
) -> int:
    """Delete text messages (and the numbers they went to) older than ``older_than_days``.

    Returns:
        How many were deleted.
    """
    _at, cutoff = _cutoff(now, older_than_days)
    result = session.execute(sa.delete(SmsOutboxItem).where(SmsOutboxItem.created_at < cutoff))
    session.commit()
    return int(result.rowcount or 0)


def purge_all(
    session: Session, policy: RetentionPolicy, *, now: datetime | None = None
) -> PurgeCounts:
    """Apply every retention period once.

    Raises:
        ValueError: when a period is negative.
    """
    counts = PurgeCounts(
        triage_transcripts=purge_transcripts(
            session, older_than_days=policy.transcript_days, now=now
        ),
        triage_contacts=purge_triage_contacts(
            session, older_than_days=policy.triage_contact_days, now=now
        ),
        open311_contacts=purge_open311_contacts(
            session, older_than_days=policy.open311_contact_days, now=now
        ),
        open311_descriptions=purge_open311_descriptions(
            session, older_than_days=policy.open311_description_days, now=now
        ),
        text_messages=purge_text_messages(session, older_than_days=policy.sms_days, now=now),
        unanswered_questions=purge_unanswered(
            session, older_than_days=policy.transcript_days, now=now
        ),
        outcome_events=purge_events(session, older_than_days=policy.insight_event_days, now=now),
    )
    if counts.total:
        logger.info("Retention removed %s", counts)
    return counts


def worker_sessions(engine: Engine) -> sessionmaker:
    """Sessions for the worker, which take SQLite's write lock when they begin.

    A purge reads, then writes. In a plain SQLite transaction that upgrade fails at once
    when the server is writing too; taking the lock first makes it wait its turn instead.
    Other databases ignore the option.
    """
    return create_session_factory(engine.execution_options(**{sqlite.BEGIN_OPTION: "IMMEDIATE"}))


def run_retention_worker(
    session_factory: Callable[[], Session],
    policy: RetentionPolicy,
    interval_s: float,
    stop: threading.Event,
) -> int:
    """Purge now and then every ``interval_s`` seconds until ``stop`` is set.

    A failed run (the database down, say) is logged and tried again at the next interval.

    Returns:
        How many purges ran.
    """

    def purge() -> None:
        with session_factory() as session:
            purge_all(session, policy)

    return run_every(purge, interval_s, stop)
