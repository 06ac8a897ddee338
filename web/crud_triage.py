"""Every database operation on the triage queue: records, their audit log, retention.

Routes (the JSON API and the staff console) call these functions with keyword arguments
and never build queries themselves. ``update_triage`` is the one function that changes a
record: it checks a status move against ``workflow.py``, applies it only if nobody changed
the record in the meantime, and writes the audit row in the same transaction.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lib.reference_retry import ReferenceExhausted as ReferenceExhausted
from lib.reference_retry import ReferenceTaken, create_with_new_reference
from lib.references import new_reference
from web import crud_delivery, crud_sms
from web.core.db import begin_write
from web.delivery_models import TRIAGE_SCOPE
from web.models import (
    SmsOutboxItem,
    StaffAccount,
    TriageAuditEntry,
    TriageRecord,
    utc_isoformat,
)
from web.triage_due import due_by
from web.triage_models import (
    TRANSCRIPT_MAX_ENTRIES,
    TRIAGE_PREFIX,
    Category,
    ContactIn,
    TranscriptRole,
    TriageAddition,
    TriageCreate,
    is_triage_reference,
)
from web.triage_search import contact_matches, escape_like
from web.workflow import (
    TRIAGE_INITIAL_STATUS,
    TriageAction,
    TriageStatus,
    check_triage_transition,
)

logger = logging.getLogger(__name__)

#: A UK mobile in E.164 form: the only numbers a text message goes to.
UK_MOBILE = re.compile(r"^\+447\d{9}$")
MAX_REFERENCE_ATTEMPTS = 10
PURGE_BATCH = 500

# Who did it, when it was not a signed-in person.
API_ACTOR = "api-token"
RETENTION_ACTOR = "retention"
RESERVED_ACTORS = frozenset({API_ACTOR, RETENTION_ACTOR})


class AuditAction:
    """The ``action`` values of the audit log (status moves use ``workflow.TriageAction``)."""

    CREATE = "create"
    RESUBMIT = "resubmit"  # the same reference posted again (the assistant retrying)
    VIEW = "view"
    LIST = "list"
    UPDATE = "update"  # assignee or contact details changed
    ADD = "add"  # a later part of the same conversation joined the open record
    MESSAGE = "message"  # staff wrote to the resident (web chat, text message)
    PURGE_TRANSCRIPT = "purge_transcript"
    PURGE_CONTACT = "purge_contact"  # retention.py


class ReferenceConflict(ValueError):
    """A posted reference already belongs to another conversation's record."""


class ConcurrentChange(RuntimeError):
    """Someone else changed the record between reading and writing it."""


class CaseClosed(ValueError):
    """Staff have resolved the record: nothing more is added to it (open a new one)."""


