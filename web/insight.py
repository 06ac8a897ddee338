"""Service insight: what residents ask, what the assistant resolves, what it saves.

This module owns the one definition of a *contained* conversation, the shapes of the
outcome events the assistant posts, their storage, and the dashboard's figures (issue #10).

**Contained** means resolved without a person: the outcome is ``self_served`` (an answer
was given), ``report_made`` or ``transaction_done``. ``handed_off`` and ``urgent`` are not
contained, nor is ``not_answered`` (an answer the resident said did not answer their
question, in the web chat's "Did that answer your question?"). ``abandoned`` (the resident
left before any answer or transaction) is not contained either, and it *stays in the
denominator*: the containment rate is contained conversations over all recorded
conversations, so a journey residents give up on lowers the rate rather than disappearing
from it.

The estimated cost avoided is, for each channel, contained conversations times the
difference between the contact it stands in for and the assistant's own contact, with the
per-contact costs and their source read from ``kb/insight/contact_costs.yml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
import yaml
from pydantic import BaseModel, Field, StrictStr, validator
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lib.redaction import redact
from lib.yaml_files import load_yaml
from web.clean_input import cleaned
from web.core.db import begin_write
from web.models import (
    AnswerFeedback,
    InsightRollup,
    InsightTask,
    OutcomeEvent,
    TriageRecord,
    UnansweredQuestion,
)

try:
    UK_TIME = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # a system without tzdata: group by UTC rather than fail
    UK_TIME = ZoneInfo("UTC")


class Outcome(str, Enum):
    """How a conversation session ended."""

    SELF_SERVED = "self_served"
    REPORT_MADE = "report_made"
    TRANSACTION_DONE = "transaction_done"
    HANDED_OFF = "handed_off"
    URGENT = "urgent"
    ABANDONED = "abandoned"
    #: An answer the resident said did not answer their question (web chat feedback).
    NOT_ANSWERED = "not_answered"


#: The one definition of "contained": resolved without a person (see the module docstring).
CONTAINED_OUTCOMES: frozenset[Outcome] = frozenset(
    {Outcome.SELF_SERVED, Outcome.REPORT_MADE, Outcome.TRANSACTION_DONE}
)
ABANDONED_RULE = "abandoned conversations count in the total and are not contained"
NOT_ANSWERED_RULE = "an answer the resident said did not answer their question is not contained"


def is_contained(outcome: str) -> bool:
    """Tell whether a conversation with this outcome was resolved without a person.

    Args:
        outcome: an ``Outcome`` value.

    Returns:
        True for ``self_served``, ``report_made`` and ``transaction_done``.
    """
    return outcome in {item.value for item in CONTAINED_OUTCOMES}


def _contained_sql() -> sa.sql.ColumnElement:
    """The contained conversations of a rollup row, from the same definition."""
    values = sorted(item.value for item in CONTAINED_OUTCOMES)
    return sa.case((InsightRollup.outcome.in_(values), InsightRollup.conversations), else_=0)


CHANNELS = ("web", "ivr", "library", "api")
JOURNEYS = (
    "report",
    "check_report_status",
    "council_tax",
    "universal_credit",
    "find",
    "book",
    "broadband",
    "digital_skills",
    "human_handoff",
    "urgent_help",
    "signpost",
    "out_of_scope",
    "small_talk",
)


TASK_KIND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


# --- Wire shapes ---------------------------------------------------------------------------


class UnansweredIn(BaseModel):
    """One message the assistant did not understand (already redacted by the assistant)."""

    text: StrictStr = Field(..., min_length=1, max_length=1000)
    asked_at: datetime
    best_guess: StrictStr | None = Field(None, max_length=100)
    confidence: float | None = Field(None, ge=0, le=1)
    reason: StrictStr = Field("fallback", regex=r"^(fallback|handoff)$")

    _clean_text = cleaned("text", "best_guess")

    @validator("asked_at")
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("asked_at needs a time zone")
        return value


class OutcomeEventIn(BaseModel):
    """What the assistant posts when a conversation session ends. No personal data."""

    conversation_hash: StrictStr = Field(..., regex=r"^[0-9a-f]{16,64}$")
    started_at: datetime
    ended_at: datetime
    channel: StrictStr
    language: StrictStr = Field(..., regex=r"^[a-z]{2,3}$")
    journey: StrictStr
    outcome: Outcome
    fallbacks: int = Field(..., ge=0, le=10_000)
    duration_s: int = Field(..., ge=0, le=400 * 86400)
    assisted: bool
    unanswered: list[UnansweredIn] = Field(default_factory=list, max_items=200)
    #: Tasks the session completed, by kind (``kb/insight/outcomes.yml``); may be absent.
    tasks: dict[StrictStr, int] = Field(default_factory=dict)

    @validator("tasks")
    def _tasks(cls, value: dict[str, int]) -> dict[str, int]:
        if len(value) > 20:
            raise ValueError("at most 20 kinds of task")
        for kind, count in value.items():
            if not TASK_KIND.match(kind):
                raise ValueError("task kinds are snake_case names of up to 32 characters")
            if not 0 <= count <= 1000:
                raise ValueError("a task count is between 0 and 1000")
        return value

    @validator("channel")
    def _channel(cls, value: str) -> str:
        if value not in CHANNELS:
            raise ValueError(f"channel must be one of {', '.join(CHANNELS)}")
        return value

    @validator("journey")
    def _journey(cls, value: str) -> str:
        if value not in JOURNEYS:
            raise ValueError(f"journey must be one of {', '.join(JOURNEYS)}")
        return value

    @validator("started_at", "ended_at")
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("timestamps need a time zone")
        return value


class OutcomeEventStored(BaseModel):
    """The answer to a post: the event's id and whether this post created it."""

    id: int
    created: bool


