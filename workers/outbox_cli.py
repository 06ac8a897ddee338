"""``python -m bot outbox list`` and ``outbox retry <reference>``: failed items, for staff.

An item the council services refused stays in the outbox as ``failed`` with its reason
(issue #15 item 6). ``list`` shows each one's reference, what it is, the record it belongs
to, when it failed and why; ``retry`` queues it (and what waited behind it) for the
outbox worker to send again, once the cause is fixed.
"""

from __future__ import annotations

from typing import TextIO

from integrations.outbox import Outbox
from integrations.outbox.store import HeldItem


def _line(item: HeldItem) -> str:
    failed = (item.failed_at or item.created_at).isoformat(timespec="seconds")
    return "\t".join(
        [
            item.reference,
            item.kind,
            item.group_key or item.reference,
            failed,
            str(item.attempts),
            (item.last_error or "").replace("\n", " "),
        ]
    )


def list_failed(outbox: Outbox, out: TextIO) -> int:
    """Write every failed item, one a line, most recent first; the exit code (0).

    Columns (tab-separated): reference, kind, record, failed at (UTC), attempts, reason.
    """
    items = outbox.failed()
    if not items:
        out.write("No failed items: everything held was delivered or is still being sent.\n")
        return 0
    out.write("reference\tkind\trecord\tfailed_at\tattempts\treason\n")
    for item in items:
        out.write(_line(item) + "\n")
    out.write(
        f"{len(items)} failed item(s). Send one again: python -m bot outbox retry <reference>\n"
    )
    return 0


def retry(outbox: Outbox, reference: str, out: TextIO, err: TextIO) -> int:
    """Queue a failed item again; the exit code (1 when there is no such failed item)."""
    item = outbox.retry(reference.strip().upper())
    if item is None:
        err.write(f"No failed item {reference}. See: python -m bot outbox list\n")
        return 1
    out.write(f"{item.reference} is queued again; the outbox worker will send it.\n")
    return 0
