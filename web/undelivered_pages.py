"""The staff console's page of undelivered items (``/staff/undelivered``, issue #15).

Each row is something a resident sent through the assistant that these services refused:
its reference, what it is, the record it belongs to, the reason and when. The markup is
``templates/staff/undelivered.html``; this module prepares the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timezone

from markupsafe import Markup

from web.console_pages import Viewer, local_time, page
from web.delivery_models import KIND_LABELS, UndeliveredItem

#: The assistant's command that sends a refused item again once the cause is fixed.
RETRY_COMMAND = "python -m bot outbox retry "


def undelivered_page(*, items: Sequence[UndeliveredItem], viewer: Viewer) -> Markup:
    """The list of undelivered items, most recent failure first.

    Args:
        items: the undelivered items.
        viewer: the signed-in staff member.

    Returns:
        The HTML document.
    """
    rows = [
        {
            "reference": item.reference,
            "kind": KIND_LABELS.get(item.kind, item.kind),
            "record": item.record_reference,
            "reason": item.reason,
            "attempts": item.attempts,
            "iso": item.failed_at.astimezone(timezone.utc).isoformat(timespec="seconds"),
            "failed": local_time(item.failed_at),
        }
        for item in items
    ]
    return page(
        "staff/undelivered.html",
        title="Undelivered items",
        viewer=viewer,
        command=RETRY_COMMAND,
        items=rows,
        shown="1 item" if len(items) == 1 else f"{len(items)} items",
    )
