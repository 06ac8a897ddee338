"""The stand-in SMS gateway (issue #6): ``/api/v1/sms``, for development.

``POST /api/v1/sms`` (staff token) takes a text message the assistant wants to send, for
example the link and reference offered at the end of a phone call; ``GET /api/v1/sms``
lists them. Nothing is sent: each message goes to Front Door's SMS outbox (``crud_sms``),
which the staff console shows at ``/staff/sms``. A council points ``SMS_URL`` at its real
gateway instead.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field, validator

from web.api.deps import (
    SessionDep,
    StaffTokenFirstRoute,
    require_staff,
)
from web.clean_input import clean_block, clean_number, cleaned
from web.crud_sms import newest_texts, queue_text
from web.models import SmsOutboxItem

router = APIRouter(
    prefix="/api/v1/sms",
    tags=["sms"],
    route_class=StaffTokenFirstRoute,
    dependencies=[Depends(require_staff)],
)

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


@router.post("", status_code=status.HTTP_201_CREATED, response_model=SmsPublic)
def queue_sms(session: SessionDep, message: SmsCreate) -> SmsPublic:
    """Put a text message in the outbox."""
    row = queue_text(
        session,
        to_number=message.to,
        body=message.body,
        conversation_id=message.conversation_id,
    )
    return _public(row)


@router.get("", response_model=list[SmsPublic])
def list_sms(
    session: SessionDep, limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT)] = 50
) -> list[SmsPublic]:
    """The newest messages first."""
    return [_public(row) for row in newest_texts(session, limit=limit)]
