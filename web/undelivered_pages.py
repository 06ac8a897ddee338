"""The staff console's page of undelivered items (``/staff/undelivered``, issue #15).

Each row is something a resident sent through the assistant that these services refused:
its reference, what it is, the record it belongs to, the reason and when. Built like the
other console pages (``console_pages.py``): every value escaped, no script.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timezone

from web.console_pages import (
    Safe,
    Viewer,
    join,
    layout,
    local_time,
    render,
)
from web.delivery_models import KIND_LABELS, UndeliveredItem

#: The assistant's command that sends a refused item again once the cause is fixed.
RETRY_COMMAND = "python -m bot outbox retry "


def undelivered_page(*, items: Sequence[UndeliveredItem], viewer: Viewer) -> Safe:
    """The list of undelivered items, most recent failure first.

    Args:
        items: the undelivered items.
        viewer: the signed-in staff member.

    Returns:
        The HTML document.
    """
    if items:
        rows = join(
            render(
                "<tr>"
                '<th scope="row">{reference}</th><td>{kind}</td><td>{record}</td>'
                "<td>{reason}</td><td>{attempts}</td>"
                '<td><time datetime="{iso}">{failed}</time></td>'
                "</tr>",
                reference=item.reference,
                kind=KIND_LABELS.get(item.kind, item.kind),
                record=item.record_reference,
                reason=item.reason,
                attempts=item.attempts,
                iso=item.failed_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
                failed=local_time(item.failed_at),
            )
            for item in items
        )
        shown = "1 item" if len(items) == 1 else f"{len(items)} items"
        table = render(
            "<table><caption>Undelivered: {shown}, most recent first</caption><thead><tr>"
            '<th scope="col">Reference</th><th scope="col">What it is</th>'
            '<th scope="col">Record</th><th scope="col">Reason</th>'
            '<th scope="col">Attempts</th><th scope="col">Refused</th>'
            "</tr></thead><tbody>{rows}</tbody></table>",
            shown=shown,
            rows=rows,
        )
    else:
        table = Safe('<p class="notice">Nothing is waiting: every item was delivered.</p>')
    main = render(
        "<h1>Undelivered items</h1>"
        "<p>The assistant sent these for residents, and the council services refused them. "
        "The resident was told it did not go through. Contact the resident if the record "
        "says how, fix the cause, then ask an administrator to send the item again with "
        "<code>{command}&lt;reference&gt;</code>.</p>{table}",
        command=RETRY_COMMAND,
        table=table,
    )
    return layout("Undelivered items", main, viewer)
