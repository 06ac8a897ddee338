"""Retention of the council services' personal data and its daily worker (``retention.py``).

The worker test runs the real loop, with a short interval, in a thread against a SQLite
file holding old and new rows of every kind.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from web import crud_triage
from web.core.config import Settings
from web.core.db import (
    create_db_engine,
    create_session_factory,
)
from web.core.schema import upgrade_database
from web.models import SmsOutboxItem, TriageAuditEntry, TriageRecord
from web.retention import (
    RetentionPolicy,
    purge_all,
    run_retention_worker,
    worker_sessions,
)
from web.stand_in.open311 import crud
from web.stand_in.open311.catalogue import Catalogue
from web.stand_in.open311.models import ServiceRequest, ServiceRequestCreate
from web.triage_models import TriageCreate

NOW = datetime.now(timezone.utc)
POLICY = RetentionPolicy(
    transcript_days=30,
    triage_contact_days=90,
    open311_contact_days=90,
    open311_description_days=365,
    sms_days=30,
    insight_event_days=730,
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A fresh SQLite file at the latest schema."""
    engine = create_db_engine(
        Settings(database_url=f"sqlite:///{tmp_path / 'cs.db'}", environment="test")
    )
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> Callable[[], Session]:
    """Sessions as the server's routes use them."""
    return create_session_factory(engine)


def add_report(session: Session, catalogue: Catalogue, days_old: float) -> str:
    """A pothole report with contact details, last changed ``days_old`` days ago."""
    service = catalogue.get("POTHOLE")
    assert service is not None
    data = ServiceRequestCreate(
        service_code="POTHOLE",
        address_string="1 Test Street",
        description=f"Hole, {days_old} days",
        email="jo@example.org",
        first_name="Jo",
        last_name="Bloggs",
        phone="07700900123",
    )
    row = crud.create_service_request(
        session, data=data, service=service, attributes={}, now=NOW - timedelta(days=days_old)
    )
    return row.service_request_id


def add_triage(session: Session, days_old: float) -> str:
    """A hand-off with a transcript and contact details, created ``days_old`` days ago."""
    data = TriageCreate(
        conversation_id=f"conv-{days_old}",
        channel="web",
        language="en",
        category="other",
        priority=3,
        summary="Test record.",
        transcript=[{"role": "resident", "text": "hello", "at": NOW.isoformat()}],
        contact={"name": "Jo", "phone": "07700900123", "preferred": "phone"},
    )
    record, _created = crud_triage.create_triage(
        session, data=data, now=NOW - timedelta(days=days_old)
    )
    return record.reference


def add_text(session: Session, days_old: float) -> int:
    """A text message to a resident, sent ``days_old`` days ago."""
    item = SmsOutboxItem(
        created_at=NOW - timedelta(days=days_old),
        to_number="+447700900123",
        body="Your reference is FD-7K3Q9X",
        conversation_id="c",
        status="queued",
    )
    session.add(item)
    session.commit()
    return item.id


def seed(session: Session, catalogue: Catalogue) -> dict[str, Any]:
    """Old and new rows of every kind."""
    return {
        "report_new": add_report(session, catalogue, 1),
        "report_contact_old": add_report(session, catalogue, 100),
        "report_all_old": add_report(session, catalogue, 400),
        "triage_new": add_triage(session, 1),
        "triage_transcript_old": add_triage(session, 40),
        "triage_all_old": add_triage(session, 100),
        "text_new": add_text(session, 1),
        "text_old": add_text(session, 40),
    }


def report(session: Session, reference: str) -> ServiceRequest:
    row = crud.get_service_request(session, service_request_id=reference)
    assert row is not None
    return row


def triage(session: Session, reference: str) -> TriageRecord:
    return session.execute(
        sa.select(TriageRecord).where(TriageRecord.reference == reference)
    ).scalar_one()


def assert_old_gone_and_new_kept(session: Session, ids: dict[str, Any]) -> None:
    session.expire_all()
    new = report(session, ids["report_new"])
    assert (new.phone, new.email, new.description) == (
        "07700900123",
        "jo@example.org",
        "Hole, 1 days",
    )
    contact_old = report(session, ids["report_contact_old"])
    assert contact_old.phone is None and contact_old.email is None
    assert contact_old.first_name is None and contact_old.last_name is None
    assert contact_old.description  # descriptions live longer than contacts
    all_old = report(session, ids["report_all_old"])
    assert all_old.description is None and all_old.phone is None
    assert all_old.status == "received" and all_old.address_string == "1 Test Street"

    assert triage(session, ids["triage_new"]).contact["phone"] == "07700900123"
    assert triage(session, ids["triage_new"]).transcript
    transcript_old = triage(session, ids["triage_transcript_old"])
    assert transcript_old.transcript == [] and transcript_old.contact["phone"]
    all_old_triage = triage(session, ids["triage_all_old"])
    assert all_old_triage.transcript == [] and all_old_triage.contact is None

    assert session.get(SmsOutboxItem, ids["text_new"]) is not None
    assert session.get(SmsOutboxItem, ids["text_old"]) is None


