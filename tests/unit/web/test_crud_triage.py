"""crud_triage.py: storing hand-offs idempotently, moving them, auditing, and retention."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from web import crud_triage
from web.core.config import Settings
from web.core.db import (
    create_db_engine,
    create_session_factory,
)
from web.core.schema import upgrade_database
from web.crud_triage import (
    API_ACTOR,
    ConcurrentChange,
    ReferenceConflict,
    ReferenceExhausted,
)
from web.models import TriageAuditEntry, TriageRecord
from web.triage_models import (
    TRIAGE_REFERENCE_PATTERN,
    Category,
    ContactIn,
    TriageCreate,
)
from web.workflow import InvalidTriageTransition, TriageStatus

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
TRANSCRIPT = [
    {"role": "resident", "text": "I have had a letter about my bill", "at": "2026-11-01T09:00:00Z"},
    {
        "role": "assistant",
        "text": "I can put you in touch with someone.",
        "at": "2026-11-01T09:00:05Z",
    },
]


def record_data(**changes: Any) -> TriageCreate:
    body: dict[str, Any] = {
        "conversation_id": "conv-unit",
        "channel": "web",
        "language": "en",
        "category": "council_tax",
        "priority": 3,
        "vulnerability": [],
        "summary": "Resident does not understand a council tax letter.",
        "transcript": TRANSCRIPT,
    }
    body.update(changes)
    return TriageCreate(**body)


def create(session: Session, **changes: Any) -> TriageRecord:
    created_at = changes.pop("now", NOW)
    record, created = crud_triage.create_triage(
        session, data=record_data(**changes), now=created_at
    )
    assert created
    return record


def actions(session: Session, record: TriageRecord) -> list[tuple[str, str]]:
    return [(row.actor, row.action) for row in crud_triage.list_audit(session, record=record)]


# --- creating ---------------------------------------------------------------------------------


def test_a_new_record_gets_a_reference_and_starts_new(session: Session) -> None:
    record = create(session)
    assert TRIAGE_REFERENCE_PATTERN.match(record.reference)
    assert record.status == "new" and record.assignee is None
    assert record.created_at == NOW == record.updated_at
    assert record.transcript[0] == {
        "role": "resident",
        "text": "I have had a letter about my bill",
        "at": "2026-11-01T09:00:00+00:00",
    }
    assert actions(session, record) == [(API_ACTOR, "create")]


def test_the_client_s_reference_and_creation_time_are_kept(session: Session) -> None:
    shown_at = NOW - timedelta(hours=2)
    record = create(session, reference="fd-7k3q9x", created_at=shown_at.isoformat())
    assert record.reference == "FD-7K3Q9X"
    assert record.created_at == shown_at and record.updated_at == NOW


def test_posting_the_same_reference_again_returns_the_stored_record(session: Session) -> None:
    first = create(session, reference="FD-7K3Q9X")
    again, created = crud_triage.create_triage(
        session, data=record_data(reference="FD-7K3Q9X", summary="Changed on retry."), now=NOW
    )
    assert not created and again.id == first.id
    assert again.summary == "Resident does not understand a council tax letter."
    assert session.execute(sa.select(sa.func.count()).select_from(TriageRecord)).scalar() == 1
    assert actions(session, first) == [(API_ACTOR, "create"), (API_ACTOR, "resubmit")]


def test_a_reference_of_another_conversation_is_a_conflict(session: Session) -> None:
    create(session, reference="FD-7K3Q9X")
    with pytest.raises(ReferenceConflict):
        crud_triage.create_triage(
            session, data=record_data(reference="FD-7K3Q9X", conversation_id="someone-else")
        )


def test_a_generated_reference_collision_is_retried(session: Session) -> None:
    create(session, reference="FD-AAAAAA")
    candidates = iter(["FD-AAAAAA", "FD-BBBBBB"])
    record, created = crud_triage.create_triage(
        session, data=record_data(), reference_factory=lambda: next(candidates)
    )
    assert created and record.reference == "FD-BBBBBB"


def test_running_out_of_references_is_reported(session: Session) -> None:
    create(session, reference="FD-AAAAAA")
    with pytest.raises(ReferenceExhausted):
        crud_triage.create_triage(
            session, data=record_data(), reference_factory=lambda: "FD-AAAAAA"
        )


def test_lookup_is_case_insensitive_and_ignores_malformed_references(session: Session) -> None:
    record = create(session, reference="FD-7K3Q9X")
    assert crud_triage.get_triage(session, reference=" fd-7k3q9x ") is record
    for reference in ("FD-7K3Q9", "SR-7K3Q9X", "FD-7K3Q9O", "' OR 1=1 --"):
        assert crud_triage.get_triage(session, reference=reference) is None


# --- listing ----------------------------------------------------------------------------------


def test_listing_filters_and_orders(session: Session) -> None:
    old_urgent = create(session, priority=1, category="housing", now=NOW - timedelta(hours=3))
    new_standard = create(session, priority=3, now=NOW - timedelta(hours=1))
    new_urgent = create(session, priority=1, category="safeguarding", now=NOW)
    crud_triage.update_triage(
        session, record=new_standard, actor="alice", status=TriageStatus.CLAIMED
    )

    newest_first = crud_triage.list_triage(session)
    assert [r.id for r in newest_first.records] == [new_urgent.id, new_standard.id, old_urgent.id]
    queue = crud_triage.list_triage(session, queue_order=True)
    assert [r.id for r in queue.records] == [old_urgent.id, new_urgent.id, new_standard.id]

    assert crud_triage.list_triage(session, priorities=[1]).count == 2
    claimed = crud_triage.list_triage(session, statuses=[TriageStatus.CLAIMED])
    assert [r.id for r in claimed.records] == [new_standard.id]
    housing = crud_triage.list_triage(session, categories=[Category.HOUSING], priorities=[1, 2])
    assert [r.id for r in housing.records] == [old_urgent.id]
    page = crud_triage.list_triage(session, limit=1, offset=1)
    assert page.count == 3 and [r.id for r in page.records] == [new_standard.id]


# --- changing ---------------------------------------------------------------------------------


def test_claim_resolve_reopen_and_unclaim(session: Session) -> None:
    record = create(session)
    crud_triage.update_triage(session, record=record, actor="alice", status=TriageStatus.CLAIMED)
    assert (record.status, record.assignee) == ("claimed", "alice")
    crud_triage.update_triage(
        session,
        record=record,
        actor="alice",
        status=TriageStatus.RESOLVED,
        resolution_note="Explained the bill by phone.",
    )
    assert (record.status, record.resolution_note) == ("resolved", "Explained the bill by phone.")
    crud_triage.update_triage(session, record=record, actor="bob", status=TriageStatus.CLAIMED)
    assert (record.status, record.assignee) == ("claimed", "bob")
    crud_triage.update_triage(session, record=record, actor="bob", status=TriageStatus.NEW)
    assert (record.status, record.assignee) == ("new", None)
    assert [action for _, action in actions(session, record)] == [
        "create",
        "claim",
        "resolve",
        "reopen",
        "unclaim",
    ]


def test_the_api_token_claims_for_the_named_assignee(session: Session) -> None:
    record = create(session)
    crud_triage.update_triage(
        session, record=record, actor=API_ACTOR, status=TriageStatus.CLAIMED, assignee="carol"
    )
    assert record.assignee == "carol"
    crud_triage.update_triage(session, record=record, actor=API_ACTOR, assignee=None)
    assert record.assignee is None and record.status == "claimed"
    audit = crud_triage.list_audit(session, record=record)
    assert audit[-2].detail == "from new to claimed; assignee: carol"
    assert (audit[-1].action, audit[-1].detail) == ("update", "assignee: none")


def test_contact_details_can_be_added_and_withdrawn(session: Session) -> None:
    record = create(session)
    contact = ContactIn(name="Jo Bloggs", phone="07700900123", preferred="text")
    crud_triage.update_triage(session, record=record, actor=API_ACTOR, contact=contact)
    assert record.contact == {
        "name": "Jo Bloggs",
        "phone": "07700900123",
        "email": None,
        "preferred": "text",
    }
    crud_triage.update_triage(session, record=record, actor=API_ACTOR, contact=None)
    assert record.contact is None
    assert [row.detail for row in crud_triage.list_audit(session, record=record)][-2:] == [
        "contact details added",
        "contact details withdrawn",
    ]


def test_a_forbidden_move_changes_nothing(session: Session) -> None:
    record = create(session)
    with pytest.raises(InvalidTriageTransition):
        crud_triage.update_triage(session, record=record, actor="alice", status=TriageStatus.NEW)
    session.expire_all()
    assert record.status == "new"
    assert actions(session, record) == [(API_ACTOR, "create")]


def test_a_stale_read_cannot_overwrite_someone_else_s_move(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'cs.db'}", environment="test")
    engine = create_db_engine(settings)
    upgrade_database(engine)
    sessions = create_session_factory(engine)
    try:
        with sessions() as alice_session, sessions() as bob_session:
            reference = create(alice_session).reference
            seen_by_alice = crud_triage.get_triage(alice_session, reference=reference)
            seen_by_bob = crud_triage.get_triage(bob_session, reference=reference)
            assert seen_by_alice is not None and seen_by_bob is not None
            alice_session.commit()  # her read ends; SQLite would otherwise hold Bob's write
            crud_triage.update_triage(
                bob_session, record=seen_by_bob, actor="bob", status=TriageStatus.CLAIMED
            )
            # Alice's page still says "new"; claiming now would take Bob's record from him.
            with pytest.raises(ConcurrentChange):
                crud_triage.update_triage(
                    alice_session, record=seen_by_alice, actor="alice", status=TriageStatus.CLAIMED
                )
            alice_session.expire_all()
            assert (seen_by_alice.status, seen_by_alice.assignee) == ("claimed", "bob")
            assert [action for _, action in actions(alice_session, seen_by_alice)] == [
                "create",
                "claim",
            ]
    finally:
        engine.dispose()


def test_reads_are_audited(session: Session) -> None:
    first, second = create(session), create(session)
    crud_triage.record_access(session, records=[first, second], actor="alice", action="list")
    crud_triage.record_access(session, records=[first], actor="alice")
    assert actions(session, first)[1:] == [("alice", "list"), ("alice", "view")]
    assert actions(session, second)[1:] == [("alice", "list")]


# --- retention --------------------------------------------------------------------------------


def test_purge_removes_only_old_transcripts_and_counts_them(session: Session) -> None:
    old = [create(session, now=NOW - timedelta(days=days)) for days in (31, 45, 400)]
    young = create(session, now=NOW - timedelta(days=29))
    today = create(session, now=NOW)
    old_but_empty = create(session, transcript=[], now=NOW - timedelta(days=60))

    assert crud_triage.purge_transcripts(session, older_than_days=30, now=NOW) == 3
    session.expire_all()
    for record in old:
        assert record.transcript == [] and record.transcript_purged_at == NOW
        assert record.summary  # the record itself stays
        assert actions(session, record)[-1] == ("retention", "purge_transcript")
    for record in (young, today):
        assert record.transcript == [
            {**line, "at": line["at"].replace("Z", "+00:00")} for line in TRANSCRIPT
        ]
        assert record.transcript_purged_at is None
    assert old_but_empty.transcript_purged_at is None

    assert crud_triage.purge_transcripts(session, older_than_days=30, now=NOW) == 0
    assert crud_triage.purge_transcripts(session, older_than_days=28, now=NOW) == 1
    audit_rows = session.execute(
        sa.select(sa.func.count())
        .select_from(TriageAuditEntry)
        .where(TriageAuditEntry.action == "purge_transcript")
    ).scalar()
    assert audit_rows == 4


def test_purge_refuses_a_negative_period(session: Session) -> None:
    with pytest.raises(ValueError):
        crud_triage.purge_transcripts(session, older_than_days=-1)


# --- additions: one conversation, one open record ---------------------------------------------


def addition(**changes: Any) -> Any:
    from web.triage_models import TriageAddition

    body: dict[str, Any] = {
        "conversation_id": "conv-unit",
        "category": "council_tax",
        "priority": 3,
        "summary": "Resident does not understand a council tax letter. Contact by phone.",
        "transcript": TRANSCRIPT,
        "contact": {"name": "Jo", "phone": "07700900123", "preferred": "phone"},
    }
    body.update(changes)
    return TriageAddition(**body)


def test_an_addition_adds_contact_and_rebuilds_the_summary(session: Session) -> None:
    record = create(session)
    later = NOW + timedelta(minutes=5)
    updated = crud_triage.add_to_triage(session, record=record, data=addition(), now=later)
    assert updated.contact["phone"] == "07700900123"
    assert updated.summary.endswith("Contact by phone.")
    assert len(updated.transcript) == len(TRANSCRIPT)  # nothing new to add
    assert updated.updated_at == later
    assert actions(session, updated)[-1] == (API_ACTOR, "add")


def test_a_resolved_record_takes_no_addition(session: Session) -> None:
    record = create(session)
    crud_triage.update_triage(
        session, record=record, actor="alice", status=TriageStatus.RESOLVED, now=NOW
    )
    with pytest.raises(crud_triage.CaseClosed):
        crud_triage.add_to_triage(session, record=record, data=addition(), now=NOW)


def test_an_addition_to_a_record_that_changed_meanwhile_is_refused(session: Session) -> None:
    record = create(session)
    session.execute(
        sa.update(TriageRecord).where(TriageRecord.id == record.id).values(status="claimed")
    )
    session.commit()
    stale = TriageRecord(
        id=record.id, reference=record.reference, status="new", priority=3, transcript=[]
    )
    with pytest.raises(ConcurrentChange):
        crud_triage.add_to_triage(session, record=stale, data=addition(), now=NOW)


def test_resolving_with_a_note_for_the_resident_adds_a_staff_line(session: Session) -> None:
    record = create(session)
    resolved = crud_triage.update_triage(
        session,
        record=record,
        actor="alice",
        status=TriageStatus.RESOLVED,
        resolution_note="Explained the letter.",
        resident_note="We have explained the letter by phone.",
        now=NOW,
    )
    assert resolved.transcript[-1] == {
        "role": "staff",
        "text": "We have explained the letter by phone.",
        "at": "2026-11-23T10:00:00+00:00",
    }
    detail = crud_triage.list_audit(session, record=resolved)[-1].detail
    assert detail == "from new to resolved with a note and a note for the resident"


# --- issue #18: the crisis text is not doubled; staff messages -------------------------------

CRISIS = "Call 999 now if you are in danger."


def test_the_crisis_text_said_as_the_record_was_made_is_not_added_twice(
    session: Session,
) -> None:
    said = {"role": "assistant", "text": CRISIS, "at": "2026-11-01T09:00:06Z"}
    record = create(session, transcript=[*TRANSCRIPT, said])
    # The conversation's own copy of the same words is a second or two later.
    again = {**said, "at": "2026-11-01T09:00:08Z"}
    later = {"role": "assistant", "text": CRISIS, "at": "2026-11-01T10:30:00Z"}
    data = addition(transcript=[*TRANSCRIPT, again, later], contact=None)
    updated = crud_triage.add_to_triage(session, record=record, data=data, now=NOW)
    texts = [line["text"] for line in updated.transcript]
    assert texts.count(CRISIS) == 2  # the copy is skipped; the same words an hour on are kept


def test_a_staff_message_joins_the_transcript_audit_and_outbox(session: Session) -> None:
    from web.models import SmsOutboxItem

    record = create(session, contact={"name": "Jo", "phone": "+44 7700 900123"})
    assert crud_triage.sms_number(record) == "+447700900123"
    line = crud_triage.add_staff_message(
        session,
        record=record,
        actor="sam",
        sender_name="Sam Jones",
        text="Booked.",
        web_chat=False,
        sms_to="+447700900123",
        now=NOW,
    )
    assert line == {"role": "staff", "text": "Booked.", "at": line["at"], "name": "Sam Jones"}
    assert record.transcript[-1] == line
    assert ("sam", "message") in actions(session, record)
    [sms] = session.execute(sa.select(SmsOutboxItem)).scalars().all()
    assert sms.to_number == "+447700900123" and record.reference in sms.body


@pytest.mark.parametrize(
    "contact", [None, {"name": "Jo"}, {"phone": "01782 234567"}, {"phone": "+1 202 555 0100"}]
)
def test_no_text_message_without_a_consented_uk_mobile(session: Session, contact) -> None:
    assert crud_triage.sms_number(create(session, contact=contact)) is None


def test_the_note_for_the_resident_carries_the_sender_s_name(session: Session) -> None:
    resolved = crud_triage.update_triage(
        session,
        record=create(session),
        actor="alice",
        status=TriageStatus.RESOLVED,
        resolution_note="Explained the letter.",
        resident_note="All sorted.",
        sender_name="Alice Smith",
        now=NOW,
    )
    assert resolved.transcript[-1]["name"] == "Alice Smith"
