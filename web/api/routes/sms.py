"""The SMS outbox (issue #6): the development SMS gateway, and the staff page that shows it.

``POST /api/v1/sms`` (staff token) takes a text message the assistant wants to send, for
example the link and reference offered at the end of a phone call; ``GET /api/v1/sms``
lists them; ``/staff/sms`` shows them to signed-in staff, newest first.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, validator

from web.api.deps import (
    SessionDep,
    StaffTokenFirstRoute,
    require_staff,
)
from web.api.routes.staff_console import SECURITY_HEADERS, QueueStaff
from web.clean_input import clean_block, clean_number, cleaned
from web.console_pages import join, layout, local_time, render
from web.core.db import begin_write
from web.models import SmsOutboxItem

logger = logging.getLogger(__name__)

api_router = APIRouter(
    prefix="/api/v1/sms",
    tags=["sms"],
    route_class=StaffTokenFirstRoute,
    dependencies=[Depends(require_staff)],
)
console_router = APIRouter(prefix="/staff", include_in_schema=False)

_E164_UK_MOBILE = re.compile(r"^\+447\d{9}$")
PAGE_LIMIT = 200


class SmsCreate(BaseModel):
    """A text message to put in the outbox."""

    to: str = Field(..., description="UK mobile number in E.164 form, +447...")
    body: str = Field(..., min_length=1, max_length=700)
    conversation_id: str = Field("", max_length=128)

    _clean_number = cleaned("to", how=clean_number)
    _clean_body = cleaned("body", how=clean_block)
    _clean_conversation = cleaned("conversation_id")

    @validator("to")
    def _uk_mobile(cls, value: str) -> str:  # noqa: N805
        if not _E164_UK_MOBILE.match(value):
            raise ValueError("must be a UK mobile number in E.164 form, like +447700900123")
        return value


class SmsPublic(BaseModel):
    """A message in the outbox."""

    id: int
    created_at: datetime
    to: str
    body: str
    conversation_id: str
    status: str


def _public(row: SmsOutboxItem) -> SmsPublic:
    return SmsPublic(
        id=row.id,
        created_at=row.created_at,
        to=row.to_number,
        body=row.body,
        conversation_id=row.conversation_id,
        status=row.status,
    )


def _newest(session: SessionDep, limit: int) -> list[SmsOutboxItem]:
    query = sa.select(SmsOutboxItem).order_by(SmsOutboxItem.id.desc()).limit(limit)
    return list(session.execute(query).scalars())


@api_router.post("", status_code=status.HTTP_201_CREATED, response_model=SmsPublic)
def queue_sms(session: SessionDep, message: SmsCreate) -> SmsPublic:
    """Put a text message in the outbox."""
    begin_write(session)
    row = SmsOutboxItem(
        created_at=datetime.now(timezone.utc),
        to_number=message.to,
        body=message.body,
        conversation_id=message.conversation_id,
        status="queued",
    )
    session.add(row)
    session.commit()
    logger.info("SMS %d queued in the outbox", row.id)
    return _public(row)


@api_router.get("", response_model=list[SmsPublic])
def list_sms(
    session: SessionDep, limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT)] = 50
) -> list[SmsPublic]:
    """The newest messages first."""
    return [_public(row) for row in _newest(session, limit)]


@console_router.get("/sms")
def sms_page(session: SessionDep, staff: QueueStaff) -> HTMLResponse:
    """The outbox for signed-in staff: what was texted to whom, newest first."""
    rows = _newest(session, PAGE_LIMIT)
    if rows:
        body = join(
            render(
                '<tr><td><time datetime="{iso}">{when}</time></td><td>{to}</td>'
                '<td><span class="pre-wrap">{text}</span></td><td>{conversation}</td>'
                "<td>{status}</td></tr>",
                iso=row.created_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
                when=local_time(row.created_at),
                to=row.to_number,
                text=row.body,
                conversation=row.conversation_id,
                status=row.status,
            )
            for row in rows
        )
        table = render(
            "<table><caption>Text messages, newest first</caption><thead><tr>"
            '<th scope="col">When</th><th scope="col">To</th><th scope="col">Message</th>'
            '<th scope="col">Conversation id</th><th scope="col">Status</th>'
            "</tr></thead><tbody>{rows}</tbody></table>",
            rows=body,
        )
    else:
        table = render('<p class="notice">No text messages yet.</p>')
    main = render(
        '<p><a href="/staff">Back to the queue</a></p><h1>Text messages</h1>'
        "<p>Texts the assistant sent to residents, for example the link and reference "
        "offered at the end of a phone call. In development this is the SMS gateway.</p>"
        "{table}",
        table=table,
    )
    return HTMLResponse(str(layout("Text messages", main, staff.viewer)), headers=SECURITY_HEADERS)