def test_purge_all_removes_each_kind_after_its_own_lifetime(
    session_factory: Callable[[], Session], catalogue: Catalogue
) -> None:
    with session_factory() as session:
        ids = seed(session, catalogue)
        counts = purge_all(session, POLICY, now=NOW)
        assert counts.open311_contacts == 2
        assert counts.open311_descriptions == 1
        assert counts.triage_transcripts == 2
        assert counts.triage_contacts == 1
        assert counts.text_messages == 1
        assert_old_gone_and_new_kept(session, ids)
        audit = session.execute(
            sa.select(TriageAuditEntry.actor, TriageAuditEntry.action).where(
                TriageAuditEntry.action == "purge_contact"
            )
        ).all()
        assert audit == [("retention", "purge_contact")]
        # Nothing left to remove: a second run changes nothing.
        assert purge_all(session, POLICY, now=NOW).total == 0


def test_the_policy_comes_from_one_setting_per_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = RetentionPolicy.from_settings(Settings(database_url="sqlite://"))
    assert defaults == RetentionPolicy(30, 90, 90, 365, 30, 730)
    monkeypatch.setenv("SMS_RETENTION_DAYS", "7")
    monkeypatch.setenv("OPEN311_DESCRIPTION_RETENTION_DAYS", "180")
    changed = RetentionPolicy.from_settings(Settings(database_url="sqlite://"), transcript_days=5)
    assert (changed.sms_days, changed.open311_description_days) == (7, 180)
    assert changed.transcript_days == 5


def test_purge_lines_name_every_kind_and_its_period(
    session_factory: Callable[[], Session], catalogue: Catalogue
) -> None:
    with session_factory() as session:
        seed(session, catalogue)
        lines = purge_all(session, POLICY, now=NOW).lines(POLICY)
    assert "Removed 2 Open311 reporters' contact details older than 90 days." in lines
    assert "Removed 1 Open311 descriptions older than 365 days." in lines
    assert "Removed 1 triage contacts older than 90 days." in lines
    assert "Removed 1 text messages older than 30 days." in lines
    assert len(lines) == 7


def test_the_worker_purges_at_once_and_again_at_each_interval(
    engine: Engine, session_factory: Callable[[], Session], catalogue: Catalogue
) -> None:
    with session_factory() as session:
        ids = seed(session, catalogue)
    stop = threading.Event()
    runs: list[int] = []
    worker = threading.Thread(
        target=lambda: runs.append(
            run_retention_worker(worker_sessions(engine), POLICY, 0.05, stop)
        )
    )
    worker.start()
    try:
        wait_until(session_factory, lambda s: s.get(SmsOutboxItem, ids["text_old"]) is None)
        with session_factory() as session:
            assert_old_gone_and_new_kept(session, ids)
        with session_factory() as session:
            # Rows that grow old later are removed by a later run of the same loop.
            late = add_text(session, 50)
        wait_until(session_factory, lambda s: s.get(SmsOutboxItem, late) is None)
        with session_factory() as session:
            assert session.get(SmsOutboxItem, ids["text_new"]) is not None
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()
    assert runs and runs[0] >= 2


def test_a_failed_run_does_not_stop_the_worker(catalogue: Catalogue) -> None:
    stop = threading.Event()
    calls: list[int] = []

    def broken() -> Session:
        calls.append(1)
        if len(calls) >= 3:
            stop.set()
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("database is down"))

    assert run_retention_worker(broken, POLICY, 0.01, stop) == 3


def wait_until(
    session_factory: Callable[[], Session],
    check: Callable[[Session], bool],
    timeout_s: float = 10.0,
) -> None:
    """Poll, each time in a new session, until ``check`` holds."""
    deadline = time.monotonic() + timeout_s
    while True:
        with session_factory() as session:
            if check(session):
                return
        assert time.monotonic() < deadline, "the worker did not purge in time"
        time.sleep(0.05)


def test_the_command_runs_the_worker_every_configured_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web import retention
    from web.__main__ import main

    seen: dict[str, Any] = {}

    def fake_worker(sessions: Any, policy: RetentionPolicy, interval_s: float, stop: Any) -> int:
        seen.update(policy=policy, interval_s=interval_s)
        return 1

    monkeypatch.setattr(retention, "run_retention_worker", fake_worker)
    monkeypatch.setenv("COUNCIL_SERVICES_DATABASE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.setenv("PURGE_INTERVAL_HOURS", "0.5")
    monkeypatch.setenv("TRIAGE_CONTACT_RETENTION_DAYS", "14")
    assert main(["retention-worker"]) == 0
    assert seen["interval_s"] == 1800
    assert seen["policy"].triage_contact_days == 14
