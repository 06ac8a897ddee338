"""The stand-in CRM's staff API for street reports, mounted at ``/api/v1/reports``.

Staff read a report with its contact details and history, and move it through the
workflow so that residents see progress in Open311 ``status`` and ``status_notes``.
Every endpoint needs ``Authorization: Bearer $STAFF_API_TOKEN``; without it: 401, no data.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, HTTPException, status

from web.api.deps import SessionDep, require_staff
from web.stand_in.open311 import crud
from web.stand_in.open311.models import ReportStaffView, ReportUpdate, ServiceRequest
from web.stand_in.open311.workflow import InvalidTransition

logger = logging.getLogger(__name__)

router = APIRouter(
    prefix="/reports",
    tags=["staff: reports"],
    dependencies=[Depends(require_staff)],
    responses={
        status.HTTP_401_UNAUTHORIZED: {"description": "Missing or wrong staff token."},
        status.HTTP_404_NOT_FOUND: {"description": "No report with this reference."},
    },
)


def _load(session: SessionDep, service_request_id: str) -> ServiceRequest:
    report = crud.get_service_request(session, service_request_id=service_request_id)
    if report is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No report {service_request_id}")
    return report


@router.get("/{service_request_id}", response_model=ReportStaffView)
def read_report(session: SessionDep, service_request_id: str) -> ReportStaffView:
    """Return a report with its internal status, attributes, contact details and history."""
    return ReportStaffView.from_row(_load(session, service_request_id))


@router.patch(
    "/{service_request_id}",
    response_model=ReportStaffView,
    responses={status.HTTP_409_CONFLICT: {"description": "The workflow forbids this move."}},
)
def update_report(
    session: SessionDep, service_request_id: str, update: ReportUpdate
) -> ReportStaffView:
    """Change a report's status and/or the notes residents see; the change is kept in history."""
    report = _load(session, service_request_id)
    try:
        report = crud.update_report(
            session, report=report, status=update.status, status_notes=update.status_notes
        )
    except InvalidTransition as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    return ReportStaffView.from_row(report)
