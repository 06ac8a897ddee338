"""Every database operation of the stand-in Open311 CRM: its service requests.

Routes call these functions with keyword arguments and never build queries themselves.
``update_report`` is the one function that changes a report's status: it checks the move
against ``workflow.py`` and writes a history row in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from lib.redaction import redact
from lib.reference_retry import ReferenceExhausted as ReferenceExhausted
from lib.reference_retry import ReferenceTaken, create_with_new_reference
from lib.references import new_reference
from web import crud_delivery
from web.core.db import begin_write
from web.delivery_models import OPEN311_SCOPE
from web.stand_in.open311.models import (
    SERVICE_REQUEST_PREFIX,
    AttributeValue,
    CatalogueService,
    ServiceRequest,
    ServiceRequestCreate,
    StatusChange,
)
from web.stand_in.open311.workflow import INITIAL_STATUS, ReportStatus, check_transition

logger = logging.getLogger(__name__)

MAX_ID_ATTEMPTS = 10
DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000


def new_service_request_id() -> str:
    """Return a random reference such as ``SR-7K3Q9X``."""
    return new_reference(SERVICE_REQUEST_PREFIX)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _redacted(text: str | None) -> str | None:
    return redact(text) if text else text


def create_service_request(
    session: Session,
    *,
    data: ServiceRequestCreate,
    service: CatalogueService,
    attributes: dict[str, AttributeValue],
    now: datetime | None = None,
    id_factory: Callable[[], str] = new_service_request_id,
    idempotency_key: str | None = None,
) -> ServiceRequest:
    """Store a new report in the initial status, with the first history row.

    The description and address are public in Open311, so they are stored redacted: a
    resident's phone, NI or bank number typed into them is never kept, let alone shown.

    With an idempotency key, a key already used returns the report its first request
    created, and nothing new is stored.

    Args:
        session: the database session.
        data: the validated request.
        service: the catalogue entry of ``data.service_code``.
        attributes: attribute values already checked against the service definition.
        now: the time of arrival (defaults to the current time).
        id_factory: makes candidate references; a collision is retried with a new one.
        idempotency_key: the request's ``Idempotency-Key`` header, if it sent one.

    Returns:
        The stored request (the first one for a known key).

    Raises:
        ReferenceExhausted: when every candidate reference was already taken.
    """
    arrived = now or _now()

    def create_once(reference: str) -> ServiceRequest:
        return _create_once(
            session, data, service, attributes, reference, arrived=arrived, key=idempotency_key
        )

    return create_with_new_reference(
        create_once, new_reference=id_factory, attempts=MAX_ID_ATTEMPTS, what="service request id"
    )


def _create_once(
    session: Session,
    data: ServiceRequestCreate,
    service: CatalogueService,
    attributes: dict[str, AttributeValue],
    reference: str,
    *,
    arrived: datetime,
    key: str | None,
) -> ServiceRequest:
    """One try of ``create_service_request`` under one candidate reference.

    Raises:
        ReferenceTaken: the reference was already used (the caller tries another).
    """
    begin_write(session)
    first = _first_for_key(session, key)
    if first is not None:
        return first
    row = ServiceRequest(
        service_request_id=reference,
        service_code=service.service_code,
        service_name=service.service_name,
        status=INITIAL_STATUS.value,
        description=_redacted(data.description),
        agency_responsible=service.agency_responsible,
        service_notice=service.service_notice,
        lat=data.lat,
        long=data.long,
        address_string=_redacted(data.address_string),
        address_id=data.address_id,
        zipcode=data.zipcode,
        media_url=data.media_url,
        attributes=attributes,
        email=data.email,
        first_name=data.first_name,
        last_name=data.last_name,
        phone=data.phone,
        device_id=data.device_id,
        account_id=data.account_id,
        requested_at=arrived,
        updated_at=arrived,
        expected_at=arrived + timedelta(days=service.target_days),
    )
    row.history.append(
        StatusChange(
            from_status=None,
            to_status=INITIAL_STATUS.value,
            notes=None,
            changed_by="open311",
            changed_at=arrived,
        )
    )
    session.add(row)
    if key:
        crud_delivery.remember(session, scope=OPEN311_SCOPE, key=key, reference=reference)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        first = _first_for_key(session, key)
        if first is not None:  # the same key, sent twice at the same moment
            return first
        if get_service_request(session, service_request_id=reference) is None:
            raise  # not a reference collision: a real fault
        raise ReferenceTaken(reference) from None
    logger.info("Service request %s received for %s", row.service_request_id, row.service_code)
    return row


def _first_for_key(session: Session, key: str | None) -> ServiceRequest | None:
    """The report the first request with this idempotency key created, if any."""
    if not key:
        return None
    reference = crud_delivery.find_result(session, scope=OPEN311_SCOPE, key=key)
    if reference is None:
        return None
    logger.info("Idempotency key seen before: service request %s returned again", reference)
    return get_service_request(session, service_request_id=reference)


def get_service_request(session: Session, *, service_request_id: str) -> ServiceRequest | None:
    """Return the request with this reference (case-insensitive), with its history.

    Args:
        session: the database session.
        service_request_id: e.g. ``SR-7K3Q9X``.

    Returns:
        The request, or None.
    """
    statement = (
        sa.select(ServiceRequest)
        .where(ServiceRequest.service_request_id == service_request_id.strip().upper())
        .options(selectinload(ServiceRequest.history))
    )
    return session.execute(statement).scalar_one_or_none()


def list_service_requests(
    session: Session,
    *,
    service_request_ids: Collection[str] | None = None,
    service_codes: Collection[str] | None = None,
    statuses: Collection[ReportStatus] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = MAX_RESULTS,
    now: datetime | None = None,
) -> list[ServiceRequest]:
    """Search requests the way GeoReport v2 ``GET requests`` does, newest first.

    With ``service_request_ids`` every other filter is ignored, as the specification says.
    Without dates the window is the last 90 days; with only an end date it is the 90 days
    before it.

    Args:
        session: the database session.
        service_request_ids: references to return.
        service_codes: services to include.
        statuses: internal statuses to include.
        start: earliest ``requested_datetime`` to include.
        end: latest ``requested_datetime`` to include.
        limit: the most rows returned.
        now: the current time (for the default window).

    Returns:
        The matching requests.
    """
    statement = sa.select(ServiceRequest)
    if service_request_ids:
        wanted = {reference.strip().upper() for reference in service_request_ids}
        statement = statement.where(ServiceRequest.service_request_id.in_(wanted))
    else:
        if start is None and end is None:
            start = (now or _now()) - DEFAULT_WINDOW
        elif start is None and end is not None:
            start = end - DEFAULT_WINDOW
        statement = statement.where(ServiceRequest.requested_at >= start)
        if end is not None:
            statement = statement.where(ServiceRequest.requested_at <= end)
        if service_codes:
            codes = {code.strip().upper() for code in service_codes}
            statement = statement.where(ServiceRequest.service_code.in_(codes))
        if statuses is not None:
            statement = statement.where(ServiceRequest.status.in_([s.value for s in statuses]))
    statement = statement.order_by(
        ServiceRequest.requested_at.desc(), ServiceRequest.id.desc()
    ).limit(limit)
    return list(session.execute(statement).scalars())


def update_report(
    session: Session,
    *,
    report: ServiceRequest,
    status: ReportStatus | None = None,
    status_notes: str | None = None,
    changed_by: str = "staff",
    now: datetime | None = None,
) -> ServiceRequest:
    """Change a report's status and/or notes, recording the change in its history.

    This is the only function that changes a report's status.

    Args:
        session: the database session.
        report: the stored report.
        status: the new status; None keeps the current one and only updates the notes.
        status_notes: notes residents will see; None keeps the current notes.
        changed_by: who made the change (``staff`` or a system name).
        now: the time of the change (defaults to the current time).

    Returns:
        The updated report.

    Raises:
        workflow.InvalidTransition: when the workflow does not allow the move.
    """
    current = ReportStatus(report.status)
    target = current if status is None else status
    if status is not None:
        check_transition(current, target)
    changed_at = now or _now()
    if status_notes is not None:
        report.status_notes = status_notes
    report.status = target.value
    report.updated_at = changed_at
    report.history.append(
        StatusChange(
            from_status=current.value,
            to_status=target.value,
            notes=status_notes,
            changed_by=changed_by,
            changed_at=changed_at,
        )
    )
    session.commit()
    logger.info(
        "Service request %s moved from %s to %s by %s",
        report.service_request_id,
        current.value,
        target.value,
        changed_by,
    )
    return report
