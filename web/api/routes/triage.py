"""The triage queue's JSON API, mounted at ``/api/v1/triage`` (contract section 3 and 6).

The assistant's action server posts hand-offs here; staff tools list, read and move them.
Every endpoint needs ``Authorization: Bearer $STAFF_API_TOKEN``, checked before anything
else (401 and no data without it), and every read or change is written to the audit log
under the actor ``api-token``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Response, status
from pydantic import ConstrainedInt

from lib.idempotency import IDEMPOTENCY_HEADER, is_valid_key
from web import crud_triage, staff_messages
from web.api.deps import (
    SessionDep,
    SettingsDep,
    StaffTokenFirstRoute,
    require_staff,
)
from web.assistant_link import tell_resident
from web.crud_triage import (
    API_ACTOR,
    UNSET,
    AuditAction,
    CaseClosed,
    ConcurrentChange,
    ReferenceConflict,
    ReferenceExhausted,
)
from web.models import TriageRecord
from web.triage_models import (
    AuditEntryPublic,
    Category,
    StaffMessageIn,
    StaffMessageResult,
    TranscriptEntryPublic,
    TriageAddition,
    TriageAuditList,
    TriageCreate,
    TriageList,
    TriagePublic,
    TriageUpdate,
)
from web.workflow import InvalidTriageTransition, TriageStatus

logger = logging.getLogger(__name__)

MAX_PAGE = 200


class PriorityFilter(ConstrainedInt):
    """A priority to filter on: 1, 2 or 3."""

    ge = 1
    le = 3


SEARCH_MAX_LENGTH = 100


class SortOrder(str, Enum):
    """The orders the list can be sorted in."""

    NEWEST = "newest"
    DUE = "due"


router = APIRouter(
    prefix="/triage",
    tags=["staff: triage"],
    dependencies=[Depends(require_staff)],
    route_class=StaffTokenFirstRoute,
    responses={status.HTTP_401_UNAUTHORIZED: {"description": "Missing or wrong staff token."}},
)

_NOT_FOUND = {status.HTTP_404_NOT_FOUND: {"description": "No triage record with this reference."}}
NOT_OWNER = "Only the conversation that created this record may change its contact details."
NOT_OWNER_ADD = "Only the conversation that created this record may add to it."


def _public(session: SessionDep, record: TriageRecord) -> TriagePublic:
    """The record as the API returns it, with the records linked to it."""
    linked = crud_triage.linked_references(session, records=[record])
    return TriagePublic.from_row(record, linked=linked.get(record.reference))


def _load(session: SessionDep, reference: str) -> TriageRecord:
    record = crud_triage.get_triage(session, reference=reference)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No triage record {reference}")
    return record


@router.post(
    "",
    response_model=TriagePublic,
    status_code=status.HTTP_201_CREATED,
    responses={
        status.HTTP_200_OK: {
            "model": TriagePublic,
            "description": "A record with this reference already existed; it is returned.",
        },
        status.HTTP_409_CONFLICT: {
            "description": "The reference belongs to another conversation's record."
        },
    },
)
def create_triage(
    session: SessionDep,
    data: TriageCreate,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_HEADER,
            description="Optional. The same key again returns the first record (200).",
        ),
    ] = None,
) -> TriagePublic:
    """Store a hand-off from the assistant (201), or return the same reference's record (200).

    Send ``reference`` when the resident has already been given one, or an
    ``Idempotency-Key`` header: the call is then idempotent and safe to retry.
    """
    if idempotency_key is not None and not is_valid_key(idempotency_key):
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"{IDEMPOTENCY_HEADER} must be 1 to 100 printable characters without spaces",
        )
    try:
        record, created = crud_triage.create_triage(
            session, data=data, actor=API_ACTOR, idempotency_key=idempotency_key
        )
    except ReferenceConflict as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except ReferenceExhausted as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from None
    if not created:
        response.status_code = status.HTTP_200_OK
    return _public(session, record)


@router.get("", response_model=TriageList)
def list_triage(
    session: SessionDep,
    status_filter: Annotated[
        list[TriageStatus] | None,
        Query(alias="status", description="Repeat to include several: new, claimed, resolved."),
    ] = None,
    priority: Annotated[
        list[PriorityFilter] | None, Query(description="Repeat to include several: 1, 2, 3.")
    ] = None,
    category: Annotated[
        list[Category] | None, Query(description="Repeat to include several.")
    ] = None,
    q: str | None = Query(
        None,
        max_length=SEARCH_MAX_LENGTH,
        description=(
            "Staff search: a reference (any case), a resident's name, or a phone number"
            " (spaces and +44 or 0 do not matter)."
        ),
    ),
    overdue: bool = Query(
        False, description="Only open records past their due-by time (``due_by``)."
    ),
    sort: Annotated[
        SortOrder, Query(description="newest (the default) or due: soonest due-by first.")
    ] = SortOrder.NEWEST,
    limit: int = Query(50, ge=1, le=MAX_PAGE, description=f"At most {MAX_PAGE}."),
    offset: int = Query(0, ge=0),
) -> TriageList:
    """List records, newest first: ``{"count", "limit", "offset", "data": [record, ...]}``.

    Each record carries ``due_by`` (when staff must respond, from its priority), ``overdue``,
    ``linked`` (the other records from its conversation) and ``labels`` (its codes in words).

    ``count`` is the number of records matching the filters across every page.
    """
    now = datetime.now(timezone.utc)
    page = crud_triage.list_triage(
        session,
        statuses=status_filter,
        priorities=priority,
        categories=category,
        query=q,
        overdue_at=now if overdue else None,
        due_order=sort == SortOrder.DUE,
        limit=limit,
        offset=offset,
    )
    crud_triage.record_access(
        session, records=page.records, actor=API_ACTOR, action=AuditAction.LIST
    )
    linked = crud_triage.linked_references(session, records=page.records)
    return TriageList(
        count=page.count,
        limit=limit,
        offset=offset,
        data=[
            TriagePublic.from_row(record, linked=linked.get(record.reference), now=now)
            for record in page.records
        ],
    )


@router.get("/{reference}", response_model=TriagePublic, responses=_NOT_FOUND)
def read_triage(session: SessionDep, reference: str) -> TriagePublic:
    """Return one record with every contract field."""
    record = _load(session, reference)
    crud_triage.record_access(session, records=[record], actor=API_ACTOR)
    return _public(session, record)


@router.patch(
    "/{reference}",
    response_model=TriagePublic,
    responses={
        **_NOT_FOUND,
        status.HTTP_403_FORBIDDEN: {"description": NOT_OWNER},
        status.HTTP_409_CONFLICT: {
            "description": "The workflow forbids this move, or the record changed meanwhile."
        },
    },
)
def update_triage(
    session: SessionDep, settings: SettingsDep, reference: str, update: TriageUpdate
) -> TriagePublic:
    """Change the status (claim, unclaim, resolve, reopen), the assignee or contact details.

    Moves: new to claimed or resolved; claimed to new or resolved; resolved to claimed.
    Contact details change only with the ``conversation_id`` of the conversation that
    created the record (403 otherwise, and nothing changes).
    """
    record = _load(session, reference)
    given = update.__fields_set__
    if "contact" in given and not crud_triage.is_owner(record, update.conversation_id):
        logger.warning("Refused a contact change of %s from another conversation", reference)
        raise HTTPException(status.HTTP_403_FORBIDDEN, NOT_OWNER)
    try:
        record = crud_triage.update_triage(
            session,
            record=record,
            actor=API_ACTOR,
            status=update.status,
            assignee=update.assignee if "assignee" in given else UNSET,
            resolution_note=update.resolution_note,
            resident_note=update.resident_note,
            contact=update.contact if "contact" in given else UNSET,
        )
    except (InvalidTriageTransition, ConcurrentChange) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    if update.status == TriageStatus.RESOLVED:
        tell_resident(
            settings,
            conversation_id=record.conversation_id,
            reference=record.reference,
            channel=record.channel,
            note=update.resident_note,
        )
    return _public(session, record)


@router.post(
    "/{reference}/additions",
    response_model=TriagePublic,
    responses={
        **_NOT_FOUND,
        status.HTTP_403_FORBIDDEN: {"description": NOT_OWNER_ADD},
        status.HTTP_409_CONFLICT: {
            "description": "The record is resolved (open a new one), or changed meanwhile."
        },
    },
)
def add_to_triage(session: SessionDep, reference: str, data: TriageAddition) -> TriagePublic:
    """Add a later part of the same conversation to its open record.

    New transcript lines are appended (a retry adds nothing twice), the priority only
    rises, contact details given since join it, and the summary is replaced by the one
    rebuilt from the whole conversation.
    """
    record = _load(session, reference)
    if not crud_triage.is_owner(record, data.conversation_id):
        logger.warning("Refused an addition to %s from another conversation", reference)
        raise HTTPException(status.HTTP_403_FORBIDDEN, NOT_OWNER_ADD)
    try:
        record = crud_triage.add_to_triage(session, record=record, data=data, actor=API_ACTOR)
    except (CaseClosed, ConcurrentChange) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    return _public(session, record)


@router.post(
    "/{reference}/messages",
    response_model=StaffMessageResult,
    status_code=status.HTTP_201_CREATED,
    responses={
        **_NOT_FOUND,
        status.HTTP_409_CONFLICT: {
            "description": "No way to reach the resident as asked (no consent or mobile "
            "number for a text, no web chat), or the record kept changing."
        },
        status.HTTP_503_SERVICE_UNAVAILABLE: {
            "description": "The web chat could not be reached; nothing was sent or stored."
        },
    },
)
def send_message(
    session: SessionDep, settings: SettingsDep, reference: str, message: StaffMessageIn
) -> StaffMessageResult:
    """Write to the resident: into their web chat, and as a text message when asked.

    A text message needs the resident's consent and a UK mobile number in the record.
    What reached the resident joins the transcript (role ``staff``, with the sender's
    name) and the audit log.
    """
    record = _load(session, reference)
    try:
        sent = staff_messages.send_staff_message(
            session,
            settings,
            record=record,
            actor=API_ACTOR,
            sender_name=message.sender_name,
            text=message.text,
            sms=message.sms,
        )
    except (staff_messages.MessageRefused, ConcurrentChange) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except staff_messages.MessageUndelivered as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from None
    return StaffMessageResult(
        reference=record.reference,
        web_chat=sent.web_chat,
        sms=sent.sms,
        line=TranscriptEntryPublic(**sent.line),
    )


@router.get("/{reference}/audit", response_model=TriageAuditList, responses=_NOT_FOUND)
def read_audit(session: SessionDep, reference: str) -> TriageAuditList:
    """Return who viewed or changed the record, and when, oldest first."""
    record = _load(session, reference)
    entries = crud_triage.list_audit(session, record=record)
    return TriageAuditList(
        reference=record.reference,
        count=len(entries),
        data=[AuditEntryPublic.from_row(entry) for entry in entries],
    )
