"""Downloading one group of unanswered questions as a file: one way, for both routes.

The JSON API (``/api/v1/insight/unanswered/{id}.yml``) and the staff console
(``/staff/insight/unanswered/{id}.yml``) serve the same two files, Rasa NLU YAML and CSV,
with the same headers. They differ only in how they sign in and how they say "bad period"
or "no such group".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from fastapi.responses import Response
from sqlalchemy.orm import Session

from web.insight import InsightFilters
from web.insight_unanswered import (
    QuestionGroup,
    export_csv,
    export_nlu_yaml,
    find_group,
    group_questions,
    questions_in,
)

#: The file kinds a group downloads as: the URL's suffix.
ExportKind = Literal["yml", "csv"]

#: Each kind's writer and media type.
_FORMATS: dict[str, tuple[Callable[[QuestionGroup], str], str]] = {
    "yml": (export_nlu_yaml, "application/x-yaml; charset=utf-8"),
    "csv": (export_csv, "text/csv; charset=utf-8"),
}


def group_in_period(
    session: Session, filters: InsightFilters, group_id: int
) -> QuestionGroup | None:
    """The group named ``group_id`` among the period's unanswered questions, if any."""
    return find_group(group_questions(questions_in(session, filters)), group_id)


def download_headers(filename: str) -> dict[str, str]:
    """Headers of a file download that holds (redacted) residents' words."""
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }


def group_download(group: QuestionGroup, group_id: int, kind: ExportKind) -> Response:
    """The group as a file to save: ``unanswered-<id>.yml`` or ``unanswered-<id>.csv``.

    Args:
        group: the group to export.
        group_id: its id, as in the URL (it names the file).
        kind: ``yml`` for Rasa NLU training data, ``csv`` for a spreadsheet.

    Returns:
        The download, with headers that keep it out of caches and browsers' sniffing.
    """
    write, media_type = _FORMATS[kind]
    return Response(
        write(group),
        media_type=media_type,
        headers=download_headers(f"unanswered-{group_id}.{kind}"),
    )
