"""The staff console's page of text messages (issue #6): ``/staff/sms``.

Signed-in staff see every text in the SMS outbox (``crud_sms``), newest first: those a
staff member sent to a resident and, in development, those the assistant sent through the
stand-in SMS gateway.
"""

from __future__ import annotations

from datetime import timezone

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from web.api.deps import SessionDep
from web.api.routes.staff_console import SECURITY_HEADERS, QueueStaff
from web.console_pages import local_time, page
from web.crud_sms import newest_texts

console_router = APIRouter(prefix="/staff", include_in_schema=False)

PAGE_LIMIT = 200


@console_router.get("/sms")
def sms_page(session: SessionDep, staff: QueueStaff) -> HTMLResponse:
    """The outbox for signed-in staff: what was texted to whom, newest first."""
    texts = [
        {
            "iso": row.created_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
            "when": local_time(row.created_at),
            "to": row.to_number,
            "body": row.body,
            "conversation": row.conversation_id,
            "status": row.status,
        }
        for row in newest_texts(session, limit=PAGE_LIMIT)
    ]
    html = page("staff/console/sms.html", title="Text messages", viewer=staff.viewer, texts=texts)
    return HTMLResponse(str(html), headers=SECURITY_HEADERS)