class _Unset:
    """Marks a keyword argument the caller did not give (None is a value: "clear it")."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def new_triage_reference() -> str:
    """Return a random reference such as ``FD-7K3Q9X`` (no 0/O or 1/I: read out by phone)."""
    return new_reference(TRIAGE_PREFIX)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _audit_row(actor: str, action: str, at: datetime, detail: str | None = None) -> dict:
    return {"actor": actor, "action": action, "detail": (detail or None) and detail[:200], "at": at}


def _contact_json(contact: ContactIn | None) -> dict[str, Any] | None:
    if contact is None:
        return None
    stored = {
        "name": contact.name,
        "phone": contact.phone,
        "email": contact.email,
        "preferred": contact.preferred.value if contact.preferred else None,
    }
    if contact.address:
        stored["address"] = contact.address
    return stored


def _line_json(line: dict[str, Any]) -> dict[str, str]:
    stored = {"role": str(line["role"]), "text": str(line["text"]), "at": utc_isoformat(line["at"])}
    if line.get("name"):
        stored["name"] = str(line["name"])
    return stored


def _build(data: TriageCreate, reference: str, arrived: datetime) -> TriageRecord:
    created = data.created_at.astimezone(timezone.utc) if data.created_at else arrived
    return TriageRecord(
        reference=reference,
        created_at=created,
        updated_at=arrived,
        conversation_id=data.conversation_id,
        channel=data.channel.value,
        language=data.language,
        category=data.category.value,
        priority=int(data.priority),
        vulnerability=list(data.vulnerability),
        summary=data.summary,
        transcript=[
            _line_json({"role": entry.role.value, "text": entry.text, "at": entry.at})
            for entry in data.transcript
        ],
        contact=_contact_json(data.contact),
        status=TRIAGE_INITIAL_STATUS.value,
        assignee=None,
        interpreter=data.interpreter,
        assisted=data.assisted,
        journey=data.journey,
        what_was_tried=data.what_was_tried,
        last_failure=data.last_failure,
        resolution_note=None,
    )


def _existing(session: Session, data: TriageCreate, actor: str, at: datetime) -> TriageRecord:
    """Return the record already stored under the posted reference, if it is the same one."""
    found = get_triage(session, reference=data.reference or "")
    if found is None:  # callers look it up first; only a concurrent delete gets here
        raise RuntimeError(f"triage record {data.reference} vanished")
    if found.conversation_id != data.conversation_id:
        raise ReferenceConflict(
            f"reference {data.reference} already belongs to another conversation"
        )
    session.add(
        TriageAuditEntry(triage_record_pk=found.id, **_audit_row(actor, AuditAction.RESUBMIT, at))
    )
    session.commit()
    logger.info("Triage record %s posted again; the stored one is kept", found.reference)
    return found


def create_triage(
    session: Session,
    *,
    data: TriageCreate,
    actor: str = API_ACTOR,
    now: datetime | None = None,
    reference_factory: Callable[[], str] = new_triage_reference,
    idempotency_key: str | None = None,
) -> tuple[TriageRecord, bool]:
    """Store a hand-off, or return the one already stored under the same reference.

    Posting is idempotent on ``reference``: the assistant may have shown the reference to
    the resident while this service was down, and retries until it gets an answer.

    Args:
        session: the database session.
        data: the validated record.
        actor: who posted it, for the audit log.
        now: the time of arrival (defaults to the current time).
        reference_factory: makes candidate references when the client sent none.
        idempotency_key: the request's ``Idempotency-Key``; a key already used returns
            the record its first request created, and nothing new is stored.

    Returns:
        The stored record, and True when it was created by this call (False when it
        already existed).

    Raises:
        ReferenceConflict: the reference belongs to another conversation's record.
        ReferenceExhausted: every generated reference was already taken.
    """
    arrived = now or _now()

    def create_once(reference: str) -> tuple[TriageRecord, bool]:
        return _create_once(
            session, data, reference, actor=actor, arrived=arrived, key=idempotency_key
        )

    return create_with_new_reference(
        create_once,
        new_reference=lambda: data.reference or reference_factory(),
        attempts=MAX_REFERENCE_ATTEMPTS,
        what="triage reference",
    )


def _create_once(
    session: Session,
    data: TriageCreate,
    reference: str,
    *,
    actor: str,
    arrived: datetime,
    key: str | None,
) -> tuple[TriageRecord, bool]:
    """One try of ``create_triage`` under one candidate reference.

    Raises:
        ReferenceTaken: a generated reference was already used (the caller tries another).
    """
    begin_write(session)
    first = _first_for_key(session, key)
    if first is not None:
        session.commit()
        return first, False
    if data.reference and get_triage(session, reference=data.reference) is not None:
        return _existing(session, data, actor, arrived), False
    row = _build(data, reference, arrived)
    row.audit.append(TriageAuditEntry(**_audit_row(actor, AuditAction.CREATE, arrived)))
    session.add(row)
    if key:
        crud_delivery.remember(session, scope=TRIAGE_SCOPE, key=key, reference=reference)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        first = _first_for_key(session, key)
        if first is not None:  # the same key, sent twice at the same moment
            return first, False
        if get_triage(session, reference=reference) is None:
            raise  # not a reference collision: a real fault
        if data.reference:
            # Posted twice at the same moment: the other request stored it first.
            return _existing(session, data, actor, arrived), False
        raise ReferenceTaken(reference) from None
    logger.info(
        "Triage record %s received: priority %d, %s", row.reference, row.priority, row.category
    )
    return row, True


def _first_for_key(session: Session, key: str | None) -> TriageRecord | None:
    """The record the first request with this idempotency key created, if any."""
    if not key:
        return None
    reference = crud_delivery.find_result(session, scope=TRIAGE_SCOPE, key=key)
    return get_triage(session, reference=reference) if reference else None


def get_triage(session: Session, *, reference: str) -> TriageRecord | None:
    """Return the record with this reference (case-insensitive).

    Args:
        session: the database session.
        reference: e.g. ``FD-7K3Q9X``.

    Returns:
        The record, or None (also for a reference that is not well formed).
    """
    reference = reference.strip().upper()
    if not is_triage_reference(reference):
        return None
    statement = sa.select(TriageRecord).where(TriageRecord.reference == reference)
    return session.execute(statement).scalar_one_or_none()


def is_owner(record: TriageRecord, conversation_id: str | None) -> bool:
    """Whether ``conversation_id`` is the conversation that created the record.

    Args:
        record: the stored record.
        conversation_id: the conversation asking for a change (None: unknown).
    """
    if not conversation_id:
        return False
    return hmac.compare_digest(conversation_id.encode(), record.conversation_id.encode())


@dataclass(frozen=True)
class TriagePage:
    """One page of a triage listing."""

    count: int  # every match, not only this page
    records: list[TriageRecord]


def list_triage(
    session: Session,
    *,
    statuses: Collection[TriageStatus] | None = None,
    priorities: Collection[int] | None = None,
    categories: Collection[Category] | None = None,
    query: str | None = None,
    assignee: str | None = None,
    queue_order: bool = False,
    overdue_at: datetime | None = None,
    due_order: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> TriagePage:
    """List records, newest first (or in queue order: most urgent, then oldest, first).

    Args:
        session: the database session.
        statuses: statuses to include (all when None or empty).
        priorities: priorities to include.
        categories: categories to include.
        query: a reference (any case, or part of one), a resident's name or phone number
            (``triage_search.py``); all records when None or blank.
        assignee: only records assigned to this username.
        queue_order: sort by priority, then age, oldest first, as staff work the queue.
        overdue_at: only open records whose due-by time (``triage_due.py``) is before this.
        due_order: sort by due-by time, soonest (or most overdue) first.
        limit: the most records returned.
        offset: how many matching records to skip.

    Returns:
        The total number of matches and the page of records.
    """
    conditions = []
    if statuses:
        conditions.append(TriageRecord.status.in_([status.value for status in statuses]))
    if priorities:
        conditions.append(TriageRecord.priority.in_(list(priorities)))
    if categories:
        conditions.append(TriageRecord.category.in_([category.value for category in categories]))
    if assignee:
        conditions.append(TriageRecord.assignee == assignee)
    if query and query.strip():
        conditions.append(_search_condition(session, query.strip(), conditions))
    if overdue_at is not None:
        conditions.append(_overdue_condition(session, overdue_at, conditions))
    if due_order:
        return _by_due(session, conditions, limit, offset)
    count = session.execute(
        sa.select(sa.func.count()).select_from(TriageRecord).where(*conditions)
    ).scalar_one()
    if queue_order:
        order = (TriageRecord.priority.asc(), TriageRecord.created_at.asc(), TriageRecord.id.asc())
    else:
        order = (TriageRecord.created_at.desc(), TriageRecord.id.desc())
    statement = sa.select(TriageRecord).where(*conditions).order_by(*order)
    records = list(session.execute(statement.limit(limit).offset(offset)).scalars())
    return TriagePage(count=int(count), records=records)


def _search_condition(session: Session, query: str, conditions: list[Any]) -> Any:
    """The condition for records whose reference, resident name or phone matches the query.

    Contact details are JSON, which SQLite and PostgreSQL query differently, so names and
    phone numbers are compared here, over the records the other filters leave.
    """
    pattern = f"%{escape_like(query.upper())}%"
    by_reference = sa.func.upper(TriageRecord.reference).like(pattern, escape="\\")
    with_contact = sa.select(TriageRecord.id, TriageRecord.contact).where(
        *conditions, TriageRecord.contact.is_not(None)
    )
    ids = [row.id for row in session.execute(with_contact) if contact_matches(query, row.contact)]
    return sa.or_(by_reference, TriageRecord.id.in_(ids)) if ids else by_reference


def _due_rows(session: Session, conditions: list[Any]) -> list[tuple[datetime, int]]:
    """``(due_by, id)`` of every record the conditions leave (due-by is worked out here)."""
    rows = session.execute(
        sa.select(TriageRecord.id, TriageRecord.created_at, TriageRecord.priority).where(
            *conditions
        )
    )
    return [(due_by(row.created_at, row.priority), row.id) for row in rows]


def _overdue_condition(session: Session, now: datetime, conditions: list[Any]) -> Any:
    """The condition for open records past their due-by time.

    Due-by follows the priority's response time in working days, which SQL cannot count,
    so it is worked out here over the open records the other filters leave.
    """
    still_open = TriageRecord.status != TriageStatus.RESOLVED.value
    ids = [pk for due, pk in _due_rows(session, [*conditions, still_open]) if due < now]
    return TriageRecord.id.in_(ids)


def _by_due(session: Session, conditions: list[Any], limit: int, offset: int) -> TriagePage:
    """One page of the matching records, soonest due-by first (then oldest, by id)."""
    ordered = [pk for _, pk in sorted(_due_rows(session, conditions))]
    page_ids = ordered[offset : offset + limit]
    found = session.execute(sa.select(TriageRecord).where(TriageRecord.id.in_(page_ids)))
    by_id = {record.id: record for record in found.scalars()}
    return TriagePage(count=len(ordered), records=[by_id[pk] for pk in page_ids if pk in by_id])


def linked_references(
    session: Session, *, records: Collection[TriageRecord]
) -> dict[str, list[str]]:
    """Every other record from the same conversation as each record, oldest first.

    Args:
        session: the database session.
        records: the records shown.

    Returns:
        For each record's reference, the references of the others in its conversation.
    """
    conversations = {record.conversation_id for record in records}
    if not conversations:
        return {}
    rows = session.execute(
        sa.select(TriageRecord.reference, TriageRecord.conversation_id)
        .where(TriageRecord.conversation_id.in_(conversations))
        .order_by(TriageRecord.created_at.asc(), TriageRecord.id.asc())
    ).all()
    return {
        record.reference: [
            row.reference
            for row in rows
            if row.conversation_id == record.conversation_id and row.reference != record.reference
        ]
        for record in records
    }


def display_names(session: Session, *, usernames: Iterable[str | None]) -> dict[str, str]:
    """The display name of each staff username given (switched-off accounts too).

    Actors that are not people (``api-token``, ``retention``) and unknown usernames are
    left out: the caller shows them as they are.
    """
    wanted = {name for name in usernames if name and name not in RESERVED_ACTORS}
    if not wanted:
        return {}
    rows = session.execute(
        sa.select(StaffAccount.username, StaffAccount.display_name).where(
            StaffAccount.username.in_(wanted)
        )
    )
    return {row.username: row.display_name for row in rows}


def record_access(
    session: Session,
    *,
    records: Iterable[TriageRecord],
    actor: str,
    action: str = AuditAction.VIEW,
    now: datetime | None = None,
) -> None:
    """Write who looked at which records (``view`` for one, ``list`` for a listing).

    Args:
        session: the database session.
        records: the records shown.
        actor: a staff username, or ``api-token`` for the bearer API.
        action: ``view`` or ``list``.
        now: the time of access.
    """
    at = now or _now()
    rows = [{"triage_record_pk": record.id, **_audit_row(actor, action, at)} for record in records]
    if rows:
        # The read is over: end it, then write the audit rows in their own short write
        # transaction, so concurrent listings queue for the lock instead of failing.
        begin_write(session)
        session.execute(sa.insert(TriageAuditEntry), rows)
        session.commit()


def list_audit(session: Session, *, record: TriageRecord) -> list[TriageAuditEntry]:
    """Return a record's audit log, oldest entry first.

    Args:
        session: the database session.
        record: the stored record.

    Returns:
        The audit rows.
    """
    statement = (
        sa.select(TriageAuditEntry)
        .where(TriageAuditEntry.triage_record_pk == record.id)
        .order_by(TriageAuditEntry.at.asc(), TriageAuditEntry.id.asc())
    )
    return list(session.execute(statement).scalars())


def update_triage(
    session: Session,
    *,
    record: TriageRecord,
    actor: str,
    status: TriageStatus | None = None,
    assignee: str | None = UNSET,
    resolution_note: str | None = None,
    resident_note: str | None = None,
    contact: ContactIn | None = UNSET,
    now: datetime | None = None,
    sender_name: str | None = None,
) -> TriageRecord:
    """Change a record's status, assignee or contact details, writing the audit log.

    This is the only function that changes a triage record. Claiming (or reopening)
    assigns the record to ``assignee`` when given, else to the actor when the actor is a
    person; unclaiming clears the assignee unless one is given; resolving stores the note.

    Args:
        session: the database session.
        record: the stored record, as read earlier in this request.
        actor: a staff username, or ``api-token`` for the bearer API.
        status: the new status; None keeps the current one.
        assignee: the new assignee; None unassigns; leave out to keep (or derive) it.
        resolution_note: what was done, when resolving (for staff).
        resident_note: what staff chose to tell the resident, when resolving; it joins the
            transcript as a staff line, because the resident sees it in the conversation.
        contact: consented contact details; None withdraws them; leave out to keep them.
        now: the time of the change.
        sender_name: the display name shown with the note for the resident (the console
            gives the staff member's; the bearer API none).

    Returns:
        The updated record.

    Raises:
        workflow.InvalidTriageTransition: when the workflow does not allow the move.
        ConcurrentChange: when the record changed since it was read.
    """
    at = now or _now()
    current = TriageStatus(record.status)
    values: dict[str, Any] = {}
    audit: list[dict[str, Any]] = []
    if status is not None:
        action = check_triage_transition(current, status)
        values["status"] = status.value
        taking = action in (TriageAction.CLAIM, TriageAction.REOPEN)
        if taking and assignee is UNSET and actor not in RESERVED_ACTORS:
            assignee = actor
        elif action is TriageAction.UNCLAIM and assignee is UNSET:
            assignee = None
        if action is TriageAction.RESOLVE:
            values["resolution_note"] = resolution_note
            if resident_note:
                line = {
                    "role": TranscriptRole.STAFF.value,
                    "text": resident_note,
                    "at": at,
                    "name": sender_name,
                }
                values["transcript"] = [*(record.transcript or []), _line_json(line)]
        detail = f"from {current.value} to {status.value}"
        if action is TriageAction.RESOLVE and resolution_note:
            detail += " with a note"
        if action is TriageAction.RESOLVE and resident_note:
            detail += " and a note for the resident"
        audit.append(_audit_row(actor, action.value, at, detail))
    if assignee is not UNSET and assignee != record.assignee:
        values["assignee"] = assignee
        change = f"assignee: {assignee or 'none'}"
        if audit:  # the status move's row says who took the record
            audit[0]["detail"] = f"{audit[0]['detail']}; {change}"[:200]
        else:
            audit.append(_audit_row(actor, AuditAction.UPDATE, at, change))
    if contact is not UNSET:
        values["contact"] = _contact_json(contact)
        detail = "contact details added" if contact is not None else "contact details withdrawn"
        audit.append(_audit_row(actor, AuditAction.UPDATE, at, detail))
    if not values:
        return record
    values["updated_at"] = at
    begin_write(session)
    # Compare-and-set on the status read earlier: two staff claiming the same record at the
    # same moment cannot both succeed.
    result = session.execute(
        sa.update(TriageRecord)
        .where(TriageRecord.id == record.id, TriageRecord.status == current.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise ConcurrentChange(f"triage record {record.reference} changed meanwhile; reload it")
    if audit:
        session.execute(
            sa.insert(TriageAuditEntry), [{"triage_record_pk": record.id, **row} for row in audit]
        )
    session.commit()
    session.refresh(record)
    logger.info(
        "Triage record %s updated by %s: %s",
        record.reference,
        actor,
        ", ".join(row["action"] for row in audit) or "no audited change",
    )
    return record


def _merged_transcript(
    stored: list[dict[str, Any]], data: TriageAddition
) -> tuple[list[dict[str, Any]], int]:
    """The stored lines, then the new ones not already there; the newest lines are kept.

    A line is already there when the same words by the same speaker are stored within
    :data:`SAME_LINE_WINDOW`: the urgent record holds the crisis text as it was being
    said, and the conversation's own copy of it has a slightly later time.
    """
    seen: dict[tuple[str, str], list[datetime]] = {}
    for line in stored:
        moment = _parsed(line.get("at"))
        if moment is not None:
            seen.setdefault((str(line.get("role")), str(line.get("text"))), []).append(moment)
    added = []
    for entry in data.transcript:
        line = _line_json({"role": entry.role.value, "text": entry.text, "at": entry.at})
        times = seen.setdefault((line["role"], line["text"]), [])
        if any(abs(entry.at - moment) <= SAME_LINE_WINDOW for moment in times):
            continue
        times.append(entry.at)
        added.append(line)
    return [*stored, *added][-TRANSCRIPT_MAX_ENTRIES:], len(added)


SAME_LINE_WINDOW = timedelta(seconds=60)


def _parsed(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def add_to_triage(
    session: Session,
    *,
    record: TriageRecord,
    data: TriageAddition,
    actor: str = API_ACTOR,
    now: datetime | None = None,
) -> TriageRecord:
    """Add a later part of the same conversation to its open record.

    One conversation has one open record: the resident's later messages, a more urgent
    need and contact details join it instead of opening another. The new transcript lines
    are appended (lines already stored are skipped, so a retry adds nothing twice), the
    priority only rises, flags are added, contact details replace the old ones when given,
    and the summary is the one rebuilt from the whole conversation. The caller checks that
    ``data.conversation_id`` owns the record.

    Args:
        session: the database session.
        record: the stored record, as read earlier in this request.
        data: the validated addition.
        actor: who sent it, for the audit log.
        now: the time of the change.

    Returns:
        The updated record.

    Raises:
        CaseClosed: the record is resolved.
        ConcurrentChange: the record changed since it was read.
    """
    at = now or _now()
    current = TriageStatus(record.status)
    if current is TriageStatus.RESOLVED:
        raise CaseClosed(f"triage record {record.reference} is resolved; open a new one")
    transcript, added = _merged_transcript(list(record.transcript or []), data)
    values: dict[str, Any] = {"transcript": transcript, "summary": data.summary, "updated_at": at}
    changes = [f"{added} message(s) added"] if added else []
    if int(data.priority) < record.priority:
        values["priority"] = int(data.priority)
        values["category"] = data.category.value
        changes.append(f"priority {record.priority} to {int(data.priority)}")
    flags = [flag for flag in data.vulnerability if flag not in (record.vulnerability or [])]
    if flags:
        values["vulnerability"] = [*(record.vulnerability or []), *flags]
        changes.append("flags added")
    if data.contact is not None:
        values["contact"] = _contact_json(data.contact)
        changes.append("contact details added")
    if data.summary != record.summary:
        changes.append("summary rebuilt")
    result = session.execute(
        sa.update(TriageRecord)
        .where(TriageRecord.id == record.id, TriageRecord.status == current.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        raise ConcurrentChange(f"triage record {record.reference} changed meanwhile; reload it")
    detail = "added from the conversation: " + (", ".join(changes) or "nothing new")
    session.execute(
        sa.insert(TriageAuditEntry),
        [{"triage_record_pk": record.id, **_audit_row(actor, AuditAction.ADD, at, detail)}],
    )
    session.commit()
    session.refresh(record)
    logger.info("Triage record %s: %s", record.reference, detail)
    return record


SMS_STATUS_QUEUED = crud_sms.SMS_STATUS_QUEUED


def sms_number(record: TriageRecord) -> str | None:
    """The UK mobile a text message to the resident may go to, in E.164 form, or None.

    Contact details are in a record only with the resident's consent (contract section
    6), so a number there is one they agreed to be contacted on.
    """
    phone = (record.contact or {}).get("phone")
    if not isinstance(phone, str):
        return None
    digits = re.sub(r"[\s().-]", "", phone)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("0"):
        digits = "44" + digits[1:]
    candidate = "+" + digits
    return candidate if UK_MOBILE.match(candidate) else None


def sms_body(text: str, *, sender_name: str, reference: str) -> str:
    """The text message: the staff member's words, who wrote them, and the reference."""
    return f"{text}\n{sender_name}, council staff. Reference {reference}"