# --- Storage -------------------------------------------------------------------------------


def _uk_hour_and_week(moment: datetime) -> tuple[int, date]:
    local = moment.astimezone(UK_TIME)
    return local.hour, local.date() - timedelta(days=local.weekday())


def _uk_day(moment: datetime) -> date:
    return moment.astimezone(UK_TIME).date()


def _rollup_keys(row: OutcomeEvent) -> list[tuple[str, str, str]]:
    """(dimension, value, outcome) of the rollup rows one event counts in."""
    return [
        ("all", "", row.outcome),
        ("language", row.language, row.outcome),
        ("journey", row.journey, row.outcome),
        ("hour", str(row.hour_of_day), ""),
    ]


def _add_row(
    session: Session, row: OutcomeEvent, dimension: str, value: str, outcome: str, sign: int = 1
) -> None:
    """Add (or with ``sign=-1`` take out) one event's counts in one rollup row."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(InsightRollup).values(
        day=row.day,
        channel=row.channel,
        dimension=dimension,
        value=value,
        outcome=outcome,
        conversations=sign,
        fallbacks=sign * row.fallbacks,
        duration_s=sign * row.duration_s,
        assisted=sign if row.assisted else 0,
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["day", "channel", "dimension", "value", "outcome"],
            set_={
                name: getattr(InsightRollup, name) + getattr(statement.excluded, name)
                for name in ("conversations", "fallbacks", "duration_s", "assisted")
            },
        )
    )


def _add_to_rollup(session: Session, row: OutcomeEvent) -> None:
    """Count one event in the rollup (insert or add, on SQLite and PostgreSQL alike)."""
    for dimension, value, outcome in _rollup_keys(row):
        _add_row(session, row, dimension, value, outcome)


def change_outcome(session: Session, row: OutcomeEvent, outcome: str) -> None:
    """Give a stored event another outcome and move its counts in the rollup with it.

    The hour rows have no outcome and stay as they are.
    """
    for dimension, value, old in _rollup_keys(row):
        if dimension != "hour":
            _add_row(session, row, dimension, value, old, sign=-1)
    row.outcome = outcome
    session.flush()
    for dimension, value, new in _rollup_keys(row):
        if dimension != "hour":
            _add_row(session, row, dimension, value, new)


def rebuild_rollup(session: Session) -> int:
    """Recount the rollup from the events (after a bulk load or a manual repair).

    Returns:
        How many rollup rows there are now.
    """
    session.execute(sa.delete(InsightRollup))
    e = OutcomeEvent
    measures = [
        sa.func.count(),
        sa.func.sum(e.fallbacks),
        sa.func.sum(e.duration_s),
        sa.func.sum(sa.case((e.assisted, 1), else_=0)),
    ]
    columns = [
        InsightRollup.day,
        InsightRollup.channel,
        InsightRollup.dimension,
        InsightRollup.value,
        InsightRollup.outcome,
        InsightRollup.conversations,
        InsightRollup.fallbacks,
        InsightRollup.duration_s,
        InsightRollup.assisted,
    ]
    hour = sa.cast(e.hour_of_day, sa.String)
    for dimension, value, outcome, grouping in (
        ("all", sa.literal(""), e.outcome, [e.outcome]),
        ("language", e.language, e.outcome, [e.language, e.outcome]),
        ("journey", e.journey, e.outcome, [e.journey, e.outcome]),
        ("hour", hour, sa.literal(""), [e.hour_of_day]),
    ):
        select = sa.select(
            e.day, e.channel, sa.literal(dimension), value, outcome, *measures
        ).group_by(e.day, e.channel, *grouping)
        session.execute(sa.insert(InsightRollup).from_select(columns, select))
    session.commit()
    return int(session.execute(sa.select(sa.func.count()).select_from(InsightRollup)).scalar())


def said_not_answered(
    session: Session, conversation_hash: str, started_at: datetime, until: datetime
) -> bool:
    """Tell whether the resident said "no" to "Did that answer your question?" in a session.

    Args:
        session: the database session.
        conversation_hash: the conversation.
        started_at: the session's start.
        until: the last moment feedback belongs to the session (its end plus the idle time).
    """
    query = sa.select(AnswerFeedback.id).where(
        AnswerFeedback.conversation_hash == conversation_hash,
        AnswerFeedback.given_at >= started_at,
        AnswerFeedback.given_at <= until,
        AnswerFeedback.answered.is_(False),
    )
    return session.execute(query.limit(1)).first() is not None


def outcome_after_feedback(outcome: str, said_no: bool) -> str:
    """An answer the resident said did not help is ``not_answered``; a task done stays done."""
    return (
        Outcome.NOT_ANSWERED.value if said_no and outcome == Outcome.SELF_SERVED.value else outcome
    )


def record_event(
    session: Session,
    event: OutcomeEventIn,
    now: datetime | None = None,
    feedback_window_s: float = 900.0,
) -> OutcomeEventStored:
    """Store one outcome event and its unanswered questions, once per session.

    A second post for the same conversation and session start changes nothing (the worker
    may retry after a lost answer).

    Args:
        session: the database session.
        event: the validated event.
        now: the time of receipt (for tests).
        feedback_window_s: how long after the session's last event the resident's answer
            feedback still belongs to it (``INSIGHT_IDLE_SECONDS``).

    Returns:
        The stored event's id and whether this call created it.
    """
    begin_write(session)
    existing = session.execute(
        sa.select(OutcomeEvent.id).where(
            OutcomeEvent.conversation_hash == event.conversation_hash,
            OutcomeEvent.started_at == event.started_at,
        )
    ).scalar()
    if existing is not None:
        return OutcomeEventStored(id=existing, created=False)
    hour, week = _uk_hour_and_week(event.started_at)
    row = OutcomeEvent(
        day=_uk_day(event.started_at),
        conversation_hash=event.conversation_hash,
        started_at=event.started_at,
        ended_at=event.ended_at,
        channel=event.channel,
        language=event.language,
        journey=event.journey,
        outcome=outcome_after_feedback(
            event.outcome.value,
            said_not_answered(
                session,
                event.conversation_hash,
                event.started_at,
                event.ended_at + timedelta(seconds=feedback_window_s),
            ),
        ),
        fallbacks=event.fallbacks,
        duration_s=event.duration_s,
        assisted=event.assisted,
        hour_of_day=hour,
        week_start=week,
        received_at=now or datetime.now(timezone.utc),
    )
    session.add(row)
    session.flush()
    _add_to_rollup(session, row)
    for kind, count in event.tasks.items():
        if count:
            session.add(
                InsightTask(
                    event_id=row.id, kind=kind, day=row.day, channel=row.channel, tasks=count
                )
            )
    seen: set[datetime] = set()
    for question in event.unanswered:
        if question.asked_at in seen:
            continue
        seen.add(question.asked_at)
        session.add(
            UnansweredQuestion(
                conversation_hash=event.conversation_hash,
                asked_at=question.asked_at,
                channel=event.channel,
                language=event.language,
                # Redacted by the assistant; again here, so nothing else can store it raw.
                text=redact(question.text),
                best_guess=question.best_guess,
                confidence=question.confidence,
                # A message in a session that ended with a person is one the assistant
                # could not handle: say so whatever the sender thought.
                reason="handoff" if event.outcome is Outcome.HANDED_OFF else question.reason,
            )
        )
    try:
        session.commit()
    except IntegrityError:  # posted twice at the same moment: the other post won
        session.rollback()
        return record_event(session, event, now, feedback_window_s)
    return OutcomeEventStored(id=row.id, created=True)


def purge_events(session: Session, *, older_than_days: int, now: datetime | None = None) -> int:
    """Delete outcome events of UK days more than ``older_than_days`` days ago, and their counts.

    Their tasks and the answer feedback of those days go too (no personal data either).

    Returns:
        How many were deleted.
    """
    cutoff_day = _uk_day((now or datetime.now(timezone.utc)) - timedelta(days=older_than_days))
    session.execute(sa.delete(InsightTask).where(InsightTask.day < cutoff_day))
    session.execute(
        sa.delete(AnswerFeedback).where(
            AnswerFeedback.given_at < datetime.combine(cutoff_day, time(), UK_TIME)
        )
    )
    result = session.execute(sa.delete(OutcomeEvent).where(OutcomeEvent.day < cutoff_day))
    session.execute(sa.delete(InsightRollup).where(InsightRollup.day < cutoff_day))
    session.commit()
    return int(result.rowcount or 0)


def purge_unanswered(session: Session, *, older_than_days: int, now: datetime | None = None) -> int:
    """Delete unanswered questions older than the transcript retention.

    Returns:
        How many were deleted.
    """
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=older_than_days)
    result = session.execute(
        sa.delete(UnansweredQuestion).where(UnansweredQuestion.asked_at < cutoff)
    )
    session.commit()
    return int(result.rowcount or 0)


# --- Contact costs -------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactCosts:
    """Per-contact costs in pence, their source, and what each channel stands in for."""

    source: str
    checked: str
    costs_pence: dict[str, int]
    assistant_contact: str
    avoided_contact: dict[str, str]

    def saving_pence(self, channel: str) -> int:
        """What one contained conversation on this channel saves, in pence."""
        avoided = self.avoided_contact.get(channel, "phone")
        return self.costs_pence[avoided] - self.costs_pence[self.assistant_contact]


class CostsFileError(ValueError):
    """The contact costs file is missing or malformed."""


def load_costs(path: Path) -> ContactCosts:
    """Read and check the per-contact costs.

    Raises:
        CostsFileError: naming the file and the problem.
    """
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
        costs = {str(key): int(value) for key, value in data["costs_pence"].items()}
        result = ContactCosts(
            source=str(data["source"]),
            checked=str(data["checked"]),
            costs_pence=costs,
            assistant_contact=str(data["assistant_contact"]),
            avoided_contact={str(k): str(v) for k, v in data["avoided_contact"].items()},
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as error:
        raise CostsFileError(f"{path}: {error}") from error
    unknown = {result.assistant_contact, *result.avoided_contact.values()} - set(costs)
    if unknown:
        raise CostsFileError(f"{path}: no cost for {', '.join(sorted(unknown))}")
    return result


def pounds(pence: int) -> str:
    """Format pence as pounds, e.g. ``£1,234.56``."""
    return f"£{pence / 100:,.2f}"


# --- Figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class InsightFilters:
    """A date range (UK local days, both included) and optionally one channel."""

    date_from: date
    date_to: date
    channel: str | None = None

    @property
    def start(self) -> datetime:
        """The first moment of the range (UTC)."""
        return datetime.combine(self.date_from, time(), UK_TIME).astimezone(timezone.utc)

    @property
    def end(self) -> datetime:
        """The first moment after the range (UTC)."""
        following = self.date_to + timedelta(days=1)
        return datetime.combine(following, time(), UK_TIME).astimezone(timezone.utc)


def _rollup_filter(filters: InsightFilters, dimension: str) -> list[sa.sql.ColumnElement]:
    conditions = [
        InsightRollup.dimension == dimension,
        InsightRollup.day >= filters.date_from,
        InsightRollup.day <= filters.date_to,
    ]
    if filters.channel:
        conditions.append(InsightRollup.channel == filters.channel)
    return conditions


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _grouped(
    session: Session, column: Any, filters: InsightFilters, dimension: str = "all"
) -> list[tuple[Any, int, int]]:
    """(key, conversations, contained) grouped by a rollup column."""
    query = (
        sa.select(
            column,
            sa.func.sum(InsightRollup.conversations),
            sa.func.sum(_contained_sql()),
        )
        .where(*_rollup_filter(filters, dimension))
        .group_by(column)
        .order_by(column)
    )
    return [
        (key, int(count or 0), int(contained or 0))
        for key, count, contained in session.execute(query)
    ]


def outcome_counts(session: Session, filters: InsightFilters) -> dict[str, Any]:
    """Conversations, fallbacks and duration by outcome (dashboard query 1)."""
    query = (
        sa.select(
            InsightRollup.outcome,
            sa.func.sum(InsightRollup.conversations),
            sa.func.sum(InsightRollup.fallbacks),
            sa.func.sum(InsightRollup.duration_s),
            sa.func.sum(InsightRollup.assisted),
        )
        .where(*_rollup_filter(filters, "all"))
        .group_by(InsightRollup.outcome)
    )
    outcomes = {item.value: 0 for item in Outcome}
    fallbacks = duration = assisted = 0
    for outcome, count, fallback_sum, duration_sum, assisted_sum in session.execute(query):
        outcomes[outcome] = int(count or 0)
        fallbacks += int(fallback_sum or 0)
        duration += int(duration_sum or 0)
        assisted += int(assisted_sum or 0)
    total = sum(outcomes.values())
    contained = sum(count for outcome, count in outcomes.items() if is_contained(outcome))
    return {
        "conversations": total,
        "contained": contained,
        "containment_rate": _rate(contained, total),
        "outcomes": outcomes,
        "fallbacks": fallbacks,
        "average_duration_s": round(duration / total, 1) if total else None,
        "assisted": assisted,
    }


def by_channel(session: Session, filters: InsightFilters) -> list[tuple[Any, int, int]]:
    """(channel, conversations, contained) (dashboard query 2)."""
    return _grouped(session, InsightRollup.channel, filters)


def by_language(session: Session, filters: InsightFilters) -> list[tuple[Any, int, int]]:
    """(language, conversations, contained) (dashboard query 3)."""
    return _grouped(session, InsightRollup.value, filters, "language")


def by_journey(session: Session, filters: InsightFilters) -> list[tuple[Any, int, int]]:
    """(journey, conversations, contained) (dashboard query 4)."""
    return _grouped(session, InsightRollup.value, filters, "journey")


def handoffs(session: Session, filters: InsightFilters) -> dict[str, Any]:
    """Hand-offs (triage records) by category and priority (dashboard query 7)."""
    conditions = [TriageRecord.created_at >= filters.start, TriageRecord.created_at < filters.end]
    if filters.channel:
        conditions.append(TriageRecord.channel == filters.channel)
    query = (
        sa.select(TriageRecord.category, TriageRecord.priority, sa.func.count())
        .where(*conditions)
        .group_by(TriageRecord.category, TriageRecord.priority)
        .order_by(TriageRecord.category, TriageRecord.priority)
    )
    rows = [
        (category, int(priority), int(count))
        for category, priority, count in session.execute(query)
    ]
    by_category: dict[str, int] = {}
    by_priority: dict[int, int] = {1: 0, 2: 0, 3: 0}
    for category, priority, count in rows:
        by_category[category] = by_category.get(category, 0) + count
        by_priority[priority] = by_priority.get(priority, 0) + count
    return {
        "total": sum(count for _, _, count in rows),
        "by_category": [
            {"category": key, "count": value}
            for key, value in sorted(by_category.items(), key=lambda item: (-item[1], item[0]))
        ],
        "by_priority": [
            {"priority": key, "count": value} for key, value in sorted(by_priority.items())
        ],
        "by_category_and_priority": [
            {"category": category, "priority": priority, "count": count}
            for category, priority, count in rows
        ],
    }


def task_counts(session: Session, filters: InsightFilters) -> dict[str, Any]:
    """Tasks completed, by kind, plus hand-offs from the triage queue (issue #18).

    A conversation can complete several tasks; each counts. Hand-offs are the queue's own
    records of the period (``handoffs``), so the two figures always agree.
    """
    conditions = [InsightTask.day >= filters.date_from, InsightTask.day <= filters.date_to]
    if filters.channel:
        conditions.append(InsightTask.channel == filters.channel)
    query = (
        sa.select(InsightTask.kind, sa.func.sum(InsightTask.tasks))
        .where(*conditions)
        .group_by(InsightTask.kind)
    )
    kinds = {str(kind): int(count or 0) for kind, count in session.execute(query)}
    return {
        "completed": sum(kinds.values()),
        "by_kind": [
            {"kind": kind, "count": count}
            for kind, count in sorted(kinds.items(), key=lambda item: (-item[1], item[0]))
        ],
    }


def last_updated(session: Session) -> datetime | None:
    """When the newest outcome event arrived (how fresh the figures are), or None."""
    return session.execute(sa.select(sa.func.max(OutcomeEvent.received_at))).scalar()


def busiest_hours(session: Session, filters: InsightFilters) -> list[dict[str, int]]:
    """Conversations by UK local hour of the day, all 24 hours (dashboard query 5)."""
    counts = {
        int(hour): count
        for hour, count, _ in _grouped(session, InsightRollup.value, filters, "hour")
    }
    return [{"hour": hour, "conversations": counts.get(hour, 0)} for hour in range(24)]


def weekly_trend(session: Session, filters: InsightFilters) -> list[dict[str, Any]]:
    """Conversations and containment by UK week, Monday first (dashboard query 6)."""
    found: dict[date, tuple[int, int]] = {}
    for day, count, contained in _grouped(session, InsightRollup.day, filters):
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        week = day - timedelta(days=day.weekday())
        total, inside = found.get(week, (0, 0))
        found[week] = (total + count, inside + contained)
    first = filters.date_from - timedelta(days=filters.date_from.weekday())
    weeks = []
    week = first
    while week <= filters.date_to:
        count, contained = found.get(week, (0, 0))
        weeks.append(
            {
                "week_start": week.isoformat(),
                "conversations": count,
                "contained": contained,
                "containment_rate": _rate(contained, count),
            }
        )
        week += timedelta(days=7)
    return weeks


def _breakdown(rows: Iterable[tuple[Any, int, int]], key: str) -> list[dict[str, Any]]:
    return [
        {
            key: value,
            "conversations": count,
            "contained": contained,
            "containment_rate": _rate(contained, count),
        }
        for value, count, contained in sorted(rows, key=lambda row: (-row[1], str(row[0])))
    ]


def cost_avoided(by_channel: list[dict[str, Any]], costs: ContactCosts) -> dict[str, Any]:
    """The estimated cost avoided, per channel and in total, with the formula.

    Args:
        by_channel: ``{"channel", "contained"}`` rows.
        costs: the per-contact costs.

    Returns:
        The estimate in pence and pounds, the formula in words, the costs and their source.
    """
    lines = []
    total = 0
    for row in by_channel:
        avoided = costs.avoided_contact.get(row["channel"], "phone")
        unit = costs.saving_pence(row["channel"])
        saving = row["contained"] * unit
        total += saving
        lines.append(
            {
                "channel": row["channel"],
                "contained": row["contained"],
                "instead_of": avoided,
                "unit_saving_pence": unit,
                "saving_pence": saving,
            }
        )
    assistant = costs.assistant_contact
    return {
        "total_pence": total,
        "total": pounds(total),
        "formula": (
            "cost avoided = sum over channels of contained conversations x (cost of the "
            f"contact each stands in for - cost of a {assistant.replace('_', ' ')} contact)"
        ),
        "by_channel": lines,
        "costs_pence": dict(costs.costs_pence),
        "assistant_contact": assistant,
        "source": costs.source,
        "checked": costs.checked,
    }


def compute_insight(
    session: Session, filters: InsightFilters, costs: ContactCosts, idle_s: float = 900.0
) -> dict[str, Any]:
    """Every figure of the dashboard for a date range and channel.

    Args:
        session: the database session.
        filters: the date range and channel.
        costs: the per-contact costs.
        idle_s: how long a conversation must be quiet before it counts (the assistant's
            ``INSIGHT_IDLE_SECONDS``), said on the page with the figures' freshness.

    Returns:
        The figures, as the JSON API returns them.
    """
    summary = outcome_counts(session, filters)
    channels = _breakdown(by_channel(session, filters), "channel")
    updated = last_updated(session)
    handed = handoffs(session, filters)
    return {
        "freshness": {
            "last_updated": updated.astimezone(timezone.utc).isoformat() if updated else None,
            "counted_after_quiet_minutes": max(1, round(idle_s / 60)),
        },
        "filters": {
            "from": filters.date_from.isoformat(),
            "to": filters.date_to.isoformat(),
            "channel": filters.channel,
        },
        "definition": {
            "contained_outcomes": sorted(item.value for item in CONTAINED_OUTCOMES),
            "abandoned": ABANDONED_RULE,
            "not_answered": NOT_ANSWERED_RULE,
            "containment_rate": "contained conversations / all conversations",
        },
        **summary,
        "by_channel": channels,
        "by_language": _breakdown(by_language(session, filters), "language"),
        "by_journey": _breakdown(by_journey(session, filters), "journey"),
        "busiest_hours": busiest_hours(session, filters),
        "weekly": weekly_trend(session, filters),
        "handoffs": handed,
        "tasks": {**task_counts(session, filters), "handoffs": handed["total"]},
        "cost_avoided": cost_avoided(channels, costs),
    }


DEFAULT_RANGE_DAYS = 30
MAX_RANGE_DAYS = 3 * 366


class FilterError(ValueError):
    """A filter value that is not recognised; the message says what to send instead."""


def parse_filters(
    date_from: str | None, date_to: str | None, channel: str | None, today: date | None = None
) -> InsightFilters:
    """Read the dashboard's filters: ISO dates (both included) and an optional channel.

    Without dates the range is the last 30 days up to today (UK time).

    Raises:
        FilterError: a date that is not ``YYYY-MM-DD``, a range backwards or longer than
            three years, or a channel that is not one of the contract's.
    """
    today = today or datetime.now(UK_TIME).date()
    try:
        end = date.fromisoformat(date_to) if date_to else today
        start = (
            date.fromisoformat(date_from)
            if date_from
            else end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        )
    except ValueError as error:
        raise FilterError("Dates must be written as YYYY-MM-DD, for example 2026-11-30") from error
    if start > end:
        raise FilterError("The start date must be on or before the end date")
    if (end - start).days > MAX_RANGE_DAYS:
        raise FilterError("Choose a range of three years or less")
    if channel and channel not in CHANNELS:
        raise FilterError(f"The channel must be one of {', '.join(CHANNELS)}")
    return InsightFilters(start, end, channel or None)
