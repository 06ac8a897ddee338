"""Service insight's JSON API, mounted at ``/api/v1/insight`` (issue #10).

``POST /api/v1/insight/events``: the assistant posts one outcome event per conversation
session (idempotent). ``GET /api/v1/insight?from=&to=&channel=``: the dashboard's figures.
Both need ``Authorization: Bearer $STAFF_API_TOKEN``, checked before anything else.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status

from integrations.council_services import insight
from integrations.council_services.api.deps import (
    SessionDep,
    StaffTokenFirstRoute,
    require_staff,
)

logger = logging.getLogger(__name__)

router = APIRouter(
    prefix="/insight",
    tags=["staff: insight"],
    dependencies=[Depends(require_staff)],
    route_class=StaffTokenFirstRoute,
)


def costs_for(request: Request) -> insight.ContactCosts:
    """The per-contact costs, read once per app from the configured file."""
    cached = getattr(request.app.state, "insight_costs", None)
    if cached is None:
        cached = insight.load_costs(request.app.state.settings.insight_costs_path)
        request.app.state.insight_costs = cached
    return cached


def filters_or_400(
    date_from: str | None, date_to: str | None, channel: str | None
) -> insight.InsightFilters:
    """Parse the filters or answer 400 saying what is wrong."""
    try:
        return insight.parse_filters(date_from, date_to, channel)
    except insight.FilterError as error:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(error)) from error


@router.get("", summary="The dashboard's figures for a date range and channel")
def figures(
    request: Request,
    session: SessionDep,
    date_from: str | None = Query(None, alias="from", description="first day, YYYY-MM-DD"),
    date_to: str | None = Query(None, alias="to", description="last day, YYYY-MM-DD"),
    channel: str | None = Query(None, description="web, ivr, library or api"),
) -> dict:
    """Containment, outcomes, hand-offs, channels, languages, hours, weeks and cost avoided."""
    filters = filters_or_400(date_from, date_to, channel)
    return insight.compute_insight(session, filters, costs_for(request))


@router.post(
    "/events",
    response_model=insight.OutcomeEventStored,
    summary="Record how one conversation session ended",
)
def post_event(
    body: insight.OutcomeEventIn, session: SessionDep, response: Response
) -> insight.OutcomeEventStored:
    """Store the event (201), or confirm one already stored for that session (200)."""
    stored = insight.record_event(session, body)
    response.status_code = status.HTTP_201_CREATED if stored.created else status.HTTP_200_OK
    if stored.created:
        logger.info("Outcome event %d recorded: %s", stored.id, body.outcome.value)
    return stored
