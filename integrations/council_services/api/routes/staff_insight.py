"""The service insight pages of the staff console (``/staff/insight``), sign-in required.

The dashboard shows the same figures as ``GET /api/v1/insight``; the unanswered questions
page groups what the assistant did not understand and exports a group as Rasa NLU YAML or
CSV. Server-rendered, no script (``insight_pages.py``); the console's security headers.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response

from integrations.council_services import insight
from integrations.council_services.api.deps import SessionDep
from integrations.council_services.api.routes.insight import costs_for, download_headers
from integrations.council_services.api.routes.staff_console import StaffDep, _html
from integrations.council_services.insight_pages import insight_page, unanswered_page
from integrations.council_services.insight_unanswered import (
    export_csv,
    export_nlu_yaml,
    find_group,
    group_questions,
    questions_in,
)

router = APIRouter(prefix="/staff/insight", include_in_schema=False)


def _form(date_from: str, date_to: str, channel: str) -> tuple[str, str, str]:
    return date_from[:10], date_to[:10], channel[:10]


@router.get("")
def dashboard(
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    channel: str = Query(""),
) -> Response:
    """The dashboard, for a date range (the last 30 days by default) and channel."""
    try:
        filters = insight.parse_filters(date_from or None, date_to or None, channel or None)
    except insight.FilterError as error:
        page = insight_page(
            figures=None,
            filters=None,
            form=_form(date_from, date_to, channel),
            viewer=staff.viewer,
            error=str(error),
        )
        return _html(page, status.HTTP_400_BAD_REQUEST)
    figures = insight.compute_insight(session, filters, costs_for(request))
    groups = group_questions(questions_in(session, filters))
    page = insight_page(
        figures=figures,
        filters=filters,
        form=(filters.date_from.isoformat(), filters.date_to.isoformat(), filters.channel or ""),
        viewer=staff.viewer,
        unanswered_groups=len(groups),
    )
    return _html(page)


@router.get("/unanswered")
def unanswered(
    session: SessionDep,
    staff: StaffDep,
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    channel: str = Query(""),
) -> Response:
    """The grouped unanswered questions of the period."""
    try:
        filters = insight.parse_filters(date_from or None, date_to or None, channel or None)
    except insight.FilterError as error:
        page = unanswered_page(
            groups=None,
            filters=None,
            form=_form(date_from, date_to, channel),
            viewer=staff.viewer,
            error=str(error),
        )
        return _html(page, status.HTTP_400_BAD_REQUEST)
    groups = group_questions(questions_in(session, filters))
    page = unanswered_page(
        groups=[group.public() for group in groups],
        filters=filters,
        form=(filters.date_from.isoformat(), filters.date_to.isoformat(), filters.channel or ""),
        viewer=staff.viewer,
    )
    return _html(page)


def _export(
    session: SessionDep, group_id: int, date_from: str, date_to: str, channel: str, kind: str
) -> Response:
    try:
        filters = insight.parse_filters(date_from or None, date_to or None, channel or None)
    except insight.FilterError as error:
        return Response(str(error), status_code=400, media_type="text/plain; charset=utf-8")
    group = find_group(group_questions(questions_in(session, filters)), group_id)
    if group is None:
        return Response(
            "There is no such group in this period.",
            status_code=404,
            media_type="text/plain; charset=utf-8",
        )
    if kind == "yml":
        body, media = export_nlu_yaml(group), "application/x-yaml; charset=utf-8"
    else:
        body, media = export_csv(group), "text/csv; charset=utf-8"
    return Response(
        body, media_type=media, headers=download_headers(f"unanswered-{group_id}.{kind}")
    )


@router.get("/unanswered/{group_id}.yml")
def unanswered_yaml(
    session: SessionDep,
    staff: StaffDep,
    group_id: int,
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    channel: str = Query(""),
) -> Response:
    """A group as a Rasa NLU YAML file for review."""
    return _export(session, group_id, date_from, date_to, channel, "yml")


@router.get("/unanswered/{group_id}.csv")
def unanswered_csv(
    session: SessionDep,
    staff: StaffDep,
    group_id: int,
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    channel: str = Query(""),
) -> Response:
    """A group as CSV."""
    return _export(session, group_id, date_from, date_to, channel, "csv")
