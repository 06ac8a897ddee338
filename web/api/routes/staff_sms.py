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
from web.console_pages import join, layout, local_time, render
from web.crud_sms import newest_texts

console_router = APIRouter(prefix="/staff", include_in_schema=False)

PAGE_LIMIT = 200


@console_router.get("/sms")
def sms_page(session: SessionDep, staff: QueueStaff) -> HTMLResponse:
    """The outbox for signed-in staff: what was texted to whom, newest first."""
    rows = newest_texts(session, limit=PAGE_LIMIT)
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
