"""crud.py against an in-memory database: references, the one status writer, the search."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from web.stand_in.open311 import crud
from web.stand_in.open311.catalogue import Catalogue
from web.stand_in.open311.models import ServiceRequestCreate, StatusChange
from web.stand_in.open311.workflow import InvalidTransition, ReportStatus

NOW = datetime(2026, 11, 23, 10, 15, tzinfo=timezone.utc)


def add(
    session: Session,
    catalogue: Catalogue,
    *,
    code: str = "POTHOLE",
    at: datetime = NOW,
    id_factory=crud.new_service_request_id,
):
    service = catalogue.get(code)
    assert service is not None
    data = ServiceRequestCreate(service_code=code, address_string="1 Test Street")
    return crud.create_service_request(
        session, data=data, service=service, attributes={}, now=at, id_factory=id_factory
    )


def test_reference_format() -> None:
    pattern = re.compile(r"^SR-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$")
    assert all(pattern.match(crud.new_service_request_id()) for _ in range(200))


def test_new_request_starts_received_with_one_history_row(
    session: Session, catalogue: Catalogue
) -> None:
    row = add(session, catalogue)
    assert row.status == "received"
    assert row.requested_at == NOW and row.updated_at == NOW
    assert row.expected_at == NOW + timedelta(days=catalogue.get("POTHOLE").target_days)
    assert [(h.from_status, h.to_status) for h in row.history] == [(None, "received")]


def test_reference_collision_is_retried(session: Session, catalogue: Catalogue) -> None:
    add(session, catalogue, id_factory=lambda: "SR-AAAAAA")
    candidates = iter(["SR-AAAAAA", "SR-AAAAAA", "SR-BBBBBB"])
    row = add(session, catalogue, id_factory=lambda: next(candidates))
    assert row.service_request_id == "SR-BBBBBB"
    count = session.execute(sa.select(sa.func.count()).select_from(StatusChange)).scalar()
    assert count == 2


def test_gives_up_when_every_reference_is_taken(session: Session, catalogue: Catalogue) -> None:
    add(session, catalogue, id_factory=lambda: "SR-AAAAAA")
    with pytest.raises(crud.ReferenceExhausted):
        add(session, catalogue, id_factory=lambda: "SR-AAAAAA")


def test_update_report_writes_history(session: Session, catalogue: Catalogue) -> None:
    row = add(session, catalogue)
    later = NOW + timedelta(hours=2)
    crud.update_report(
        session,
        report=row,
        status=ReportStatus.INVESTIGATING,
        status_notes="Inspector booked",
        now=later,
    )
    fetched = crud.get_service_request(session, service_request_id=row.service_request_id.lower())
    assert fetched is not None
    assert fetched.status == "investigating" and fetched.status_notes == "Inspector booked"
    assert fetched.updated_at == later
    last = fetched.history[-1]
    assert (last.from_status, last.to_status, last.notes, last.changed_by, last.changed_at) == (
        "received",
        "investigating",
        "Inspector booked",
        "staff",
        later,
    )


def test_update_report_refuses_a_forbidden_move_and_writes_nothing(
    session: Session, catalogue: Catalogue
) -> None:
    row = add(session, catalogue)
    crud.update_report(session, report=row, status=ReportStatus.FIXED)
    with pytest.raises(InvalidTransition):
        crud.update_report(
            session, report=row, status=ReportStatus.SCHEDULED, status_notes="should not stick"
        )
    session.rollback()
    fetched = crud.get_service_request(session, service_request_id=row.service_request_id)
    assert fetched.status == "fixed" and fetched.status_notes is None
    assert len(fetched.history) == 2


def test_notes_only_update_keeps_the_status(session: Session, catalogue: Catalogue) -> None:
    row = add(session, catalogue)
    crud.update_report(session, report=row, status_notes="Passed to the crew")
    assert row.status == "received" and row.status_notes == "Passed to the crew"
    assert [(h.from_status, h.to_status) for h in row.history][-1] == ("received", "received")


def test_default_window_is_90_days_newest_first(session: Session, catalogue: Catalogue) -> None:
    recent = add(session, catalogue, at=NOW - timedelta(days=1))
    newest = add(session, catalogue, at=NOW - timedelta(minutes=5))
    old = add(session, catalogue, at=NOW - timedelta(days=91))
    found = crud.list_service_requests(session, now=NOW)
    assert [r.service_request_id for r in found] == [
        newest.service_request_id,
        recent.service_request_id,
    ]
    by_id = crud.list_service_requests(session, service_request_ids=[old.service_request_id])
    assert [r.service_request_id for r in by_id] == [old.service_request_id]


def test_end_date_alone_looks_back_90_days(session: Session, catalogue: Catalogue) -> None:
    inside = add(session, catalogue, at=NOW - timedelta(days=100))
    outside = add(session, catalogue, at=NOW - timedelta(days=200))
    found = crud.list_service_requests(session, end=NOW - timedelta(days=20))
    assert [r.service_request_id for r in found] == [inside.service_request_id]
    assert outside.service_request_id not in {r.service_request_id for r in found}


def test_filters_and_limit(session: Session, catalogue: Catalogue) -> None:
    stamps = (NOW - timedelta(minutes=n) for n in itertools.count())
    rows = [add(session, catalogue, code=code, at=next(stamps)) for code in ["DRAIN"] * 3]
    graffiti = add(session, catalogue, code="GRAFFITI", at=next(stamps))
    crud.update_report(session, report=rows[0], status=ReportStatus.DUPLICATE)
    found = crud.list_service_requests(session, service_codes=["graffiti"], now=NOW)
    assert [r.service_request_id for r in found] == [graffiti.service_request_id]
    closed = crud.list_service_requests(session, statuses=[ReportStatus.DUPLICATE], now=NOW)
    assert [r.service_request_id for r in closed] == [rows[0].service_request_id]
    assert len(crud.list_service_requests(session, limit=2, now=NOW)) == 2
