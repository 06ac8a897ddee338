"""The staff console's page of undelivered items (``/staff/undelivered``), sign-in required.

Server-rendered, no script (``undelivered_pages.py``); the console's security headers.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from web import crud_delivery
from web.api.deps import SessionDep
from web.api.routes.staff_console import QueueStaff, _html
from web.undelivered_pages import undelivered_page

router = APIRouter(prefix="/staff/undelivered", include_in_schema=False)


@router.get("")
def undelivered(session: SessionDep, staff: QueueStaff) -> Response:
    """Items residents sent that the council services refused, with reference and reason."""
    items = crud_delivery.list_undelivered(session)
    session.commit()  # end the read before the page is built
    return _html(undelivered_page(items=items, viewer=staff.viewer))
