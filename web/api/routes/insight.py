"""Service insight's JSON API, mounted at ``/api/v1/insight`` (issue #10).

``POST /api/v1/insight/events``: the assistant posts one outcome event per conversation
session (idempotent). ``POST /api/v1/insight/feedback``: a caller's answer to "Did that
answer your question?" on the phone line (the web chat's own is ``POST /chat/feedback``).
``GET /api/v1/insight?from=&to=&channel=``: the dashboard's figures.
``GET /api/v1/insight/unanswered``: the grouped unanswered questions, and each group as
Rasa NLU YAML (``/unanswered/{id}.yml``) or CSV (``/unanswered/{id}.csv``). All need
``Authorization: Bearer $STAFF_API_TOKEN``, checked before anything else.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status

from web import insight
from web.api.deps import (
    SessionDep,
    SettingsDep,
    StaffTokenFirstRoute,
    require_staff,
)
from web.insight_feedback import AnswerFeedbackIn, record_answer
from web.insight_unanswered import (
    QuestionGroup,
    export_csv,
    export_nlu_yaml,
    find_group,
    group_questions,
    questions_in,
)

logger = logging.getLogger(__name__)

router = APIRouter(
    prefix="/insight",
    tags=["staff: insight"],
    dependencies=[Depends(require_staff)],
    route_class=StaffTokenFirstRoute,
    responses={
        status.HTTP_400_BAD_REQUEST: {
            "description": "The date range or channel cannot be read (for example from after to)."
        }
    },
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
    return insight.compute_insight(
        session, filters, costs_for(request), request.app.state.settings.insight_idle_s
    )


@router.post(
    "/events",
    response_model=insight.OutcomeEventStored,
    summary="Record how one conversation session ended",
)
def post_event(
    body: insight.OutcomeEventIn, session: SessionDep, settings: SettingsDep, response: Response
) -> insight.OutcomeEventStored:
    """Store the event (201), or confirm one already stored for that session (200)."""
    stored = insight.record_event(session, body, feedback_window_s=settings.insight_idle_s)
    response.status_code = status.HTTP_201_CREATED if stored.created else status.HTTP_200_OK
    if stored.created:
        logger.info("Outcome event %d recorded: %s", stored.id, body.outcome.value)
    return stored


@router.post(
    "/feedback",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary='Record a resident\'s answer to "Did that answer your question?"',
)
def post_feedback(body: AnswerFeedbackIn, session: SessionDep, settings: SettingsDep) -> Response:
    """Keep the answer (204); a "no" makes that session's answer not contained."""
    record_answer(session, body, window_s=settings.insight_idle_s)
    logger.info("Answer feedback recorded: %s", body.channel)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/unanswered", summary="Questions the assistant could not answer, grouped")
def unanswered(
    session: SessionDep,
    date_from: str | None = Query(None, alias="from", description="first day, YYYY-MM-DD"),
    date_to: str | None = Query(None, alias="to", description="last day, YYYY-MM-DD"),
    channel: str | None = Query(None, description="web, ivr, library or api"),
) -> dict:
    """Groups of similar unanswered questions, biggest first, with the assistant's best guess."""
    filters = filters_or_400(date_from, date_to, channel)
    groups = group_questions(questions_in(session, filters))
    return {
        "filters": {
            "from": filters.date_from.isoformat(),
            "to": filters.date_to.isoformat(),
            "channel": filters.channel,
        },
        "groups": [group.public() for group in groups],
    }


def _group_or_404(
    session: SessionDep,
    group_id: int,
    date_from: str | None,
    date_to: str | None,
    channel: str | None,
) -> QuestionGroup:
    filters = filters_or_400(date_from, date_to, channel)
    group = find_group(group_questions(questions_in(session, filters)), group_id)
    if group is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such group in this period")
    return group


@router.get("/unanswered/{group_id}.yml", summary="A group as Rasa NLU YAML, for review")
def unanswered_yaml(
    session: SessionDep,
    group_id: int,
    date_from: str | None = Query(None, alias="from"),
    date_to: str | None = Query(None, alias="to"),
    channel: str | None = Query(None),
) -> Response:
    """The group's messages as a Rasa NLU training data file."""
    group = _group_or_404(session, group_id, date_from, date_to, channel)
    return Response(
        export_nlu_yaml(group),
        media_type="application/x-yaml; charset=utf-8",
        headers=download_headers(f"unanswered-{group_id}.yml"),
    )


@router.get("/unanswered/{group_id}.csv", summary="A group as CSV")
def unanswered_csv(
    session: SessionDep,
    group_id: int,
    date_from: str | None = Query(None, alias="from"),
    date_to: str | None = Query(None, alias="to"),
    channel: str | None = Query(None),
) -> Response:
    """The group's messages as CSV."""
    group = _group_or_404(session, group_id, date_from, date_to, channel)
    return Response(
        export_csv(group),
        media_type="text/csv; charset=utf-8",
        headers=download_headers(f"unanswered-{group_id}.csv"),
    )


def download_headers(filename: str) -> dict[str, str]:
    """Headers of a file download that holds (redacted) residents' words."""
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
