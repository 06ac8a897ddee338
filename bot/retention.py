"""Removes conversations and delivered outbox items older than the retention period."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import inspect, text

from integrations.outbox import Outbox
from lib.sqlite import create_engine


def purge_tracker_events(tracker_store_url: str, older_than_days: int) -> int:
    """Delete Rasa tracker events older than the given number of days; returns how many.

    Works on Rasa's SQL tracker store (``events`` table, ``timestamp`` in epoch seconds).
    """
    engine = create_engine(tracker_store_url)
    try:
        if not inspect(engine).has_table("events"):
            return 0
        cutoff = time.time() - older_than_days * 86400
        with engine.begin() as conn:
            result = conn.execute(
                text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}
            )
        return int(result.rowcount or 0)
    finally:
        engine.dispose()


def purge_outbox(database_url: str, older_than_days: int) -> int:
    """Delete delivered outbox items (which hold contact details) past retention."""
    outbox = Outbox(database_url)
    try:
        return outbox.purge_delivered(datetime.now(timezone.utc) - timedelta(days=older_than_days))
    finally:
        outbox.engine.dispose()
