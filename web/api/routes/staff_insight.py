"""The service insight pages of the staff console (``/staff/insight``), sign-in required.

The dashboard shows the same figures as ``GET /api/v1/insight``; the unanswered questions
page groups what the assistant did not understand and exports a group as Rasa NLU YAML or
CSV. Server-rendered, no script (``insight_pages.py``); the console's security headers.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response

from web import insight
from web.api.deps import SessionDep
from web.api.routes.insight import costs_for
from web.api.routes.staff_console import InsightStaff, _html
from web.insight_export import ExportKind, group_download, group_in_period
from web.insight_pages import insight_page, unanswered_page
from web.insight_unanswered import group_questions, questions_in

router = APIRouter(prefix="/staff/insight", include_in_schema=False)


def _period(
    date_from: str, date_to: str, channel: str
) -> tuple[insight.InsightFilters | None, tuple[str, str, str], str]:
    """The filters of the form (None if they can't be used), the form's values, the error."""
    try:
        filters = insight.parse_filters(date_from or None, date_to or None, channel or None)
    except insight.FilterError as error:
        return None, (date_from[:10], date_to[:10], channel[:10]), str(error)
    form = (filters.date_from.isoformat(), filters.date_to.isoformat(), filters.channel or "")
    return filters, form, ""


@router.get("")
def dashboard(
    request: Request,
    session: SessionDep,
    staff: InsightStaff,
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    channel: str = Query(""),
) -> Response:
    """The dashboard, for a date range (the last 30 days by default) and channel."""
    filters, form, error = _period(date_from, date_to, channel)
    if filters is None:
        page = insight_page(figures=None, filters=None, form=form, viewer=staff.viewer, error=error)
        return _html(page, status.HTTP_400_BAD_REQUEST)
    figures = insight.compute_insight(
        session, filters, costs_for(request), request.app.state.settings.insight_idle_s
    )
    groups = group_questions(questions_in(session, filters))
    page = insight_page(
        figures=figures,
        filters=filters,
        form=form,
        viewer=staff.viewer,
        unanswered_groups=len(groups),
    )
    return _html(page)


@router.get("/unanswered")
def unanswered(
    session: SessionDep,
    staff: InsightStaff,
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    channel: str = Query(""),
) -> Response:
    """The grouped unanswered questions of the period."""
    filters, form, error = _period(date_from, date_to, channel)
    if filters is None:
        page = unanswered_page(
            groups=None, filters=None, form=form, viewer=staff.viewer, error=error
        )
        return _html(page, status.HTTP_400_BAD_REQUEST)
    groups = group_questions(questions_in(session, filters))
    page = unanswered_page(
        groups=[group.public() for group in groups],
        filters=filters,
        form=form,
        viewer=staff.viewer,
    )
    return _html(page)


def _export(
    session: SessionDep,
    group_id: int,
    date_from: str,
    date_to: str,
    channel: str,
    kind: ExportKind,
) -> Response:
    filters, _, error = _period(date_from, date_to, channel)
    if filters is None:
        return Response(error, status_code=400, media_type="text/plain; charset=utf-8")
    group = group_in_period(session, filters, group_id)
    if group is None:
        return Response(
            "There is no such group in this period.",
            status_code=404,
            media_type="text/plain; charset=utf-8",
        )
    return group_download(group, group_id, kind)


@router.get("/unanswered/{group_id}.yml")
def unanswered_yaml(
    session: SessionDep,
    staff: InsightStaff,
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
    staff: InsightStaff,
    group_id: int,
    date_from: str = Query("", alias="from"),
    date_to: str = Query("", alias="to"),
    channel: str = Query(""),
) -> Response:
    """A group as CSV."""
    return _export(session, group_id, date_from, date_to, channel, "csv")