def add_staff_message(
    session: Session,
    *,
    record: TriageRecord,
    actor: str,
    sender_name: str,
    text: str,
    web_chat: bool,
    sms_to: str | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """Store a message staff wrote to the resident: transcript, audit log and SMS outbox.

    The caller has already put it into the web chat (``web_chat`` says whether it is
    there). The transcript line has the role ``staff`` and the sender's display name; a
    text message, when ``sms_to`` is given, is queued at the SMS gateway (the outbox) in
    the same transaction.

    Args:
        session: the database session.
        record: the stored record.
        actor: a staff username, or ``api-token`` for the bearer API.
        sender_name: the display name the resident sees.
        text: the message.
        web_chat: whether the message reached the resident's web chat.
        sms_to: the UK mobile (E.164) to text it to (see :func:`sms_number`), or None.
        now: the time it was written.

    Returns:
        The transcript line stored.

    Raises:
        ConcurrentChange: the record kept changing while the line was being added.
    """
    at = now or _now()
    line = _line_json(
        {"role": TranscriptRole.STAFF.value, "text": text, "at": at, "name": sender_name}
    )
    ways = [way for way, used in (("web chat", web_chat), ("text message", bool(sms_to))) if used]
    detail = f"message to the resident by {' and '.join(ways) or 'no channel'}"
    for _attempt in range(3):
        begin_write(session)
        # Compare-and-set on the last change: a line the assistant added meanwhile stays.
        result = session.execute(
            sa.update(TriageRecord)
            .where(TriageRecord.id == record.id, TriageRecord.updated_at == record.updated_at)
            .values(transcript=[*(record.transcript or []), line], updated_at=at)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            break
        session.rollback()
        session.refresh(record)
    else:
        raise ConcurrentChange(f"triage record {record.reference} kept changing; try again")
    session.execute(
        sa.insert(TriageAuditEntry),
        [{"triage_record_pk": record.id, **_audit_row(actor, AuditAction.MESSAGE, at, detail)}],
    )
    if sms_to:
        session.add(
            SmsOutboxItem(
                created_at=at,
                to_number=sms_to,
                body=sms_body(text, sender_name=sender_name, reference=record.reference),
                conversation_id=record.conversation_id[:128],
                status=SMS_STATUS_QUEUED,
            )
        )
    session.commit()
    session.refresh(record)
    logger.info("Triage record %s: %s, by %s", record.reference, detail, actor)
    return line


def purge_transcripts(
    session: Session, *, older_than_days: int, now: datetime | None = None
) -> int:
    """Empty the transcripts of records created more than ``older_than_days`` days ago.

    The record itself stays (staff may still need its summary and outcome); its transcript
    becomes ``[]``, ``transcript_purged_at`` is set and the audit log says so.

    Args:
        session: the database session.
        older_than_days: the retention period (``TRANSCRIPT_RETENTION_DAYS``).
        now: the current time (for tests).

    Returns:
        How many transcripts were removed.

    Raises:
        ValueError: when ``older_than_days`` is negative.
    """
    if older_than_days < 0:
        raise ValueError("older_than_days cannot be negative")
    at = now or _now()
    cutoff = at - timedelta(days=older_than_days)
    candidates = (
        sa.select(TriageRecord.id, TriageRecord.transcript)
        .where(TriageRecord.created_at < cutoff, TriageRecord.transcript_purged_at.is_(None))
        .order_by(TriageRecord.id)
    )
    ids = [row.id for row in session.execute(candidates) if row.transcript]
    for start in range(0, len(ids), PURGE_BATCH):
        batch = ids[start : start + PURGE_BATCH]
        session.execute(
            sa.update(TriageRecord)
            .where(TriageRecord.id.in_(batch))
            .values(transcript=[], transcript_purged_at=at)
            .execution_options(synchronize_session=False)
        )
        detail = f"older than {older_than_days} days"
        session.execute(
            sa.insert(TriageAuditEntry),
            [
                {
                    "triage_record_pk": pk,
                    **_audit_row(RETENTION_ACTOR, AuditAction.PURGE_TRANSCRIPT, at, detail),
                }
                for pk in batch
            ],
        )
        session.commit()
    session.expire_all()
    if ids:
        logger.info("Removed %d triage transcripts older than %d days", len(ids), older_than_days)
    return len(ids)
