"""Items the assistant could not deliver because these services refused them (issue #15).

Mounted at ``/api/v1/undelivered``. The assistant's outbox worker puts each refused item
here (``PUT``), with its reference and the reason, and takes it off again (``DELETE``) if a
retry gets it through; staff see the list at ``/staff/undelivered``. Every endpoint needs
the staff token, like the triage queue.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Response, status

from web import crud_delivery
from web.api.deps import SessionDep, StaffTokenFirstRoute, require_staff
from web.delivery_models import (
    UndeliveredList,
    UndeliveredNotice,
    UndeliveredPublic,
)

router = APIRouter(
    prefix="/undelivered",
    tags=["staff: undelivered items"],
    dependencies=[Depends(require_staff)],
    route_class=StaffTokenFirstRoute,
    responses={status.HTTP_401_UNAUTHORIZED: {"description": "Missing or wrong staff token."}},
)


@router.get("", response_model=UndeliveredList)
def list_undelivered(session: SessionDep) -> UndeliveredList:
    """Every undelivered item, most recent failure first."""
    rows = crud_delivery.list_undelivered(session)
    return UndeliveredList(count=len(rows), data=[UndeliveredPublic.from_row(r) for r in rows])


@router.put(
    "/{reference}",
    response_model=UndeliveredPublic,
    responses={status.HTTP_400_BAD_REQUEST: {"description": "The body names another item."}},
)
def put_undelivered(
    session: SessionDep, reference: str, notice: UndeliveredNotice
) -> UndeliveredPublic:
    """List an item the assistant could not deliver (or update it when it failed again)."""
    if notice.reference != reference:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "reference differs from the path")
    return UndeliveredPublic.from_row(crud_delivery.save_undelivered(session, notice=notice))


@router.delete("/{reference}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def delete_undelivered(session: SessionDep, reference: str) -> Response:
    """Take an item off the list: a retry delivered it. Answers 204 either way."""
    crud_delivery.remove_undelivered(session, reference=reference)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
